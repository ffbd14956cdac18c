import { useMemo } from 'react';
import { api } from '../api/client.js';
import type { Incident } from '../api/types.js';
import { redSeries, stepFor } from '../logic/chart.js';
import { shortTime } from '../logic/format.js';
import type { ChartMark } from './time-chart.js';
import { TimeChart } from './time-chart.js';
import { useLoad } from './use-load.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A service's RED over a range as two charts (requests, failed, and failed in it rather than passed up from a call; p90 and p50 duration), its incidents shaded. */
export function RedCharts({
  service,
  range,
  incidents,
  onError,
}: {
  service: string;
  range: { fromMs: number; toMs: number };
  incidents: readonly Incident[];
  onError: (e: unknown) => void;
}) {
  const { data: red, error } = useLoad(
    () =>
      api.red({
        service,
        from: iso(range.fromMs),
        to: iso(range.toMs),
        step: stepFor(range.toMs - range.fromMs, 120),
        per: 'service',
      }),
    [service, range.fromMs, range.toMs],
    onError,
  );
  const charts = useMemo(() => {
    if (red === undefined) return undefined;
    const { requests, latency } = redSeries(red.operations[0]?.points ?? [], {
      ...range,
      stepMs: red.step * 1000,
    });
    const marks: ChartMark[] = incidents
      .filter(
        (i) =>
          i.services.includes(service) &&
          i.lastSymptomMs >= range.fromMs &&
          i.firstSymptomMs <= range.toMs,
      )
      .map((i) => ({
        fromMs: i.firstSymptomMs,
        toMs: Math.max(i.lastSymptomMs, i.firstSymptomMs + 60_000),
        label: `incident ${shortTime(i.firstSymptomMs)} UTC`,
      }));
    return { requests, latency, marks, step: red.step };
  }, [red, range, incidents, service]);
  if (error !== undefined)
    return (
      <p className="error">
        RED of {service}: {error}
      </p>
    );
  if (charts === undefined) return <p aria-busy="true">Loading RED…</p>;
  return (
    <div className="chart-row">
      <TimeChart
        series={charts.requests}
        marks={charts.marks}
        title={`${service}: requests, failed, and failed in it (not passed up from a call it made) per ${charts.step} s`}
        range={range}
        height={150}
      />
      <TimeChart
        series={charts.latency}
        marks={charts.marks}
        unit=" ms"
        title={`${service}: duration p90 and p50 per ${charts.step} s`}
        range={range}
        height={150}
      />
    </div>
  );
}
