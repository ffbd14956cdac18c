import type { InsightConfig } from '../insight-config.js';
import type { EvidenceInput, SignalContext } from './signal.js';
import { logsByService, spansByService } from './signal.js';

/**
 * The warm-up buckets (warmUpSteady): the first with data, system-wide, after one without and
 * after some data before that (a pause, not the beginning of the data), where traffic is steady (most buckets with data follow one with data); none where it is not. Not a
 * symptom in the window; left in the reference, where they are part of usual life (taking them
 * out made a noisy service's usual slow end lower and opened an incident in a fault-free run).
 */
export function warmUpBuckets(
  { windowBuckets, refBuckets, hasData }: DataBuckets,
  config: InsightConfig,
): (bucketMs: number) => boolean {
  let total = 0;
  let follow = 0;
  for (const set of [windowBuckets, refBuckets])
    for (const b of set) {
      total++;
      if (hasData(b - config.bucketMs)) follow++;
    }
  if (total === 0 || follow < config.warmUpSteady * total) return () => false;
  // after a pause, not at the beginning: some data came before the gap (a capture that just began says nothing of one)
  let first = Infinity;
  for (const set of [windowBuckets, refBuckets]) for (const b of set) first = Math.min(first, b);
  return (b) => b > first && hasData(b) && !hasData(b - config.bucketMs);
}

/** The buckets with any log or span, system-wide, in the window and around it. */
export interface DataBuckets {
  windowBuckets: Set<number>;
  refBuckets: Set<number>;
  hasData: (bucketMs: number) => boolean;
}

export function dataBuckets(input: Pick<EvidenceInput, 'window' | 'logs' | 'spans'>): DataBuckets {
  const { fromMs, toMs } = input.window;
  const windowBuckets = new Set<number>();
  const refBuckets = new Set<number>();
  for (const rows of [input.logs, input.spans])
    for (const r of rows)
      (r.bucketMs >= fromMs && r.bucketMs < toMs ? windowBuckets : refBuckets).add(r.bucketMs);
  return { windowBuckets, refBuckets, hasData: (b) => windowBuckets.has(b) || refBuckets.has(b) };
}

/** The window's warm-up buckets (warmUpBuckets), oldest first: for saying which minutes were not judged. */
export function windowWarmUps(
  input: Pick<EvidenceInput, 'window' | 'logs' | 'spans'>,
  config: InsightConfig,
): number[] {
  const data = dataBuckets(input);
  const warmUp = warmUpBuckets(data, config);
  return [...data.windowBuckets].filter(warmUp).sort((a, b) => a - b);
}

/** The context every signal source reads, built once per evidence run. */
export function signalContext(input: EvidenceInput, config: InsightConfig): SignalContext {
  const { fromMs, toMs } = input.window;
  const data = dataBuckets(input);
  const { hasData } = data;
  return {
    input,
    config,
    inWindow: (b) => b >= fromMs && b < toMs,
    windowBuckets: data.windowBuckets,
    refBuckets: data.refBuckets,
    hasData,
    warmUp: warmUpBuckets(data, config),
    whole: (b) => hasData(b - config.bucketMs) && hasData(b + config.bucketMs),
    logsByService: logsByService(input.logs),
    spansByService: spansByService(input.spans),
  };
}
