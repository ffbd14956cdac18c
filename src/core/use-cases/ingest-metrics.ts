import type { Finding } from '../domain/finding.js';
import type { LogResource } from '../domain/log-record.js';
import { seriesKey } from '../domain/metric-point.js';
import type { MetricPoint } from '../domain/metric-point.js';
import { fnv1a64Hex } from '../domain/hash.js';
import { DEFAULT_METRIC_DETECTOR_CONFIG } from '../engine/metrics/detector-config.js';
import type { MetricDetectorConfig } from '../engine/metrics/detector-config.js';
import { SeriesDetector } from '../engine/metrics/series-detector.js';
import type { TelemetryBatch, TelemetryWriterPort } from '../ports/telemetry-store.port.js';
import { Lru } from '../domain/lru.js';

export interface MetricIngestOptions {
  store: TelemetryWriterPort;
  config?: MetricDetectorConfig;
  /** Series kept with detector state; the least recently seen beyond it are evicted and counted. */
  maxSeries?: number;
}

export interface IngestResult {
  stored: number;
  findings: Finding[];
  /** Points stored but not scored: older than their series' last point, or a counter's first point or reset. */
  unscored: number;
}

interface SeriesState {
  detector: SeriesDetector;
  lastMs: number;
  /** Last total of a cumulative counter (its rate is what gets scored). */
  lastTotal: number;
}

export const DEFAULT_MAX_SERIES = 50_000;

/** `cpu{core="1"} · checkout/checkout-7d9f-abcde` */
export function describeSeries(name: string, labels: string, resource: LogResource): string {
  const l =
    labels === '{}'
      ? ''
      : `{${Object.entries(JSON.parse(labels) as Record<string, unknown>)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}}`;
  const where = [resource.service, resource.pod ?? resource.host].filter(
    (x): x is string => x !== undefined && x !== '',
  );
  return `${name}${l}${where.length > 0 ? ` · ${where.join('/')}` : ''}`;
}

/**
 * Metrics as they arrive: every point is stored; each series has its own streaming detector,
 * and a point that reaches the threshold becomes a `metric-anomaly` finding with its reason,
 * stored in the same transaction as the points. Monotonic cumulative counters are scored on
 * their per-second rate. Callers serialise calls (the server's ingest queue does).
 */
export class MetricIngest {
  private readonly series: Lru<string, SeriesState>;
  private readonly config: MetricDetectorConfig;

  constructor(private readonly options: MetricIngestOptions) {
    this.config = options.config ?? DEFAULT_METRIC_DETECTOR_CONFIG;
    this.series = new Lru(options.maxSeries ?? DEFAULT_MAX_SERIES);
  }

  /** Series evicted from detector state so far (their next point starts a fresh detector). */
  get evictedSeries(): number {
    return this.series.evictions;
  }

  get trackedSeries(): number {
    return this.series.size;
  }

  /** Scores and stores (one transaction). */
  async ingest(tenant: string, points: readonly MetricPoint[]): Promise<IngestResult> {
    const { batch, result } = this.score(tenant, points);
    await this.options.store.append(tenant, batch);
    return result;
  }

  /**
   * Scores the points (detector state advances) and returns the batch to write: points and
   * findings together. For callers that write themselves (the server's group commit).
   */
  score(
    tenant: string,
    points: readonly MetricPoint[],
  ): { batch: TelemetryBatch; result: IngestResult } {
    const ordered = [...points].sort((a, b) => a.timeMs - b.timeMs);
    const findings: Finding[] = [];
    let unscored = 0;
    for (const p of ordered) {
      const key = `${tenant}\u0000${seriesKey(p)}`;
      let s = this.series.get(key);
      if (s === undefined) {
        s = { detector: new SeriesDetector(this.config), lastMs: -Infinity, lastTotal: NaN };
        this.series.set(key, s);
      }
      if (p.timeMs <= s.lastMs) {
        unscored++;
        continue;
      }
      let x = p.value;
      if (p.cumulative === true) {
        const prev = s.lastTotal;
        const dt = (p.timeMs - s.lastMs) / 1000;
        s.lastTotal = p.value;
        if (!(p.value >= prev) || !Number.isFinite(dt)) {
          s.lastMs = p.timeMs;
          unscored++;
          continue;
        }
        x = (p.value - prev) / dt;
      }
      s.lastMs = p.timeMs;
      const score = s.detector.push(p.timeMs, x);
      if (score >= this.config.threshold) {
        const what =
          describeSeries(p.name, p.labels, p.resource) +
          (p.cumulative === true ? ' (rate per second)' : '');
        findings.push({
          id: fnv1a64Hex(`${seriesKey(p)}\u0000${p.timeMs}`),
          kind: 'metric-anomaly',
          timeMs: p.timeMs,
          score,
          reason: `${what}: ${s.detector.reason()}`,
          subject: { metric: p.name, labels: p.labels, resource: p.resource },
          detail: s.detector.explain().kind,
          evidence: [{ timeMs: p.timeMs, value: x }],
        });
      }
    }
    return {
      batch: { metrics: points, findings },
      result: { stored: points.length, findings, unscored },
    };
  }
}
