/** A text cut into plain parts and citations of evidence ids ("[e1]", "[e1, e2]"), to link each id to its evidence. */
export type Part = { text: string } | { cite: string };

export function withCitations(text: string): Part[] {
  const out: Part[] = [];
  const re = /\[((?:[a-z]\d+)(?:\s*,\s*[a-z]\d+)*)\]/g;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    for (const id of m[1]!.split(',')) out.push({ cite: id.trim() });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
