import type { Incident } from '../api/types.js';
import { shortTime } from '../logic/format.js';

/** An incident's timeline as a list: time (of day when on the first symptom's day), kind, service, text. */
export function IncidentEvents({ incident }: { incident: Incident }) {
  return (
    <ol className="timeline">
      {incident.timeline.map((e, i) => (
        <li key={i} className={`ev ${e.kind}`}>
          <time>{shortTime(e.timeMs, incident.firstSymptomMs)}</time>{' '}
          <span className="kind">{e.kind}</span>{' '}
          {e.service === undefined ? '' : <strong>{e.service}</strong>} {e.text}
        </li>
      ))}
    </ol>
  );
}
