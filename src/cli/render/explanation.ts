import type { Explanation } from '../../core/domain/explanation.js';
import type { Colors } from './terminal.js';
import { num, plural } from './format.js';

const cite = (ids: readonly string[]) => (ids.length === 0 ? '' : ` [${ids.join(', ')}]`);

function kinds(r: Record<string, number>): string {
  return Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

/** One line on what the model was shown: size, what was included, left out, redacted. */
export function contextLine(e: Explanation): string {
  const c = e.context;
  const parts = [`context ~${num(c.tokensEstimate)} tokens (${num(c.chars)} chars)`];
  const inc = kinds(c.included);
  if (inc !== '') parts.push(`included ${inc}`);
  const om = kinds(c.omitted);
  if (om !== '') parts.push(`left out for the budget ${om}`);
  const red = kinds(c.redacted);
  parts.push(red === '' ? 'nothing to redact' : `redacted ${red}`);
  return parts.join('; ');
}

/** The explanation for a person (text) or a document (markdown); the deterministic report is printed before it. */
export function renderExplanation(
  e: Explanation,
  format: 'text' | 'markdown',
  colors: Colors,
): string {
  const md = format === 'markdown';
  const h = (s: string) => (md ? `## ${s}` : colors.bold(s));
  const who = e.provider === undefined ? '' : `${e.provider} ${e.model ?? ''}, `;
  const meta = `${who}prompt ${e.prompt}${e.cached ? ', from the cache' : ''}${e.usage.inputTokens + e.usage.outputTokens > 0 ? `, ${num(e.usage.inputTokens)} + ${num(e.usage.outputTokens)} tokens` : ''}${e.attempts > 1 ? `, ${plural(e.attempts, 'attempt')}` : ''}`;
  const lines: string[] = ['', h(`Explanation (${meta})`)];
  if (e.status === 'unavailable') {
    lines.push(
      `${md ? '' : colors.yellow('unavailable: ')}${md ? 'Unavailable: ' : ''}${e.note ?? ''}`,
    );
    return `${lines.join('\n')}\n`;
  }
  const a = e.answer;
  if (e.status === 'inconclusive')
    lines.push(`${md ? '**Inconclusive**' : colors.yellow('inconclusive')}: ${e.note ?? ''}`);
  if (a !== undefined) {
    lines.push(a.summary, '');
    if (a.probableCause.text !== '')
      lines.push(
        `${md ? '**Probable cause**' : colors.bold('Probable cause')}${a.probableCause.service === '' ? '' : ` (${a.probableCause.service})`}: ${a.probableCause.text}${cite(a.probableCause.citations)}`,
      );
    if (a.issues.length > 0) {
      lines.push(md ? '\n**Issues**' : colors.bold('Issues'));
      for (const i of a.issues)
        lines.push(`- ${i.text}${md ? cite(i.citations) : colors.dim(cite(i.citations))}`);
    }
    if (a.suggestions.length > 0) {
      lines.push(md ? '\n**What to do next**' : colors.bold('What to do next'));
      for (const s of a.suggestions)
        lines.push(`- ${s.text}${md ? cite(s.citations) : colors.dim(cite(s.citations))}`);
    }
    lines.push(`${md ? '\n' : ''}confidence: ${a.confidence}`);
  }
  lines.push(md ? `\n_${contextLine(e)}_` : colors.dim(contextLine(e)));
  return `${lines.join('\n')}\n`;
}

/**
 * Shows the answer's "summary" while it streams in: the model writes JSON, and a person wants
 * the words, not the braces. Returns the onText callback and a finish() that ends the line.
 */
export function summaryStreamer(write: (s: string) => void): {
  onText: (chunk: string) => void;
  finish: () => void;
} {
  let buf = '';
  let shown = 0;
  let started = false;
  return {
    onText(chunk) {
      buf += chunk;
      const m = /"summary"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(buf);
      if (m === null) return;
      let text = m[1]!;
      // a trailing lone backslash is the first half of an escape
      if (text.endsWith('\\') && !text.endsWith('\\\\')) text = text.slice(0, -1);
      let decoded: string;
      try {
        decoded = JSON.parse(`"${text}"`) as string;
      } catch {
        return;
      }
      if (decoded.length > shown) {
        if (!started) write('  ');
        started = true;
        write(decoded.slice(shown));
        shown = decoded.length;
      }
    },
    finish() {
      if (started) write('\n');
    },
  };
}
