/** The JSON shape of a root-cause answer, as `bifrost rca --output json` and `GET /api/v1/rca` show it. */

import { isoTime as iso } from '../core/domain/time-text.js';
import type { RcaResult } from '../core/use-cases/root-cause-analysis.js';

/** `{"at": "…", "candidates": [{"service", "score", "reasons", "evidence"}], "notes": […]}`, the first `top` candidates. */
export function rcaView(r: RcaResult, top: number) {
  return {
    at: iso(r.atMs),
    window: { from: iso(r.window.fromMs), to: iso(r.window.toMs) },
    reference: { from: iso(r.reference.fromMs), to: iso(r.reference.toMs) },
    candidates: r.candidates.slice(0, top).map((c) => ({
      service: c.service,
      score: c.score,
      reasons: c.reasons,
      explains: c.explains,
      explainedBy: c.explainedBy,
      evidence: c.evidence,
    })),
    notes: r.notes,
  };
}

export type RcaView = ReturnType<typeof rcaView>;
