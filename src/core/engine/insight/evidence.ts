/**
 * Each service's own evidence of trouble in a window: every signal source under `signals/` (one
 * file per kind) measures the service against its usual behaviour in the reference around the
 * window; the signals of a service are combined as independent evidence.
 */
import type { InsightConfig } from './insight-config.js';
import { changeSignals } from './signals/change.js';
import { signalContext } from './signals/context.js';
import { errorSignals } from './signals/errors.js';
import { externalSignals } from './signals/external.js';
import { flowSignals } from './signals/flow.js';
import { latencySignals } from './signals/latency.js';
import { logSignals } from './signals/logs.js';
import { metricFindingSignals } from './signals/metric-findings.js';
import { metricShiftSignals } from './signals/metric-shift.js';
import { networkSignals } from './signals/network.js';
import type { EvidenceInput, ServiceEvidence, Signal, SignalSource } from './signals/signal.js';
import { NO_SERVICE, combineSignals } from './signals/signal.js';
import { silentSignals } from './signals/silent.js';
import { stoppedCallSignals } from './signals/stopped-calls.js';
import { unansweredSignals } from './signals/unanswered.js';

export type {
  EvidenceInput,
  EvidenceRef,
  PerRequest,
  ServiceEvidence,
  Signal,
  TelemetryAggregates,
} from './signals/signal.js';
export { NO_SERVICE, combineSignals, ms, names, quote } from './signals/signal.js';
export { windowWarmUps } from './signals/context.js';
export { externalEdges, peerAnswerers } from './signals/peers.js';

/** Every kind of evidence, in the order a service's signals are gathered (the order does not change the result). */
export const SIGNAL_SOURCES: readonly SignalSource[] = [
  logSignals,
  flowSignals,
  stoppedCallSignals,
  latencySignals,
  errorSignals,
  networkSignals,
  unansweredSignals,
  externalSignals,
  silentSignals,
  metricFindingSignals,
  metricShiftSignals,
  changeSignals,
];

/**
 * Each service's own evidence of trouble in the window, each signal measured against the
 * service's usual behaviour in the reference buckets (those with data outside the window).
 * Deterministic and pure.
 */
export function serviceEvidence(input: EvidenceInput, config: InsightConfig): ServiceEvidence[] {
  const context = signalContext(input, config);
  const signals = new Map<string, Signal[]>();
  for (const source of SIGNAL_SOURCES)
    for (const { service: named, signal } of source(context)) {
      if (signal.score <= 0) continue;
      // records without a service name are still trouble, under a name a person can read
      const service = named === '' ? NO_SERVICE : named;
      let l = signals.get(service);
      if (l === undefined) signals.set(service, (l = []));
      l.push(signal);
    }
  const out: ServiceEvidence[] = [];
  for (const [service, list] of signals) {
    list.sort((a, b) => b.score - a.score || (a.reason < b.reason ? -1 : 1));
    out.push({ service, score: combineSignals(list), signals: list });
  }
  return out.sort((a, b) => b.score - a.score || (a.service < b.service ? -1 : 1));
}
