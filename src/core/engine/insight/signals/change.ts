import type { FoundSignal, SignalSource } from './signal.js';

export const changeSignals: SignalSource = ({ input, config }) => {
  const { fromMs, toMs } = input.window;
  const out: FoundSignal[] = [];
  // cluster changes (rollouts, restarts, OOM kills…) shortly before or during the window: alone
  // they are not trouble, but they make a service with symptoms a likelier cause
  for (const f of input.findings) {
    if (f.kind !== 'change' || f.timeMs < fromMs - config.changeLookbackMs || f.timeMs >= toMs)
      continue;
    const service = f.subject.resource.service ?? '';
    out.push({
      service,
      signal: {
        kind: 'change',
        score: config.changeWeight * f.score,
        reason: `recent change: ${f.reason}`,
        ref: { type: 'change', findingId: f.id, change: f.detail, timeMs: f.timeMs },
        onsetMs: f.timeMs,
      },
    });
  }
  return out;
};
