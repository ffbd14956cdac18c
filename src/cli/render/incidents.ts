import type { Incident } from '../../core/domain/incident.js';
import { incidentTimes } from '../../core/domain/incident.js';
import { formatDuration } from '../../core/engine/metrics/reasons.js';
import { clip, isoTime, plural } from './format.js';
import type { Terminal } from './terminal.js';

/** `bifrost incidents` as text: each incident, its abnormal services and its first causes. */
export function renderIncidents(
  incidents: Incident[],
  range: { fromMs: number; toMs: number } | undefined,
  t: Terminal,
): string {
  if (range === undefined)
    return 'The store is empty: load data with bifrost import or bifrost serve first.\n';
  const lines = [
    t.colors.bold(
      `${plural(incidents.length, 'incident')} between ${isoTime(range.fromMs).slice(0, 16)} and ${isoTime(range.toMs).slice(0, 16)} UTC`,
    ),
  ];
  for (const i of incidents) {
    const { mttrMs } = incidentTimes(i);
    lines.push(
      '',
      `${t.colors.bold(i.id)}  ${i.status}  ${isoTime(i.firstSymptomMs).slice(0, 19)} → ${isoTime(i.lastSymptomMs).slice(11, 19)}${mttrMs === undefined ? '' : `  (resolved after ${formatDuration(mttrMs)})`}  peak ${i.peakScore.toFixed(2)}`,
    );
    lines.push(clip(`  abnormal: ${i.services.join(', ')}`, t.columns));
    i.causes.slice(0, 3).forEach((c, k) => {
      lines.push(
        clip(`  ${k + 1}. ${c.service} ${c.score.toFixed(2)} — ${c.reasons[0] ?? ''}`, t.columns),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
