import cytoscape from 'cytoscape';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client.js';
import type { Graph, Incident } from '../api/types.js';
import { percent, shortTime } from '../logic/format.js';
import { graphElements, shortLabels } from '../logic/graph.js';
import { healthOf } from '../logic/health.js';
import { patternsOf } from '../logic/patterns.js';
import { RedCharts } from '../components/red-charts.js';
import { useLoad } from '../components/use-load.js';

const HOUR = 3_600_000;
const COLORS = {
  failing: '#c62828',
  degraded: '#b26a00',
  ok: '#2e7d32',
  idle: '#9e9eae',
  slow: '#b26a00',
} as const;

/** A service's busiest log templates of the range, error ones first, with error badges and a link to all its patterns. */
function ServiceTemplates({
  service,
  range,
  onError,
}: {
  service: string;
  range: { fromMs: number; toMs: number };
  onError: (e: unknown) => void;
}) {
  const { data, error } = useLoad(
    () =>
      api.templates({
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        bucket: 300,
        service,
      }),
    [service, range],
    onError,
  );
  const rows = data?.items;
  const top = useMemo(
    () =>
      rows === undefined
        ? []
        : patternsOf(rows, { ...range, bucketMs: 300_000 })
            .sort((a, b) => Number(b.errors > 0) - Number(a.errors > 0) || b.total - a.total)
            .slice(0, 6),
    [rows, range],
  );
  if (error !== undefined)
    return (
      <p className="error">
        Log templates of {service}: {error}
      </p>
    );
  if (rows === undefined) return <p aria-busy="true">Loading templates…</p>;
  if (top.length === 0) return <p className="empty">No log records of {service} in this hour.</p>;
  return (
    <>
      <h3>Log templates</h3>
      <ul className="service-templates">
        {top.map((p) => (
          <li key={p.templateId}>
            <span className="num">{p.total.toLocaleString('en')}×</span>{' '}
            {p.errors > 0 && (
              <span className="badge error">
                {p.errors === p.total ? 'error' : `${p.errors} errors`}
              </span>
            )}
            {p.isNew && <span className="badge new">new</span>}
            <code>{p.template.length > 160 ? `${p.template.slice(0, 159)}…` : p.template}</code>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The service graph (Cytoscape): services coloured by health, calls by errors and latency shift; a service's detail on a click. */
export function ServiceGraph({ live, onError }: { live: number; onError: (e: unknown) => void }) {
  const [graph, setGraph] = useState<Graph | undefined>();
  const range = useMemo(
    () =>
      graph === undefined
        ? undefined
        : { fromMs: Date.parse(graph.from), toMs: Date.parse(graph.to) },
    [graph],
  );
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const run = { cancelled: false };
    (async () => {
      const { toMs, incidents: inc } = await api.focus(50);
      const g = await api.graph({
        from: new Date(toMs - HOUR).toISOString(),
        to: new Date(toMs).toISOString(),
      });
      if (!run.cancelled) {
        setGraph(g);
        setIncidents(inc);
      }
    })().catch(onError);
    return () => {
      run.cancelled = true;
    };
  }, [live, onError]);

  const elements = useMemo(() => (graph === undefined ? undefined : graphElements(graph)), [graph]);

  useEffect(() => {
    if (elements === undefined || box.current === null) return;
    const labels = shortLabels(elements.nodes.map((n) => n.id));
    const cy = cytoscape({
      container: box.current,
      elements: [
        ...elements.nodes.map((n) => ({
          data: { id: n.id, label: labels.get(n.id) ?? n.id, color: COLORS[n.health] },
        })),
        ...elements.edges.map((e) => ({
          data: {
            id: e.id,
            source: e.source,
            target: e.target,
            color: e.state === 'ok' ? '#b8b8c8' : COLORS[e.state],
            width: Math.min(6, 1 + Math.log10(1 + e.calls)),
          },
        })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            'background-color': 'data(color)',
            label: 'data(label)',
            'font-size': 10,
            color: '#55556a',
            'text-valign': 'bottom',
            'text-margin-y': 3,
            width: 18,
            height: 18,
          },
        },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#5b3fd9' } },
        {
          selector: 'edge',
          style: {
            'line-color': 'data(color)',
            'target-arrow-color': 'data(color)',
            'target-arrow-shape': 'triangle',
            width: 'data(width)',
            'curve-style': 'bezier',
            'arrow-scale': 0.8,
          },
        },
      ],
      layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.1, padding: 10 },
      wheelSensitivity: 0.3,
    });
    cy.on('tap', 'node', (e) => {
      setSelected((e.target as cytoscape.NodeSingular).id());
    });
    return () => {
      cy.destroy();
    };
  }, [elements]);

  if (graph === undefined || elements === undefined) return <p aria-busy="true">Loading…</p>;
  const s = graph.services.find((x) => x.service === selected);
  const involved =
    selected === undefined
      ? []
      : incidents.filter((i) => i.services.includes(selected) || i.causes[0]?.service === selected);
  return (
    <div className="graph-view">
      <section aria-labelledby="graph-h" className="card">
        <h2 id="graph-h">
          Service graph{' '}
          <span className="count">
            {elements.nodes.length} services, {elements.edges.length} calls · hour to{' '}
            {shortTime(Date.parse(graph.to))} UTC
          </span>
        </h2>
        {elements.nodes.length === 0 ? (
          <p className="empty">
            No spans in this hour: the graph comes from parent/child spans (OTLP /v1/traces).
          </p>
        ) : (
          <div
            ref={box}
            className="cy"
            role="img"
            aria-label="service dependency graph; the table below lists the same calls"
          />
        )}
      </section>
      {selected !== undefined && (
        <section aria-labelledby="svc-h" className="card service-detail">
          <h2 id="svc-h">{selected}</h2>
          {s === undefined ? (
            <p className="empty">No spans of its own in this hour.</p>
          ) : (
            <p>
              <span className={`health ${healthOf(s)}`}>{healthOf(s)}</span>{' '}
              {s.ratePerMin.toFixed(1)} spans/min · errors {percent(s.errorRatio)} · p50{' '}
              {Math.round(s.p50Ms)} ms · p90 {Math.round(s.p90Ms)} ms
              {s.shift?.p90Ratio == null
                ? ''
                : ` (${s.shift.p90Ratio.toFixed(2)}× the hour before)`}
            </p>
          )}
          <p>
            Calls{' '}
            {graph.edges
              .filter((e) => e.caller === selected)
              .map((e) => e.callee)
              .join(', ') || 'nothing'}
            ; called by{' '}
            {graph.edges
              .filter((e) => e.callee === selected)
              .map((e) => e.caller)
              .join(', ') || 'nobody'}
            .
          </p>
          {range !== undefined && (
            <RedCharts service={selected} range={range} incidents={incidents} onError={onError} />
          )}
          {range !== undefined && (
            <ServiceTemplates service={selected} range={range} onError={onError} />
          )}
          {involved.length > 0 && (
            <ul>
              {involved.map((i) => (
                <li key={i.id}>
                  <a href={`#/incidents/${encodeURIComponent(i.id)}`}>
                    {shortTime(i.firstSymptomMs)}
                  </a>{' '}
                  {i.status} — top cause {i.causes[0]?.service ?? '—'}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="calls-h" className="card">
        <h2 id="calls-h">Calls</h2>
        <table className="calls">
          <thead>
            <tr>
              <th scope="col">Caller</th>
              <th scope="col">Callee</th>
              <th scope="col">Calls</th>
              <th scope="col">Errors</th>
              <th
                scope="col"
                title="calls its client spans made that the callee left unanswered (down or unreachable)"
              >
                Unanswered
              </th>
              <th scope="col">Callee p90</th>
              <th scope="col">p90 vs before</th>
            </tr>
          </thead>
          <tbody>
            {[...graph.edges]
              .sort(
                (a, b) =>
                  (b.unanswered ?? 0) - (a.unanswered ?? 0) ||
                  b.errors - a.errors ||
                  b.calls - a.calls,
              )
              .map((e) => (
                <tr key={`${e.caller}->${e.callee}`}>
                  <td>
                    <button
                      className="link"
                      onClick={() => {
                        setSelected(e.caller);
                      }}
                    >
                      {e.caller}
                    </button>
                  </td>
                  <td>
                    <button
                      className="link"
                      onClick={() => {
                        setSelected(e.callee);
                      }}
                    >
                      {e.callee}
                    </button>
                  </td>
                  <td className="num">{e.calls}</td>
                  <td className="num">{e.errors}</td>
                  <td className="num">{e.unanswered ?? 0}</td>
                  <td className="num">{e.calls === 0 ? '—' : `${Math.round(e.p90Ms)} ms`}</td>
                  <td className="num">
                    {e.shift?.p90Ratio == null ? '—' : `${e.shift.p90Ratio.toFixed(2)}×`}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
