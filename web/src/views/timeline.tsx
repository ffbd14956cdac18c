import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent as ReactKeyboardEvent } from 'react';
import { api } from '../api/client.js';
import { CausalChainView } from '../components/causal-chain.js';
import { IncidentEvents } from '../components/incident-events.js';
import type { Incident, Rca } from '../api/types.js';
import { shortTime } from '../logic/format.js';
import type { View } from '../logic/timeline.js';
import { brush, firstAtOrAfter, fit, pan, ticks, xOf, zoom } from '../logic/timeline.js';

const LANE = 30;
const AXIS = 24;
const LABEL = 230;
const KIND_COLOR: Record<string, string> = {
  'first-symptom': '#c62828',
  detected: '#5b3fd9',
  symptom: '#e57373',
  change: '#0277bd',
  acknowledged: '#b26a00',
  resolved: '#2e7d32',
  reopened: '#ad1457',
};
const STATUS_COLOR: Record<string, string> = {
  open: 'rgba(198,40,40,.22)',
  acknowledged: 'rgba(178,106,0,.22)',
  resolved: 'rgba(46,125,50,.18)',
};

interface Lane {
  incident: Incident;
  endMs: number;
  /** The incident's events, in time order (sorted once, not at every frame). */
  events: Incident['timeline'];
  /** Their times, ascending (binary search for what is in view). */
  times: number[];
}

/**
 * Incidents as lanes over time on a canvas (thousands of events stay smooth: only what is in
 * view is drawn): each incident's span coloured by status and its events as marks; for the
 * selected incident, the causal links the root-cause analysis found (cause → the symptoms it
 * explains). Wheel zooms at the cursor, drag pans, shift-drag brushes a range, a click selects,
 * a double click opens the incident; keys: + − ← → 0.
 */
export function Timeline({ live, onError }: { live: number; onError: (e: unknown) => void }) {
  const [lanes, setLanes] = useState<Lane[] | undefined>();
  const [view, setView] = useState<View | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [rca, setRca] = useState<Rca | undefined>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x0: number; x: number; brushing: boolean; moved: boolean } | undefined>(
    undefined,
  );
  const [brushBox, setBrushBox] = useState<{ x0: number; x1: number } | undefined>();
  const [width, setWidth] = useState(900);

  useEffect(() => {
    api.incidents({ limit: 500 }).then((p) => {
      const ls = p.items
        .map((incident) => {
          const events = [...incident.timeline].sort((a, b) => a.timeMs - b.timeMs);
          return {
            incident,
            endMs: incident.resolvedMs ?? incident.lastSymptomMs,
            events,
            times: events.map((e) => e.timeMs),
          };
        })
        .sort((a, b) => b.incident.firstSymptomMs - a.incident.firstSymptomMs);
      setLanes(ls);
      setView(
        (v) => v ?? fit(ls.map((l) => ({ fromMs: l.incident.firstSymptomMs, toMs: l.endMs }))),
      );
    }, onError);
  }, [live, onError]);

  useEffect(() => {
    if (selected === undefined || lanes === undefined) return;
    const i = lanes.find((l) => l.incident.id === selected)?.incident;
    if (i === undefined) return;
    api.incidentRca(i).then(setRca, onError);
  }, [selected, lanes, onError]);

  useEffect(() => {
    const c = canvas.current;
    if (c === null) return;
    const ro = new ResizeObserver(() => {
      setWidth(Math.max(300, c.clientWidth));
    });
    ro.observe(c);
    return () => {
      ro.disconnect();
    };
  }, [lanes]);

  const height = AXIS + (lanes?.length ?? 0) * LANE + 8;
  const plotW = width - LABEL;

  const draw = useCallback(() => {
    const c = canvas.current;
    if (c === null || lanes === undefined || view === undefined) return;
    const dpr = window.devicePixelRatio || 1;
    // a new size reallocates the canvas: only when it changes, not at every frame
    if (c.width !== width * dpr) c.width = width * dpr;
    if (c.height !== height * dpr) c.height = height * dpr;
    const g = c.getContext('2d');
    if (g === null) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const css = getComputedStyle(c);
    const fg = css.color;
    g.clearRect(0, 0, width, height);
    g.font = '11px system-ui, sans-serif';
    // axis
    g.fillStyle = fg;
    g.strokeStyle = 'rgba(128,128,128,.25)';
    for (const t of ticks(view)) {
      const x = LABEL + xOf(view, plotW, t);
      g.beginPath();
      g.moveTo(x, AXIS - 4);
      g.lineTo(x, height);
      g.stroke();
      g.fillText(shortTime(t, t), x + 2, 12);
    }
    lanes.forEach((l, row) => {
      const y = AXIS + row * LANE;
      const i = l.incident;
      const sel = i.id === selected;
      if (sel) {
        g.fillStyle = 'rgba(91,63,217,.08)';
        g.fillRect(0, y, width, LANE);
      }
      g.fillStyle = fg;
      g.fillText(
        `${i.causes[0]?.service ?? i.services[0] ?? '?'} · ${shortTime(i.firstSymptomMs)}`.slice(
          0,
          36,
        ),
        4,
        y + 18,
      );
      g.save();
      g.beginPath();
      g.rect(LABEL, 0, plotW, height);
      g.clip();
      const x0 = LABEL + xOf(view, plotW, i.firstSymptomMs);
      const x1 = LABEL + xOf(view, plotW, l.endMs);
      g.fillStyle = STATUS_COLOR[i.status] ?? 'rgba(128,128,128,.2)';
      g.fillRect(x0, y + 6, Math.max(2, x1 - x0), LANE - 12);
      // events in view only
      const from = firstAtOrAfter(l.times, view.fromMs);
      const to = firstAtOrAfter(l.times, view.toMs + 1);
      // events denser than a pixel: one mark per pixel and kind
      const lastPx: Record<string, number> = {};
      for (let k = from; k < to; k++) {
        const e = l.events[k]!;
        const ex = LABEL + xOf(view, plotW, e.timeMs);
        const px = Math.round(ex);
        if (lastPx[e.kind] === px) continue;
        lastPx[e.kind] = px;
        g.fillStyle = KIND_COLOR[e.kind] ?? fg;
        g.beginPath();
        g.arc(
          ex,
          y + LANE / 2,
          e.kind === 'first-symptom' || e.kind === 'detected' ? 5 : 3.5,
          0,
          Math.PI * 2,
        );
        g.fill();
      }
      // causal links of the selected incident: the top cause's first event → the first symptom of each service it explains
      if (sel && rca !== undefined) {
        const top = rca.candidates[0];
        const firstOf = (svc: string) =>
          i.timeline.find((e) => e.service === svc)?.timeMs ??
          (svc === top?.service ? i.firstSymptomMs : undefined);
        const from2 = top === undefined ? undefined : firstOf(top.service);
        if (top !== undefined && from2 !== undefined) {
          g.strokeStyle = '#5b3fd9';
          g.lineWidth = 1.5;
          for (const svc of top.explains) {
            const t = firstOf(svc) ?? i.firstSymptomMs;
            const a = LABEL + xOf(view, plotW, from2);
            const b = LABEL + xOf(view, plotW, t);
            g.beginPath();
            g.moveTo(a, y + LANE / 2);
            g.quadraticCurveTo((a + b) / 2, y - 4, b + (b === a ? 12 : 0), y + LANE / 2 - 6);
            g.stroke();
          }
          g.lineWidth = 1;
        }
      }
      g.restore();
    });
    if (brushBox !== undefined) {
      g.fillStyle = 'rgba(91,63,217,.15)';
      g.fillRect(
        LABEL + Math.min(brushBox.x0, brushBox.x1),
        AXIS,
        Math.abs(brushBox.x1 - brushBox.x0),
        height - AXIS,
      );
    }
  }, [lanes, view, selected, rca, brushBox, width, height, plotW]);

  useEffect(draw, [draw]);

  const laneAt = (offsetY: number) =>
    lanes === undefined ? undefined : lanes[Math.floor((offsetY - AXIS) / LANE)];
  const onKey = (e: ReactKeyboardEvent) => {
    if (view === undefined || lanes === undefined) return;
    const mid = plotW / 2;
    if (e.key === '+' || e.key === '=') setView(zoom(view, plotW, mid, 0.5));
    else if (e.key === '-') setView(zoom(view, plotW, mid, 2));
    else if (e.key === 'ArrowLeft') setView(pan(view, plotW, plotW / 5));
    else if (e.key === 'ArrowRight') setView(pan(view, plotW, -plotW / 5));
    else if (e.key === '0')
      setView(fit(lanes.map((l) => ({ fromMs: l.incident.firstSymptomMs, toMs: l.endMs }))));
    else return;
    e.preventDefault();
  };

  const eventCount = useMemo(() => lanes?.reduce((a, l) => a + l.times.length, 0) ?? 0, [lanes]);
  if (lanes === undefined || view === undefined) return <p aria-busy="true">Loading…</p>;
  const sel = lanes.find((l) => l.incident.id === selected)?.incident;
  return (
    <div className="timeline-view">
      <section aria-labelledby="tl-h" className="card">
        <h2 id="tl-h">
          Incident timeline{' '}
          <span className="count">
            {lanes.length} incidents, {eventCount.toLocaleString('en')} events ·{' '}
            {shortTime(view.fromMs)} to {shortTime(view.toMs)} UTC
          </span>
        </h2>
        <div className="toolbar">
          <button
            onClick={() => {
              setView(zoom(view, plotW, plotW / 2, 0.5));
            }}
          >
            Zoom in
          </button>
          <button
            onClick={() => {
              setView(zoom(view, plotW, plotW / 2, 2));
            }}
          >
            Zoom out
          </button>
          <button
            onClick={() => {
              setView(
                fit(lanes.map((l) => ({ fromMs: l.incident.firstSymptomMs, toMs: l.endMs }))),
              );
            }}
          >
            Fit
          </button>
          <span className="muted">
            wheel: zoom · drag: pan · shift-drag: select a range · click: causal links · double
            click: open
          </span>
        </div>
        {lanes.length === 0 ? (
          <p className="empty">No incidents yet.</p>
        ) : (
          <canvas
            ref={canvas}
            className="timeline-canvas"
            style={{ height }}
            tabIndex={0}
            role="img"
            aria-label={`timeline of ${lanes.length} incidents; the list below has the same incidents`}
            onKeyDown={onKey}
            onWheel={(e) => {
              const x = e.nativeEvent.offsetX - LABEL;
              if (x < 0) return;
              setView(zoom(view, plotW, x, e.deltaY > 0 ? 1.25 : 0.8));
            }}
            onMouseDown={(e) => {
              drag.current = {
                x0: e.nativeEvent.offsetX - LABEL,
                x: e.nativeEvent.offsetX - LABEL,
                brushing: e.shiftKey,
                moved: false,
              };
            }}
            onMouseMove={(e) => {
              const d = drag.current;
              if (d === undefined) return;
              const x = e.nativeEvent.offsetX - LABEL;
              if (Math.abs(x - d.x0) > 3) d.moved = true;
              if (d.brushing) setBrushBox({ x0: d.x0, x1: x });
              else {
                setView((v) => (v === undefined ? v : pan(v, plotW, x - d.x)));
                d.x = x;
              }
            }}
            onMouseUp={(e) => {
              const d = drag.current;
              drag.current = undefined;
              if (d === undefined) return;
              if (d.brushing && d.moved)
                setView(brush(view, plotW, d.x0, e.nativeEvent.offsetX - LABEL));
              else if (!d.moved) setSelected(laneAt(e.nativeEvent.offsetY)?.incident.id);
              setBrushBox(undefined);
            }}
            onMouseLeave={() => {
              drag.current = undefined;
              setBrushBox(undefined);
            }}
            onDoubleClick={(e) => {
              const l = laneAt(e.nativeEvent.offsetY);
              if (l !== undefined)
                location.hash = `#/incidents/${encodeURIComponent(l.incident.id)}`;
            }}
          />
        )}
        <ul className="legend">
          {Object.entries(KIND_COLOR).map(([k, c]) => (
            <li key={k}>
              <span className="dot" style={{ background: c }} /> {k}
            </li>
          ))}
        </ul>
      </section>
      {sel !== undefined && (
        <section aria-labelledby="sel-h" className="card">
          <h2 id="sel-h">
            <a href={`#/incidents/${encodeURIComponent(sel.id)}`}>{sel.title}</a>
          </h2>
          {rca === undefined ? (
            <p aria-busy="true">Ranking…</p>
          ) : (
            <p className="causal">
              {rca.candidates[0] === undefined
                ? 'No ranked cause.'
                : `${rca.candidates[0].service} (score ${rca.candidates[0].score.toFixed(2)}) explains ${rca.candidates[0].explains.length === 0 ? 'no other abnormal service' : rca.candidates[0].explains.join(', ')}.`}
            </p>
          )}
          {rca !== undefined && <CausalChainView rca={rca} />}
          <IncidentEvents incident={sel} />
        </section>
      )}
      <section aria-labelledby="list-h" className="card">
        <h2 id="list-h">Incidents in the timeline</h2>
        <ul className="history">
          {lanes.map((l) => (
            <li key={l.incident.id}>
              <button
                className="link"
                onClick={() => {
                  setSelected(l.incident.id);
                }}
              >
                {shortTime(l.incident.firstSymptomMs)}
              </button>{' '}
              <span className={`status ${l.incident.status}`}>{l.incident.status}</span>{' '}
              {l.incident.causes[0]?.service ?? ''} — {l.times.length} events
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
