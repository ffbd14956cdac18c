import {
  DEFAULT_ENTITY_DETECTOR_CONFIG,
  EntityDetector,
} from '../engine/metrics/entity-detector.js';
import type { EntityDetectorConfig } from '../engine/metrics/entity-detector.js';
import {
  NUMBER,
  TIME_NAMES,
  findColumn,
  parseTimestamp,
  splitCsv,
} from '../engine/metrics/series-format.js';
import { clip } from '../domain/text.js';
import type { SeriesProblem } from './detect-series.js';

/** The entity's normal stretch at the start: a number of rows, or a time span from the first row. */
export type Baseline = { rows: number } | { ms: number };

export interface EntityOptions {
  /** The time column, when it is not named timestamp/time/ts/date/datetime. */
  time?: string;
  baseline?: Baseline;
  /** Rows without a time column are this far apart (default one minute). */
  stepMs?: number;
  config?: EntityDetectorConfig;
}

export interface MetricContribution {
  metric: string;
  /** Decades of surprise: how unusual the metric's score is for that metric. */
  surprise: number;
}

/** One input row as written back: its time (or row number), score (undefined when skipped), the metrics behind it, and the reason. */
export interface EntityRow {
  timestamp: string;
  score: number | undefined;
  metrics: string[];
  reason: string;
}

/** Rows at the threshold close together (within 12 rows) are one anomaly, told at its peak. */
export interface EntityAnomaly {
  start: string;
  end: string;
  rows: number;
  peak: { timestamp: string; score: number; metrics: MetricContribution[] };
  reason: string;
}

export interface EntitySummary {
  metrics: string[];
  /** The time column read, if any (rows are numbered otherwise). */
  timeColumn: string | undefined;
  rows: number;
  skipped: number;
  /** Cells that were empty or not a number: that metric sat the row out. */
  missing: number;
  baselineRows: number;
  /** Why the answer may be weak (a baseline too short to be surprised by anything). */
  notes: string[];
  problems: SeriesProblem[];
  moreProblems: number;
  anomalies: EntityAnomaly[];
  first: string | undefined;
  last: string | undefined;
  fatal: string | undefined;
}

const MAX_PROBLEMS = 100;
const GAP_ROWS = 12;
const PEAK_METRICS = 5;
const NOT_A_VALUE = /^(?:|nan|null|na|n\/a|-)$/i;

/**
 * Scores one entity (a machine, a pod, a VM) from a wide CSV as its lines arrive: one row per
 * time, one column per metric, an optional time column (rows are numbered without one), an
 * optional header (metrics are numbered without one). Bad rows are skipped and said by line;
 * an empty or non-numeric cell leaves that metric out of that row only.
 */
export class EntityDetection {
  private names: string[] | undefined;
  private timeColumn = -1;
  private width = 0;
  private detector: EntityDetector | undefined;
  private readonly config: EntityDetectorConfig;
  private values = new Float64Array(0);
  private rows = 0;
  private skipped = 0;
  private missing = 0;
  private baselineRows = 0;
  private inBaseline: boolean;
  private firstMs = NaN;
  private lastMs = -Infinity;
  private lastLine = 0;
  private first: string | undefined;
  private last: string | undefined;
  private fatal: string | undefined;
  private readonly problems: SeriesProblem[] = [];
  private moreProblems = 0;
  private readonly anomalies: EntityAnomaly[] = [];
  private open: EntityAnomaly | undefined;
  private openLastRow = 0;
  private anomalyStartRow = 0;
  private timeName: string | undefined;

  constructor(
    private readonly onRow: (row: EntityRow) => void = () => undefined,
    private readonly options: EntityOptions = {},
  ) {
    this.config = options.config ?? DEFAULT_ENTITY_DETECTOR_CONFIG;
    this.inBaseline = options.baseline !== undefined;
  }

  /** The metric names (known once the first line is read). */
  get metricNames(): readonly string[] | undefined {
    return this.names;
  }

  private problem(line: number, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, message });
    else this.moreProblems++;
  }

  /** Reads the first line: a header, the first data row, or a line that cannot start (fatal set). */
  private layout(text: string, lineNo: number): 'header' | 'data' | 'fatal' {
    const line = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const cells = splitCsv(line).map((c) => c.trim());
    const header = cells.some((c) => !NUMBER.test(c) && !NOT_A_VALUE.test(c));
    if (header) {
      const asked = this.options.time;
      this.timeColumn = findColumn(cells, asked === undefined ? TIME_NAMES : [asked.toLowerCase()]);
      if (asked !== undefined && this.timeColumn < 0) {
        this.fatal = `line ${lineNo}: no column "${asked}" in the header (columns: ${clip(cells.join(', '), 78)})`;
        return 'fatal';
      }
      if (this.timeColumn >= 0) this.timeName = cells[this.timeColumn];
      this.names = cells.filter((_, i) => i !== this.timeColumn);
    } else {
      if (this.options.time !== undefined) {
        this.fatal = `line ${lineNo}: --time ${this.options.time} names a column, but the first line is not a header (all numbers)`;
        return 'fatal';
      }
      this.names = cells.map((_, i) => `metric ${i + 1}`);
    }
    if (this.names.length === 0) {
      this.fatal = `line ${lineNo}: no metric column beside the time column`;
      return 'fatal';
    }
    this.begin(this.names, this.timeName);
    return header ? 'header' : 'data';
  }

  /**
   * Starts an entity whose rows come already read (`row`), not as CSV lines: the metric names
   * and the name of the time its rows carry.
   */
  begin(names: readonly string[], timeName: string | undefined): void {
    this.names = [...names];
    this.timeName = timeName;
    this.width = this.names.length;
    this.values = new Float64Array(this.width);
    this.detector = new EntityDetector(this.width, this.config, {
      baseline: this.options.baseline !== undefined,
    });
  }

  /**
   * Scores one row read elsewhere (after `begin`): its time, how it is written, and one value per
   * metric (NaN: the metric sits the row out). Rows must come in time order.
   */
  row(t: number, timestamp: string, values: ArrayLike<number>, lineNo: number): void {
    if (this.detector === undefined || this.fatal !== undefined) return;
    if (!(t > this.lastMs)) {
      this.skip(lineNo, `time ${timestamp} is not after the row before; row skipped`, timestamp);
      return;
    }
    for (let k = 0; k < this.width; k++) {
      const v = values[k];
      this.values[k] = v === undefined || !Number.isFinite(v) ? NaN : v;
      if (Number.isNaN(this.values[k]!)) this.missing++;
    }
    this.score(t, timestamp, lineNo);
  }

  line(text: string, lineNo: number, truncated = false): void {
    if (this.fatal !== undefined) return;
    if (text.trim() === '') return;
    if (this.detector === undefined && this.layout(text, lineNo) !== 'data') return;
    if (truncated) {
      this.skip(lineNo, 'line too long (cut), skipped', '');
      return;
    }
    const cells = splitCsv(text);
    const expected = this.width + (this.timeColumn >= 0 ? 1 : 0);
    if (cells.length !== expected) {
      this.skip(
        lineNo,
        `expected ${expected} columns as in the first line, found ${cells.length}; row skipped`,
        this.timeColumn >= 0 ? (cells[this.timeColumn] ?? '') : `row ${this.rows + 1}`,
      );
      return;
    }
    let t: number;
    let timestamp: string;
    if (this.timeColumn >= 0) {
      timestamp = cells[this.timeColumn]!.trim();
      t = parseTimestamp(timestamp);
      if (!Number.isFinite(t)) {
        this.skip(
          lineNo,
          `timestamp "${clip(timestamp, 40)}" is not a date-time or an epoch number; row skipped`,
          timestamp,
        );
        return;
      }
      if (t < this.lastMs) {
        this.skip(
          lineNo,
          `timestamp ${timestamp} is earlier than line ${this.lastLine}'s; out-of-order row skipped (sort the file to score it)`,
          timestamp,
        );
        return;
      }
      if (t === this.lastMs) {
        this.skip(
          lineNo,
          `timestamp ${timestamp} repeats line ${this.lastLine}'s; duplicate skipped`,
          timestamp,
        );
        return;
      }
    } else {
      t = this.rows * (this.options.stepMs ?? 60_000);
      timestamp = `row ${this.rows + 1}`;
    }
    let k = 0;
    for (let i = 0; i < cells.length; i++) {
      if (i === this.timeColumn) continue;
      const c = cells[i]!.trim();
      if (NUMBER.test(c) && Number.isFinite(Number(c))) this.values[k] = Number(c);
      else {
        this.values[k] = NaN;
        this.missing++;
        if (!NOT_A_VALUE.test(c))
          this.problem(
            lineNo,
            `${this.names![k]}: "${clip(c, 40)}" is not a number; left out of this row`,
          );
      }
      k++;
    }
    this.score(t, timestamp, lineNo);
  }

  /** Scores the row in `values`, at time t. */
  private score(t: number, timestamp: string, lineNo: number): void {
    this.lastMs = t;
    this.lastLine = lineNo;
    if (Number.isNaN(this.firstMs)) this.firstMs = t;
    this.first ??= timestamp;
    this.last = timestamp;
    const b = this.options.baseline;
    if (this.inBaseline && b !== undefined) {
      const over = 'rows' in b ? this.rows >= b.rows : t - this.firstMs >= b.ms;
      if (over) {
        this.inBaseline = false;
        this.detector!.holdCalibration();
      }
    }
    this.rows++;
    if (this.inBaseline) this.baselineRows++;
    const d = this.detector!;
    const score = d.push(t, this.values);
    const reason = this.inBaseline ? '' : d.reason(this.names);
    const top = d.ranked(3);
    const surprises = d.contributions();
    const metrics = top.filter((m) => surprises[m]! > 0).map((m) => this.names![m]!);
    if (reason !== '') this.alert(timestamp, score, reason);
    this.onRow({ timestamp, score, metrics, reason });
  }

  private alert(timestamp: string, score: number, reason: string): void {
    const d = this.detector!;
    const s = d.contributions();
    const peak = {
      timestamp,
      score,
      metrics: d
        .ranked(PEAK_METRICS)
        .filter((m) => s[m]! > 0)
        .map((m) => ({ metric: this.names![m]!, surprise: Math.round(s[m]! * 100) / 100 })),
    };
    const o = this.open;
    if (o !== undefined && this.rows - this.openLastRow <= GAP_ROWS) {
      o.end = timestamp;
      o.rows = this.rows - this.anomalyStartRow + 1;
      if (score > o.peak.score) {
        o.peak = peak;
        o.reason = reason;
      }
    } else {
      this.open = { start: timestamp, end: timestamp, rows: 1, peak, reason };
      this.anomalyStartRow = this.rows;
      this.anomalies.push(this.open);
    }
    this.openLastRow = this.rows;
  }

  private skip(line: number, message: string, timestamp: string): void {
    this.skipped++;
    this.problem(line, message);
    this.onRow({
      timestamp,
      score: undefined,
      metrics: [],
      reason: `skipped: ${message.replace(/; .*$/, '')}`,
    });
  }

  finish(): EntitySummary {
    const fatal =
      this.fatal ?? (this.rows === 0 && this.detector === undefined ? 'no rows' : undefined);
    const notes: string[] = [];
    if (this.options.baseline !== undefined && this.baselineRows > 0) {
      // the most a metric can surprise before it goes past everything the baseline held
      const most = Math.log10(this.baselineRows + 1) - Math.log10(Math.max(this.width, 1));
      if (most < this.config.threshold)
        notes.push(
          `a baseline of ${this.baselineRows} rows can only show a row as unusual as ${most.toFixed(1)} decades before a metric goes beyond everything in it (threshold ${this.config.threshold}): give a longer baseline (about ${Math.ceil(10 ** this.config.threshold * this.width)} rows) or none`,
        );
    }
    return {
      metrics: this.names ?? [],
      notes,
      timeColumn: this.timeName,
      rows: this.rows,
      skipped: this.skipped,
      missing: this.missing,
      baselineRows: this.baselineRows,
      problems: this.problems,
      moreProblems: this.moreProblems,
      anomalies: this.anomalies,
      first: this.first,
      last: this.last,
      fatal,
    };
  }
}

/** One metric's points in time order (epoch ms and values). */
export interface MetricPoints {
  t: readonly number[];
  x: readonly number[];
}

/**
 * An entity's rows from its metrics' own series (a folder of one file per metric): one row per
 * distinct time, in order, NaN where a metric has no point at that time. `values` is reused from
 * row to row: read it before asking for the next.
 */
export function* joinSeries(
  series: readonly MetricPoints[],
): Generator<{ t: number; values: Float64Array }> {
  const at = new Array<number>(series.length).fill(0);
  const values = new Float64Array(series.length);
  for (;;) {
    let t = Infinity;
    series.forEach((s, i) => {
      const v = s.t[at[i]!];
      if (v !== undefined && v < t) t = v;
    });
    if (t === Infinity) return;
    series.forEach((s, i) => {
      if (s.t[at[i]!] === t) values[i] = s.x[at[i]!++]!;
      else values[i] = NaN;
    });
    yield { t, values };
  }
}
