import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../engine/metrics/detector-config.js';
import type { AnomalyKind, MetricDetectorConfig } from '../engine/metrics/detector-config.js';
import { formatNumber, formatTime } from '../engine/metrics/reasons.js';
import { detectLayout, parseRow } from '../engine/metrics/series-format.js';
import type { SeriesColumns, SeriesLayout } from '../engine/metrics/series-format.js';
import { SeriesDetector } from '../engine/metrics/series-detector.js';

/** One input row as written back: the original cells, its score (undefined when skipped) and reason. */
export interface ScoredRow {
  timestamp: string;
  value: string;
  score: number | undefined;
  reason: string;
}

export interface SeriesProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
  /** The file, where an answer reads several (a folder of one entity's series). */
  file?: string;
}

export interface AnomalyPoint {
  timestamp: string;
  ms: number;
  value: number;
  score: number;
  kind: AnomalyKind;
  reason: string;
}

/** Alerts close together (within the detector's refractory intervals) are one anomaly: its start and its strongest point. */
export interface AnomalyEvent {
  start: AnomalyPoint;
  peak: AnomalyPoint;
  end: string;
  points: number;
  /** Began within the first day of the series, before its daily pattern could be known. */
  learning: boolean;
  /** A spike or dip that lasted: the level shift it turned out to be (known a few points later). */
  followUp?: { timestamp: string; kind: 'level-shift'; reason: string };
}

export interface SeriesSummary {
  layout: SeriesLayout['kind'] | undefined;
  /** Rows scored. */
  points: number;
  /** Rows skipped (bad time or value, out of order, duplicate time). */
  skipped: number;
  problems: SeriesProblem[];
  /** Problems beyond the ones kept (only the first 100 are kept). */
  moreProblems: number;
  anomalies: AnomalyEvent[];
  intervalMs: number;
  first: string | undefined;
  last: string | undefined;
  /** The whole input could not be read as a series (no rows scored, and why). */
  fatal: string | undefined;
}

const MAX_PROBLEMS = 100;
/** Points after a spike or dip that must stay beyond its baseline for it to be a level shift. */
const SUSTAINED = 6;
/** Anomalies in the first day of a series are flagged as found while learning. */
const LEARNING_MS = 86_400_000;

/**
 * Scores one series as its lines arrive: layout from the first line, rows parsed and checked
 * (bad rows are kept in the output with the reason they were skipped), the detector fed in
 * order, alerts grouped into anomalies. Nothing is buffered beyond the current anomaly.
 */
export class SeriesDetection {
  private layout: SeriesLayout | undefined;
  private readonly detector: SeriesDetector;
  private lastMs = -Infinity;
  private lastLine = 0;
  private points = 0;
  private skipped = 0;
  private readonly problems: SeriesProblem[] = [];
  private moreProblems = 0;
  private readonly anomalies: AnomalyEvent[] = [];
  private open: AnomalyEvent | undefined;
  private openLastMs = 0;
  private first: string | undefined;
  private firstMs = 0;
  private stuckOpen = false;
  private last: string | undefined;
  private fatal: string | undefined;
  /** The open anomaly, if it began as a spike or dip: is it lasting (a level shift)? */
  private shift:
    | { up: boolean; before: number; scale: number; sum: number; count: number; broken: boolean }
    | undefined;

  constructor(
    private readonly onRow: (row: ScoredRow) => void = () => undefined,
    private readonly config: MetricDetectorConfig = DEFAULT_METRIC_DETECTOR_CONFIG,
    private readonly columns: SeriesColumns = {},
  ) {
    this.detector = new SeriesDetector(config);
  }

  /** The header line to write back (undefined until the layout is known). */
  get layoutKind(): SeriesLayout['kind'] | undefined {
    return this.layout?.kind;
  }

  private problem(line: number, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ line, message });
    else this.moreProblems++;
  }

  line(text: string, lineNo: number, truncated = false): void {
    if (this.fatal !== undefined) return;
    if (this.layout === undefined) {
      if (text.trim() === '') return;
      const l = detectLayout(text, this.columns);
      if (!l.ok) {
        this.fatal = `line ${lineNo}: ${l.message}`;
        return;
      }
      this.layout = l.layout;
      if (l.warning !== undefined) this.problem(lineNo, l.warning);
      if (l.headerRow) return;
    }
    if (text.trim() === '') return;
    if (truncated) {
      this.skip(lineNo, 'line too long (cut), skipped', '', '');
      return;
    }
    const r = parseRow(this.layout, text);
    if (!r.ok) {
      this.skip(lineNo, `${r.message}; row skipped`, r.timestamp, r.value);
      return;
    }
    if (r.t < this.lastMs) {
      this.skip(
        lineNo,
        `timestamp ${r.timestamp.trim()} is earlier than line ${this.lastLine}'s; out-of-order row skipped (sort the file to score it)`,
        r.timestamp,
        r.value,
      );
      return;
    }
    if (r.t === this.lastMs) {
      this.skip(
        lineNo,
        `timestamp ${r.timestamp.trim()} repeats line ${this.lastLine}'s; duplicate skipped`,
        r.timestamp,
        r.value,
      );
      return;
    }
    this.lastMs = r.t;
    this.lastLine = lineNo;
    this.points++;
    if (this.first === undefined) {
      this.first = r.timestamp;
      this.firstMs = r.t;
    }
    this.last = r.timestamp;
    const score = this.detector.push(r.t, r.x);
    let reason = '';
    if (score >= this.config.threshold) {
      reason = this.detector.reason();
      this.alert({
        timestamp: r.timestamp,
        ms: r.t,
        value: r.x,
        score,
        kind: this.detector.explain().kind,
        reason,
      });
    }
    this.followUp(r.t, r.x, r.timestamp);
    // a stuck value's anomaly lasts as long as the value does
    const o = this.open;
    if (o !== undefined && o.peak.kind === 'stuck' && r.x === o.peak.value && this.stuckOpen)
      o.end = r.timestamp;
    else this.stuckOpen = false;
    this.onRow({ timestamp: r.timestamp, value: r.value, score, reason });
  }

  private skip(line: number, message: string, timestamp: string, value: string): void {
    this.skipped++;
    this.problem(line, message);
    this.onRow({
      timestamp,
      value,
      score: undefined,
      reason: `skipped: ${message.replace(/; .*$/, '')}`,
    });
  }

  /**
   * A spike or dip whose next points stay beyond its baseline (by a scale unit, on the same
   * side) for SUSTAINED points is a level shift: the event gets that name and the levels before
   * and since, updated while the event is open.
   */
  private followUp(ms: number, x: number, timestamp: string): void {
    const o = this.open;
    const s = this.shift;
    if (o === undefined || s === undefined || s.broken || ms - this.openLastMs > this.mergeGap())
      return;
    if (ms === o.start.ms) return;
    const beyond = s.up ? x - s.before > s.scale : s.before - x > s.scale;
    if (!beyond) {
      s.broken = true;
      return;
    }
    s.sum += x;
    s.count++;
    if (s.count >= SUSTAINED) {
      const mean = (s.sum + o.start.value) / (s.count + 1);
      o.followUp = {
        timestamp,
        kind: 'level-shift',
        reason: `level shift: ${formatNumber(s.before)} before, ${formatNumber(mean)} on average since ${formatTime(o.start.ms)} (${s.count + 1} points)`,
      };
    }
  }

  private mergeGap(): number {
    return this.config.refractoryIntervals * Math.max(this.detector.intervalMs, 1);
  }

  private alert(p: AnomalyPoint): void {
    const o = this.open;
    // a value stuck for longer and longer is one anomaly however long it lasts
    const sameRun =
      o !== undefined && o.peak.kind === 'stuck' && p.kind === 'stuck' && o.peak.value === p.value;
    if (o !== undefined && (sameRun || p.ms - this.openLastMs <= this.mergeGap())) {
      o.points++;
      o.end = p.timestamp;
      if (p.score > o.peak.score) o.peak = p;
    } else {
      this.open = {
        start: p,
        peak: p,
        end: p.timestamp,
        points: 1,
        learning: p.ms - this.firstMs < LEARNING_MS,
      };
      this.stuckOpen = p.kind === 'stuck';
      this.anomalies.push(this.open);
      const e = this.detector.explain();
      this.shift =
        p.kind === 'spike' || p.kind === 'dip'
          ? {
              up: p.kind === 'spike',
              before: e.baseline,
              scale: e.scale,
              sum: 0,
              count: 0,
              broken: false,
            }
          : undefined;
    }
    this.openLastMs = p.ms;
  }

  finish(): SeriesSummary {
    let fatal = this.fatal;
    if (fatal === undefined && this.layout === undefined) fatal = 'the file is empty';
    else if (fatal === undefined && this.points === 0)
      fatal = `no row could be scored (${this.skipped} skipped)`;
    return {
      layout: this.layout?.kind,
      points: this.points,
      skipped: this.skipped,
      problems: this.problems,
      moreProblems: this.moreProblems,
      anomalies: this.anomalies,
      intervalMs: this.detector.intervalMs,
      first: this.first,
      last: this.last,
      fatal,
    };
  }
}
