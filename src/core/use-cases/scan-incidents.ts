import type { Finding } from '../domain/finding.js';
import type { Incident } from '../domain/incident.js';
import { detectIncidents } from '../engine/insight/incidents.js';
import type { InsightConfig } from '../engine/insight/insight-config.js';
import { DEFAULT_INSIGHT_CONFIG } from '../engine/insight/insight-config.js';
import type { InsightSource } from './insight-data.js';
import { loadInsightData } from './insight-data.js';

export interface IncidentScan {
  fromMs: number;
  toMs: number;
  /** 'around' for a retrospective look (data on both sides), 'past' for live detection. */
  reference: 'past' | 'around';
  referenceMs: number;
  nowMs?: number;
}

/** The incidents in a time range of the store, with their ranked causes; `findingsOut` receives the findings behind abnormal minutes. */
export async function scanIncidents(
  store: InsightSource,
  tenant: string,
  scan: IncidentScan,
  config: InsightConfig = DEFAULT_INSIGHT_CONFIG,
  findingsOut?: Finding[],
): Promise<Incident[]> {
  const b = config.bucketMs;
  const fromMs = Math.floor(scan.fromMs / b) * b;
  const toMs = Math.ceil(scan.toMs / b) * b;
  const range = {
    fromMs: fromMs - scan.referenceMs,
    toMs: scan.reference === 'past' ? toMs : toMs + scan.referenceMs,
  };
  const data = await loadInsightData(store, tenant, range, { fromMs, toMs }, config);
  return detectIncidents(
    {
      scan: { fromMs, toMs },
      ...data,
      reference: scan.reference,
      referenceMs: scan.referenceMs,
      ...(scan.nowMs === undefined ? {} : { nowMs: scan.nowMs }),
      ...(findingsOut === undefined ? {} : { findingsOut }),
    },
    config,
  );
}
