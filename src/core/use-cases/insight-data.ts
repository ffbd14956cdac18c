import type { Finding } from '../domain/finding.js';
import type { InsightConfig } from '../engine/insight/insight-config.js';
import type { TelemetryAggregates } from '../engine/insight/evidence.js';
import { SEVERITY } from '../domain/severity.js';
import type {
  EdgeStats,
  PeerCallStats,
  ServiceEdge,
  ServiceMention,
  ServiceMetricStats,
  ServiceSpanStats,
  ServiceTemplateCount,
  TelemetryInsightPort,
  TelemetryRecordsPort,
} from '../ports/telemetry-store.port.js';

const MAX_FINDINGS = 20_000;

/** What the insight engine reads from a store: the aggregates, and the findings among its records. */
export type InsightSource = TelemetryInsightPort & Pick<TelemetryRecordsPort, 'findings'>;

/** What the insight engine reads from the store for a time range: the aggregates, and the service graph. */
export interface InsightData extends TelemetryAggregates {
  logs: ServiceTemplateCount[];
  spans: ServiceSpanStats[];
  edges: ServiceEdge[];
  calls: EdgeStats[];
  peers: PeerCallStats[];
  findings: Finding[];
  mentions: ServiceMention[];
  /** Read when asked for (rca reads them; incident scans use the findings). */
  metrics?: ServiceMetricStats[];
}

/** The findings the insight engine reads in a range: metric anomalies, and cluster changes from changeLookbackMs earlier; all pages (bounded). */
async function findingsIn(
  store: Pick<TelemetryRecordsPort, 'findings'>,
  tenant: string,
  fromMs: number,
  toMs: number,
  config: InsightConfig,
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const [kind, from] of [
    ['metric-anomaly', fromMs],
    ['change', fromMs - config.changeLookbackMs],
  ] as const) {
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await store.findings(tenant, {
        fromMs: from,
        toMs,
        kind,
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      out.push(...page.items);
      n += page.items.length;
      cursor = page.next;
    } while (cursor !== undefined && n < MAX_FINDINGS);
  }
  return out;
}

/**
 * Log counts, span RED, the service graph, calls per bucket and findings of [fromMs, toMs), in config.bucketMs
 * buckets: the inputs of rca and incident scans. Records that name another service are only
 * read for `mentionRange` (the window or scan itself: the reference around it has no use for them).
 */
export async function loadInsightData(
  store: InsightSource,
  tenant: string,
  range: { fromMs: number; toMs: number },
  mentionRange: { fromMs: number; toMs: number },
  config: InsightConfig,
  options: { metrics?: boolean } = {},
): Promise<InsightData> {
  const window = { ...range, bucketMs: config.bucketMs };
  const [logs, { spans, edges, calls }, peers, findings, metrics] = await Promise.all([
    store.serviceTemplateCounts(tenant, window),
    store.spanAggregates(tenant, window),
    store.peerCalls(tenant, window),
    findingsIn(store, tenant, range.fromMs, range.toMs, config),
    options.metrics === true ? store.serviceMetricStats(tenant, window) : undefined,
  ]);
  // the services seen, looked for in the warnings and errors of the others
  const names = new Set<string>();
  for (const r of logs) if (r.service !== '') names.add(r.service);
  for (const r of spans) if (r.service !== '') names.add(r.service);
  const mentions = await store.serviceMentions(tenant, {
    ...mentionRange,
    bucketMs: config.bucketMs,
    names: [...names],
    minSeverity: SEVERITY.WARN,
  });
  return {
    logs,
    spans,
    edges,
    calls,
    peers,
    findings,
    mentions,
    ...(metrics === undefined ? {} : { metrics }),
  };
}
