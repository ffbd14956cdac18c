import { Suspense, lazy } from 'react';
import type { ChartSeries } from '../logic/chart.js';

/** What a chart marks: a shaded span (the abnormal window) or a moment (an anomalous point, a change). */
export interface ChartMark {
  fromMs: number;
  /** Absent: a moment, drawn as a line with a dot where a series has a value. */
  toMs?: number;
  label: string;
}

export interface TimeChartProps {
  series: readonly ChartSeries[];
  marks?: readonly ChartMark[];
  height?: number;
  unit?: string;
  title: string;
  range?: { fromMs: number; toMs: number };
}

// uPlot (~50 KB) comes with the first chart shown, not with the page
const UplotChart = lazy(() => import('./uplot-chart.js'));

/**
 * A time-series chart (uPlot, canvas) with the abnormal part marked: spans shaded in the "bad"
 * colour, moments as a line. Follows the page's width; the legend shows values under the cursor.
 * The marks and series are also given in words (aria-label) for those who cannot see the canvas.
 */
export function TimeChart(props: TimeChartProps) {
  const words = (props.marks ?? []).map((m) => m.label).join('; ');
  return (
    <div
      className="time-chart"
      role="img"
      aria-label={`${props.title}${words === '' ? '' : ` — marked: ${words}`}`}
      style={{ minHeight: props.height ?? 160 }}
    >
      <Suspense fallback={null}>
        <UplotChart {...props} />
      </Suspense>
    </div>
  );
}
