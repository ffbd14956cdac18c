/** The JSON shape of an incident, as `bifrost incidents --output json`, the REST API and the SSE stream show it. */

import type { Incident } from '../core/domain/incident.js';
import { incidentTimes } from '../core/domain/incident.js';
import { isoTime as iso } from '../core/domain/time-text.js';

/** An incident with ISO times and its MTTD/MTTR. */
export function incidentView(i: Incident) {
  const { mttdMs, mttrMs } = incidentTimes(i);
  return {
    ...i,
    firstSymptom: iso(i.firstSymptomMs),
    detected: iso(i.detectedMs),
    lastSymptom: iso(i.lastSymptomMs),
    ...(i.resolvedMs === undefined ? {} : { resolved: iso(i.resolvedMs) }),
    ...(i.acknowledgedMs === undefined ? {} : { acknowledged: iso(i.acknowledgedMs) }),
    mttdMs,
    ...(mttrMs === undefined ? {} : { mttrMs }),
  };
}

export type IncidentView = ReturnType<typeof incidentView>;
