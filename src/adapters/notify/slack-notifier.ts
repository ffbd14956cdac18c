import type { IncidentNotice, NotifierPort } from '../../core/ports/notifier.port.js';
import { postOrThrow, redactUrl } from './http-post.js';

const ICON: Record<string, string> = {
  opened: ':rotating_light:',
  reopened: ':rotating_light:',
  updated: ':mag:',
  acknowledged: ':eyes:',
  resolved: ':white_check_mark:',
  test: ':wave:',
};

/** The message: what changed, since when, the top causes with their first reason. */
export function slackMessage(n: IncidentNotice): { text: string; blocks: unknown[] } {
  const i = n.incident;
  const head = `${ICON[n.type] ?? ''} Incident ${n.type}: ${i.title}`.trim();
  const since = new Date(i.firstSymptomMs).toISOString().replace('T', ' ').slice(0, 16);
  const lines = [
    `*${i.status}* since ${since} UTC · abnormal: ${i.services.slice(0, 8).join(', ')}${i.services.length > 8 ? ` and ${i.services.length - 8} more` : ''}`,
  ];
  i.causes
    .slice(0, 3)
    .forEach((c, k) =>
      lines.push(`${k + 1}. *${c.service}* (${c.score.toFixed(2)}) — ${c.reasons[0] ?? ''}`),
    );
  if (n.link !== undefined) lines.push(`<${n.link}|${i.id}>`);
  return {
    text: head,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${head}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900) } },
    ],
  };
}

/** A Slack incoming webhook (https://hooks.slack.com/services/…). */
export function createSlackNotifier(
  webhookUrl: string,
  options: { timeoutMs?: number } = {},
): NotifierPort {
  return {
    name: `slack ${redactUrl(webhookUrl)}`,
    send: (n) =>
      postOrThrow(webhookUrl, JSON.stringify(slackMessage(n)), {}, options.timeoutMs ?? 10_000),
  };
}
