import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alignSeries, axisTimes } from '../logic/chart.js';

import type { ChartMark, TimeChartProps } from './time-chart.js';

const NO_MARKS: readonly ChartMark[] = [];
const PALETTE = ['--accent', '--warn', '--good', '--muted'];
const css = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/** The uPlot drawing behind TimeChart (its own chunk: uPlot loads with the first chart, not with the page). */
export default function UplotChart({
  series,
  marks = NO_MARKS,
  height = 160,
  unit = '',
  range,
}: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const { x, ys } = alignSeries(series);
    const bad = css('--bad');
    const fg = css('--muted');
    const grid = css('--line');
    const drawMarks = (u: uPlot) => {
      const { ctx, bbox } = u;
      ctx.save();
      for (const m of marks) {
        const x0 = u.valToPos(m.fromMs / 1000, 'x', true);
        if (m.toMs !== undefined) {
          const x1 = u.valToPos(m.toMs / 1000, 'x', true);
          const l = Math.max(bbox.left, Math.min(x0, x1));
          const r = Math.min(bbox.left + bbox.width, Math.max(x0, x1));
          if (r <= l) continue;
          ctx.fillStyle = bad;
          ctx.globalAlpha = 0.13;
          ctx.fillRect(l, bbox.top, r - l, bbox.height);
        } else {
          if (x0 < bbox.left || x0 > bbox.left + bbox.width) continue;
          ctx.globalAlpha = 0.9;
          ctx.strokeStyle = bad;
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
          ctx.beginPath();
          ctx.moveTo(x0, bbox.top);
          ctx.lineTo(x0, bbox.top + bbox.height);
          ctx.stroke();
          ctx.setLineDash([]);
        }
      }
      ctx.restore();
    };
    const axis = {
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: {
          time: true,
          ...(range === undefined
            ? {}
            : { range: [range.fromMs / 1000, range.toMs / 1000] as uPlot.Range.MinMax }),
        },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...axis, size: 44, values: (_u, splits) => axisTimes(splits) },
        {
          ...axis,
          size: 56,
          values: (_u, splits) =>
            splits.map((v) => `${Number(v.toPrecision(3)).toLocaleString('en')}${unit}`),
        },
      ],
      series: [
        {
          label: 'UTC',
          value: (_u, v) =>
            Number.isFinite(v)
              ? new Date(v * 1000).toISOString().slice(0, 19).replace('T', ' ')
              : '—',
        },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: css(PALETTE[i % PALETTE.length]!),
          width: 1.5,
          spanGaps: false,
          points: { show: x.length < 60 },
        })),
      ],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [drawMarks] },
    };
    const chart = new uPlot(opts, [x, ...ys] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [series, marks, height, unit, range]);
  return <div ref={box} />;
}
