import { useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { EvidenceItem, Finding, MetricName } from '../api/types.js';
import type { ChartSeries } from '../logic/chart.js';
import { callSeries, peerCallSeries, redSeries, stepFor, zeroFill } from '../logic/chart.js';
import { shortTime } from '../logic/format.js';
import type { ChartMark } from './time-chart.js';
import { TimeChart } from './time-chart.js';
import { useLoad } from './use-load.js';

type Range = { fromMs: number; toMs: number };
const iso = (ms: number) => new Date(ms).toISOString();

/** The series behind one piece of evidence over a range: a template's records, the service's p90 or errors, its slowed call paths, the metric of an anomaly. */
async function evidenceSeries(
  item: EvidenceItem,
  service: string,
  range: Range,
): Promise<{ series: ChartSeries[]; unit: string; title: string; moment?: number }> {
  const step = stepFor(range.toMs - range.fromMs, 120);
  const span = { from: iso(range.fromMs), to: iso(range.toMs) };
  const ref = item.ref;
  if (ref.type === 'template') {
    // a service named in another's records: that service's records
    const whose = ref.service ?? service;
    const rows = (await api.templates({ ...span, bucket: step, service: whose })).items.filter(
      (r) => r.templateId === ref.templateId,
    );
    const points = zeroFill(
      rows.map((r) => ({ tMs: r.bucketMs, v: r.count })),
      { ...range, stepMs: step * 1000 },
    );
    return {
      series: [{ label: 'records', points }],
      unit: '',
      title: `${whose}: records of "${ref.template}" per ${step} s`,
    };
  }
  if (ref.type === 'latency' || ref.type === 'span-errors' || ref.type === 'silence') {
    const red = await api.red({ service, ...span, step, per: 'service' });
    const { counts, requests, latency } = redSeries(red.operations[0]?.points ?? [], {
      ...range,
      stepMs: step * 1000,
    });
    if (ref.type === 'latency')
      return {
        series: latency,
        unit: ' ms',
        title: `${service}: span duration p90 and p50 per ${step} s`,
      };
    if (ref.type === 'silence')
      return {
        series: counts.slice(0, 1),
        unit: '',
        title: `${service}: spans per ${step} s (none where it fell silent)`,
      };
    return {
      series: requests,
      unit: '',
      title: `${service}: requests, failed, and failed in it (not passed up from a call it made) per ${step} s`,
    };
  }
  if (ref.type === 'calls') {
    // the slowed paths: the median time their calls spent outside the callee, per step
    const c = await api.calls({ service, ...span, step });
    return {
      series: callSeries(c.paths, service, ref.peers),
      unit: ' ms',
      title: `${service}: time calls spent outside the callee (median per ${step} s)`,
    };
  }
  if (ref.type === 'unanswered') {
    // the calls its callers made to it: answered, and left unanswered
    const c = await api.peerCalls({ service, ...span, step });
    return {
      series: peerCallSeries(c.callers, { ...range, stepMs: step * 1000 }),
      unit: '',
      title: `${service}: calls to it from ${ref.callers.join(', ')} per ${step} s, answered or not`,
    };
  }
  if (ref.type === 'finding' || ref.type === 'metric-shift') {
    const m = await api.metricSeries({ name: ref.metric, service, ...span, step, limit: 4 });
    return {
      series: m.series.map((s) => ({
        label: s.resource.pod ?? s.resource.service ?? s.labels,
        points: s.points.map((p) => ({ tMs: Date.parse(p.time), v: p.value })),
      })),
      unit: '',
      title: `${service}: ${ref.metric} (avg per ${step} s)`,
      ...(ref.type === 'finding' ? { moment: ref.timeMs } : {}),
    };
  }
  return { series: [], unit: '', title: '' };
}

/**
 * Whether a piece of evidence has a series to chart (changes are moments on the timeline instead;
 * a dependency without spans has no RED series of its own: its reason says what its callers saw).
 */
export const chartable = (item: EvidenceItem) =>
  item.ref.type === 'template' ||
  ((item.ref.type === 'latency' || item.ref.type === 'span-errors') &&
    item.ref.external !== true) ||
  item.ref.type === 'calls' ||
  item.ref.type === 'unanswered' ||
  item.ref.type === 'silence' ||
  item.ref.type === 'finding' ||
  item.ref.type === 'metric-shift';

/** The chart of one piece of evidence around an incident, its abnormal window shaded (and the anomalous point marked). */
export function EvidenceChart({
  item,
  service,
  range,
  window,
}: {
  item: EvidenceItem;
  service: string;
  range: Range;
  window: Range;
}) {
  const { data, error } = useLoad(
    () => evidenceSeries(item, service, range),
    [item, service, range.fromMs, range.toMs],
  );
  const marks = useMemo<ChartMark[]>(
    () => [
      { ...window, label: `abnormal ${shortTime(window.fromMs)}–${shortTime(window.toMs)} UTC` },
      ...(data?.moment === undefined
        ? []
        : [{ fromMs: data.moment, label: `anomaly at ${shortTime(data.moment)} UTC` }]),
    ],
    [window, data?.moment],
  );
  if (error !== undefined)
    return (
      <p className="error">
        Chart of {item.id}: {error}
      </p>
    );
  if (data === undefined) return <p aria-busy="true">Loading chart…</p>;
  if (data.series.every((s) => s.points.length === 0))
    return <p className="empty">No data to chart for {item.id} in this range.</p>;
  return (
    <TimeChart
      series={data.series}
      marks={marks}
      unit={data.unit}
      title={data.title}
      range={range}
      height={140}
    />
  );
}

/**
 * A service's metrics around an incident: pick a metric (the ones with an anomaly in the range
 * first), see its series with the incident's window shaded and each anomaly marked.
 */
export function MetricsAround({
  service,
  range,
  window,
}: {
  service: string;
  range: Range;
  window: Range;
}) {
  const span = { from: iso(range.fromMs), to: iso(range.toMs) };
  const names = useLoad(() => api.metricNames({ service, ...span }), [service, span.from, span.to]);
  const anomalies = useLoad(
    () => api.findings({ ...span, kind: 'metric-anomaly', limit: 1000 }),
    [span.from, span.to],
  );
  const mine = useMemo<Finding[]>(
    () => (anomalies.data?.items ?? []).filter((f) => f.subject.resource.service === service),
    [anomalies.data, service],
  );
  const ordered = useMemo<MetricName[]>(() => {
    const hit = new Set(mine.map((f) => f.subject.metric));
    return [...(names.data?.items ?? [])].sort(
      (a, b) => Number(hit.has(b.name)) - Number(hit.has(a.name)) || (a.name < b.name ? -1 : 1),
    );
  }, [names.data, mine]);
  const [picked, setPicked] = useState<string | undefined>();
  const name =
    picked !== undefined && ordered.some((m) => m.name === picked) ? picked : ordered[0]?.name;
  const step = stepFor(range.toMs - range.fromMs, 120);
  const series = useLoad(
    () =>
      name === undefined
        ? Promise.resolve(undefined)
        : api.metricSeries({ name, service, ...span, step, limit: 6 }),
    [name, service, span.from, span.to, step],
  );
  const marks = useMemo<ChartMark[]>(
    () => [
      { ...window, label: `incident ${shortTime(window.fromMs)}–${shortTime(window.toMs)} UTC` },
      ...mine
        .filter((f) => f.subject.metric === name)
        .map((f) => ({
          fromMs: f.timeMs,
          label: `${f.detail} at ${shortTime(f.timeMs)} UTC (score ${f.score.toFixed(2)})`,
        })),
    ],
    [window, mine, name],
  );
  const chartSeries = useMemo<ChartSeries[]>(
    () =>
      (series.data?.series ?? []).map((s) => ({
        label: s.resource.pod ?? s.resource.service ?? s.labels,
        points: s.points.map((p) => ({ tMs: Date.parse(p.time), v: p.value })),
      })),
    [series.data],
  );
  if (names.error !== undefined)
    return (
      <p className="error">
        Metrics of {service}: {names.error}
      </p>
    );
  if (names.data === undefined) return <p aria-busy="true">Loading metrics…</p>;
  if (ordered.length === 0) return <p className="empty">{service} has no metrics in this range.</p>;
  const anomalous = new Set(mine.map((f) => f.subject.metric));
  return (
    <div className="metrics-around">
      <label>
        Metric of {service}{' '}
        <select
          value={name}
          onChange={(e) => {
            setPicked(e.target.value);
          }}
        >
          {ordered.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
              {anomalous.has(m.name) ? ' — anomaly' : ''}
            </option>
          ))}
        </select>
      </label>{' '}
      <span className="muted">
        {mine.filter((f) => f.subject.metric === name).length} anomalies in range · {ordered.length}{' '}
        metrics
      </span>
      {series.data === undefined ? (
        <p aria-busy="true">Loading chart…</p>
      ) : (
        <TimeChart
          series={chartSeries}
          marks={marks}
          title={`${service}: ${name ?? ''} (avg per ${step} s)`}
          range={range}
          height={160}
        />
      )}
    </div>
  );
}
