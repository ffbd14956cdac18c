/** A versioned prompt: the system text and the user text with `{{context}}` where the context goes. */
export interface PromptTemplate {
  kind: 'incident' | 'logs';
  version: string;
  system: string;
  user: string;
}

export const promptId = (p: PromptTemplate): string => `${p.kind}@${p.version}`;

export function renderPrompt(p: PromptTemplate, context: string): string {
  return p.user.replace('{{context}}', () => context);
}

/**
 * Reads a prompt file: a `=== system ===` section and a `=== user ===` section holding
 * `{{context}}`. Returns the problem in words when the file is not laid out so.
 */
export function parsePromptFile(
  kind: PromptTemplate['kind'],
  version: string,
  text: string,
): PromptTemplate | string {
  const m = /^=== system ===\s*\n([\s\S]*?)\n=== user ===\s*\n([\s\S]*)$/m.exec(
    text.replace(/\r\n/g, '\n'),
  );
  if (m === null)
    return 'expected a "=== system ===" line, the system text, a "=== user ===" line and the user text';
  const system = m[1]!.trim();
  const user = m[2]!.trim();
  if (!user.includes('{{context}}'))
    return 'the user text must contain {{context}} (where the evidence goes)';
  if (system === '') return 'the system text is empty';
  return { kind, version, system, user };
}
