import { MASK, canonicalToken, isCodeLocation, isDelimiterCode } from './token-masker.js';

/**
 * Online template miner of the Drain family (He et al., ICWS 2017) with changes where Drain
 * is known to fail:
 * - token-level merging keeps the constant part of a variable token (`uid=<*>`, `[<*>]`,
 *   `port:<*>`) instead of replacing the whole token;
 * - two different literal words never merge directly (over-general merges such as "closed" vs
 *   "reset"); a position becomes a variable once it has shown several distinct words, and
 *   ALL_CAPS enum words never do;
 * - clusters whose templates differ only in variables, or whose template is a special case of
 *   another's, are merged by `consolidate()` (before templates are reported);
 * - bounded: at most `maxClusters` clusters, least recently used evicted and counted.
 */
export interface TemplateMinerOptions {
  /** Share of constant tokens that must match for a line to join a cluster (Drain's st). */
  similarity?: number;
  /** Upper bound on clusters kept; the least recently used are evicted beyond it. */
  maxClusters?: number;
  /** Distinct first tokens per length bucket before further ones share a wildcard bucket (Drain's maxChild). */
  maxChildren?: number;
  /** Told about each cluster the LRU bound evicts (to drop what the caller keeps for it). */
  onEvict?: (c: Cluster) => void;
}

export interface Cluster {
  /** Miner-local id (dense, starts at 0); `TemplateParser` gives stable ids (a hash of the template text). */
  readonly id: number;
  readonly tokens: string[];
  /** For tokens holding `<*>` among constant text: the constant parts around each `<*>`. */
  readonly parts: (string[] | undefined)[];
  /** Distinct literal words seen at a position in lines that differed from this cluster only there. */
  readonly siblings: (Set<string> | undefined)[];
  count: number;
  lastUsed: number;
  /** Bumped whenever a token changes (lets callers cache the template text). */
  version: number;
  /** Set when this cluster was merged into another one. */
  mergedInto: Cluster | undefined;
  evicted: boolean;
}

const DEFAULTS = { similarity: 0.5, maxClusters: 50_000, maxChildren: 100 };
/**
 * Distinct literal words a position must show (in lines that differ from a template only there)
 * before it becomes a variable: two or three alternatives are usually different messages
 * ("view"/"modify", "password"/"none"), many are values (user names, hosts).
 */
const WORD_CARDINALITY = 3;

export class TemplateMiner {
  private readonly similarity: number;
  private readonly maxClusters: number;
  private readonly maxChildren: number;
  private readonly onEvict: ((c: Cluster) => void) | undefined;
  /** length -> first-token key -> clusters */
  private readonly buckets = new Map<number, Map<string, Cluster[]>>();
  private readonly all: Cluster[] = [];
  /** Masked line -> cluster, for lines seen before (bounded; rebuilt when full). */
  private readonly exact = new Map<string, Cluster>();
  /** The same for `match`, kept apart: matching must not see learning-time shortcuts after consolidation. */
  private readonly matched = new Map<string, Cluster>();
  private live = 0;
  private tick = 0;
  private evictedCount = 0;

  constructor(options: TemplateMinerOptions = {}) {
    this.similarity = options.similarity ?? DEFAULTS.similarity;
    this.maxClusters = options.maxClusters ?? DEFAULTS.maxClusters;
    this.maxChildren = options.maxChildren ?? DEFAULTS.maxChildren;
    this.onEvict = options.onEvict;
  }

  /** Clusters evicted by the LRU bound so far. */
  get evictions(): number {
    return this.evictedCount;
  }

  get clusterCount(): number {
    return this.live;
  }

  /** Learns from one line's masked tokens (first `n` of `tokens`) and returns its cluster. */
  add(tokens: readonly string[], n: number): Cluster {
    return this.insert(tokens, n, false)!;
  }

  /**
   * As `add`, but when the miner holds `maxClusters` already, a line that fits none of them is
   * refused (undefined) instead of evicting the least recently used: a tenant's template limit.
   */
  addIfRoom(tokens: readonly string[], n: number): Cluster | undefined {
    return this.insert(tokens, n, true);
  }

  private insert(tokens: readonly string[], n: number, refuse: boolean): Cluster | undefined {
    this.tick++;
    // the same masked line again: its cluster already covers it (clusters only generalise)
    const key = exactKey(tokens, n);
    const known = this.exact.get(key);
    if (known !== undefined && !known.evicted) {
      const c = follow(known);
      c.count++;
      c.lastUsed = this.tick;
      return c;
    }
    const c = this.addSlow(tokens, n, refuse);
    if (c === undefined) return undefined;
    if (this.exact.size >= EXACT_CACHE_SIZE) this.exact.clear();
    this.exact.set(key, c);
    return c;
  }

  private addSlow(tokens: readonly string[], n: number, refuse: boolean): Cluster | undefined {
    // full and refusing: no bucket made for a line that can only be refused
    const full = refuse && this.live >= this.maxClusters;
    const bucket = this.bucketFor(tokens, n, !full);
    if (bucket === undefined) return undefined;
    const best = this.bestMatch(bucket, tokens, n);
    if (best !== undefined) {
      this.absorb(best, tokens, n);
      best.count++;
      best.lastUsed = this.tick;
      return best;
    }
    if (full) return undefined;
    const c = this.create(tokens, n);
    bucket.push(c);
    if (this.live > this.maxClusters) this.evict();
    return c;
  }

  /** Finds the cluster a line belongs to without learning (second pass of `parse`). */
  match(tokens: readonly string[], n: number): Cluster | undefined {
    const key = exactKey(tokens, n);
    const known = this.matched.get(key);
    if (known !== undefined && !known.evicted) return follow(known);
    const found = this.matchSlow(tokens, n);
    if (found !== undefined) {
      if (this.matched.size >= EXACT_CACHE_SIZE) this.matched.clear();
      this.matched.set(key, found);
    }
    return found;
  }

  private matchSlow(tokens: readonly string[], n: number): Cluster | undefined {
    const bucket = this.bucketFor(tokens, n, false);
    if (bucket === undefined) return undefined;
    let best: Cluster | undefined;
    let bestScore = -1;
    for (const c of bucket) {
      const s = matchAll(c, tokens, n);
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    return best === undefined ? undefined : follow(best);
  }

  /** Clusters not evicted, including those merged into others (follow them with `follow`). */
  known(): Cluster[] {
    return this.all.filter((c) => !c.evicted);
  }

  /** All clusters that are alive (not evicted, not merged away). */
  clusters(): Cluster[] {
    return this.all.filter((c) => !c.evicted && c.mergedInto === undefined);
  }

  /**
   * Merges clusters whose template is a special case of another cluster's template of the same
   * length (equal where both are constant; the other has a variable where this one has a value).
   * Idempotent; call before reporting.
   */
  consolidate(): void {
    this.matched.clear();
    for (const byKey of this.buckets.values()) {
      for (const list of byKey.values()) this.consolidateList(list);
    }
    // across first-token keys of one length: special cases of a wildcard-first template
    for (const byKey of this.buckets.values()) {
      const wild: Cluster[] = [];
      for (const [key, list] of byKey)
        if (key === MASK || key.startsWith('*\u0001')) wild.push(...list);
      if (wild.length === 0) continue;
      for (const [key, list] of byKey) {
        if (key === MASK || key.startsWith('*\u0001')) continue;
        for (const c of list) {
          if (c.mergedInto !== undefined || c.evicted) continue;
          for (const g of wild) {
            if (g !== c && g.mergedInto === undefined && !g.evicted && generalises(g, c)) {
              mergeInto(c, g);
              break;
            }
          }
        }
      }
    }
  }

  private consolidateList(list: Cluster[]): void {
    for (const c of list) {
      if (c.mergedInto !== undefined || c.evicted) continue;
      for (const g of list) {
        if (g === c || g.mergedInto !== undefined || g.evicted) continue;
        if (generalises(g, c)) {
          mergeInto(c, g);
          break;
        }
      }
    }
  }

  private bucketFor(tokens: readonly string[], n: number, create: boolean): Cluster[] | undefined {
    let byKey = this.buckets.get(n);
    if (byKey === undefined) {
      if (!create) return undefined;
      byKey = new Map();
      this.buckets.set(n, byKey);
    }
    let key = n === 0 ? '' : keyToken(tokens[0]!);
    // Drain's depth: when the first token is a variable, the second one keys the bucket
    if (key === MASK && n > 1) {
      const second = keyToken(tokens[1]!);
      if (second !== MASK) key = '*\u0001' + second;
    }
    let list = byKey.get(key);
    if (list === undefined) {
      if (!create) return byKey.get(MASK);
      if (byKey.size >= this.maxChildren) key = MASK;
      list = byKey.get(key);
      if (list === undefined) {
        list = [];
        byKey.set(key, list);
      }
    }
    return list;
  }

  private bestMatch(bucket: Cluster[], tokens: readonly string[], n: number): Cluster | undefined {
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    let sibling: Cluster | undefined;
    let siblingPos = -1;
    let siblingSim = -1;
    for (const c of bucket) {
      if (c.mergedInto !== undefined || c.evicted) continue;
      const r = similarity(c, tokens, n);
      if (r.wordDiffs === 0) {
        if (r.sim > bestSim || (r.sim === bestSim && r.params > bestParams)) {
          best = c;
          bestSim = r.sim;
          bestParams = r.params;
        }
      } else if (r.wordDiffs === 1 && r.sim > siblingSim) {
        sibling = c;
        siblingPos = r.diffPos;
        siblingSim = r.sim;
      }
    }
    // all-variable lines (and empty ones) join the same cluster
    if (
      best !== undefined &&
      (n === 0 || bestSim >= this.similarity || (bestParams === n && bestSim === 0))
    )
      return best;
    // a line that differs from a template in one word only: the word becomes a variable once
    // the position has shown enough distinct words
    if (sibling !== undefined && siblingSim + 1 / n >= this.similarity) {
      const tok = tokens[siblingPos]!;
      const own = sibling.tokens[siblingPos]!;
      if (isEnumWord(middleOf(own, tok)) || isEnumWord(middleOf(tok, own))) return undefined;
      let seen = sibling.siblings[siblingPos];
      if (seen === undefined) {
        seen = new Set([own]);
        sibling.siblings[siblingPos] = seen;
      }
      if (seen.size < 16) seen.add(tok);
      if (seen.size >= WORD_CARDINALITY) {
        setToken(sibling, siblingPos, canonicalToken(mergeTokens(own, tok)));
        sibling.siblings[siblingPos] = undefined;
        return sibling;
      }
    }
    return undefined;
  }

  private absorb(c: Cluster, tokens: readonly string[], n: number): void {
    for (let i = 0; i < n; i++) {
      const t = c.tokens[i]!;
      const tok = tokens[i]!;
      if (t === tok || t === MASK) continue;
      const p = c.parts[i];
      if (p !== undefined && fitsParts(p, tok)) continue;
      setToken(c, i, canonicalToken(mergeTokens(t, tok)));
    }
  }

  private create(tokens: readonly string[], n: number): Cluster {
    const c: Cluster = {
      id: this.all.length,
      tokens: new Array<string>(n),
      parts: new Array<string[] | undefined>(n),
      siblings: new Array<Set<string> | undefined>(n),
      count: 1,
      lastUsed: this.tick,
      version: 0,
      mergedInto: undefined,
      evicted: false,
    };
    for (let i = 0; i < n; i++) setToken(c, i, tokens[i]!);
    this.all.push(c);
    this.live++;
    return c;
  }

  /** Evicts the least recently used tenth of the clusters (amortised; counted in `evictions`). */
  private evict(): void {
    const alive = this.all.filter((c) => !c.evicted && c.mergedInto === undefined);
    alive.sort((a, b) => a.lastUsed - b.lastUsed);
    const drop = Math.max(1, Math.floor(this.maxClusters / 10));
    for (let i = 0; i < drop && i < alive.length; i++) {
      alive[i]!.evicted = true;
      this.onEvict?.(alive[i]!);
    }
    this.evictedCount += Math.min(drop, alive.length);
    this.live -= Math.min(drop, alive.length);
    for (const byKey of this.buckets.values()) {
      for (const [key, list] of byKey) {
        const kept = list.filter((c) => !c.evicted);
        if (kept.length === 0) byKey.delete(key);
        else if (kept.length !== list.length) byKey.set(key, kept);
      }
    }
    // keep the id table bounded too: evicted clusters are only referenced by callers that hold them
    if (this.all.length > this.maxClusters * 4) {
      const keep = this.all.filter((c) => !c.evicted);
      this.all.length = 0;
      this.all.push(...keep);
    }
  }
}

/** The cluster a (possibly merged) cluster now lives in. */
export function follow(c: Cluster): Cluster {
  let x = c;
  while (x.mergedInto !== undefined) x = x.mergedInto;
  return x;
}

function mergeInto(c: Cluster, g: Cluster): void {
  c.mergedInto = g;
  g.count += c.count;
  if (c.lastUsed > g.lastUsed) g.lastUsed = c.lastUsed;
}

const EXACT_CACHE_SIZE = 1 << 16;

function exactKey(tokens: readonly string[], n: number): string {
  let k = '';
  for (let i = 0; i < n; i++) k += tokens[i]! + '\u0001';
  return k;
}

function keyToken(tok: string): string {
  if (tok === MASK || tok.indexOf('<*>') >= 0) return MASK;
  // a code location (Class#line) keys its own bucket: lines of other loggers never join it
  if (tok.indexOf('#') > 0 && isCodeLocation(tok)) return tok;
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) return MASK;
  }
  return tok;
}

function setToken(c: Cluster, i: number, t: string): void {
  c.tokens[i] = t;
  c.version++;
  c.parts[i] = t !== MASK && t.indexOf(MASK) >= 0 ? t.split(MASK) : undefined;
}

/** True when `tok` has the constant parts of a template token, in order, with room for the variables. */
export function fitsParts(parts: readonly string[], tok: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!tok.startsWith(first) || !tok.endsWith(last)) return false;
  let pos = first.length;
  const end = tok.length - last.length;
  if (end < pos) return false;
  for (let k = 1; k < parts.length - 1; k++) {
    const part = parts[k]!;
    const at = tok.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** A literal token that is not a value by itself: no digits, no variable. */
function isLiteralWord(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 60 /* < of <*> */) return false;
  }
  return true;
}

/**
 * Two literal tokens whose differing middle (between a common prefix and suffix cut at
 * delimiters) is a word or nothing on both sides: `closed`/`reset`, `(uid=0)`/`LOGIN(uid=0)`.
 * Such a difference is a different message, not a value, until the position shows many words.
 */
function differsInWords(a: string, b: string): boolean {
  if (a === MASK || b === MASK) return false;
  cutCommon(a, b);
  const p = cutPrefix;
  const ea = a.length - cutSuffix;
  const eb = b.length - cutSuffix;
  if (ea === p && eb === p) return false;
  return isWordRange(a, p, ea) && isWordRange(b, p, eb);
}

function isWordRange(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    const l = c | 32;
    if ((l < 97 || l > 122) && c !== 95) return false;
  }
  return true;
}

/** The part of `a` that differs from `b` (between their delimiter-cut common prefix and suffix). */
function middleOf(a: string, b: string): string {
  const merged = mergeTokens(a, b);
  const at = merged.indexOf(MASK);
  if (at < 0) return a;
  return a.slice(at, a.length - (merged.length - at - MASK.length));
}

/** ALL_CAPS words (states, event types, enum values) are constants, never values. */
function isEnumWord(t: string): boolean {
  if (t.length < 2) return false;
  let letters = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 65 && c <= 90) letters++;
    else if (c !== 95) return false;
  }
  return letters >= 2;
}

interface Sim {
  sim: number;
  params: number;
  /** Positions where the template and the line hold two different literal words. */
  wordDiffs: number;
  diffPos: number;
}
const simOut: Sim = { sim: 0, params: 0, wordDiffs: 0, diffPos: -1 };

function similarity(c: Cluster, tokens: readonly string[], n: number): Sim {
  let same = 0;
  let params = 0;
  let wordDiffs = 0;
  let diffPos = -1;
  for (let i = 0; i < n; i++) {
    const t = c.tokens[i]!;
    const tok = tokens[i]!;
    if (t === MASK) {
      // a value the masker already recognised fits a variable position as well as a constant fits itself
      if (tok === MASK) same++;
      else params++;
      continue;
    }
    if (t === tok) {
      same++;
      continue;
    }
    const p = c.parts[i];
    if (p !== undefined && fitsParts(p, tok)) {
      same++;
      continue;
    }
    if (tok !== MASK && (differsInWords(t, tok) || (isLiteralWord(t) && isLiteralWord(tok)))) {
      wordDiffs++;
      diffPos = i;
    }
  }
  simOut.sim = n === 0 ? 1 : same / n;
  simOut.params = params;
  simOut.wordDiffs = wordDiffs;
  simOut.diffPos = diffPos;
  return simOut;
}

/** Score for matching (no learning): lines must fit every constant token. */
function matchAll(c: Cluster, tokens: readonly string[], n: number): number {
  if (c.evicted) return -1;
  let same = 0;
  for (let i = 0; i < n; i++) {
    const t = c.tokens[i]!;
    const tok = tokens[i]!;
    if (t === MASK) continue;
    if (t === tok) {
      same += 2;
      continue;
    }
    const p = c.parts[i];
    if (p !== undefined && fitsParts(p, tok)) {
      same += 1;
      continue;
    }
    // raw (unmasked) lines may differ only where the template has a variable: partial credit
    same -= 4;
  }
  return same;
}

/** True when template `g` covers every line template `c` covers. */
function generalises(g: Cluster, c: Cluster): boolean {
  let strictly = false;
  for (let i = 0; i < g.tokens.length; i++) {
    const gt = g.tokens[i]!;
    const ct = c.tokens[i]!;
    if (gt === ct) continue;
    if (gt === MASK) {
      strictly = true;
      continue;
    }
    const p = g.parts[i];
    if (p !== undefined && fitsParts(p, ct)) {
      strictly = true;
      continue;
    }
    return false;
  }
  return strictly;
}

/**
 * Merges two different tokens into one template token: the constant prefix up to a delimiter
 * and the constant suffix from a delimiter stay, the rest becomes `<*>` (`uid=0`, `uid=<*>`).
 */
export function mergeTokens(a: string, b: string): string {
  if (a === b) return a;
  if (a === MASK || b === MASK) return MASK;
  cutCommon(a, b);
  if (cutPrefix === 0 && cutSuffix === 0) return MASK;
  return a.slice(0, cutPrefix) + MASK + a.slice(a.length - cutSuffix);
}

/** Lengths set by `cutCommon` (scratch values: the hot path allocates nothing). */
let cutPrefix = 0;
let cutSuffix = 0;

/** The common prefix (ending with a delimiter) and suffix (starting with one) of two tokens. */
function cutCommon(a: string, b: string): void {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  while (p > 0 && !isDelimiterCode(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  while (s > 0 && !isDelimiterCode(a.charCodeAt(a.length - s))) s--;
  cutPrefix = p;
  cutSuffix = s;
}

/** The template text of a cluster (canonical, single-spaced). */
export function templateText(c: Cluster): string {
  return c.tokens.join(' ');
}

/**
 * The values a line has where its template has variables, in order. `raw` are the line's
 * unmasked tokens aligned with the template tokens.
 */
export function extractParams(
  templateTokens: readonly string[],
  raw: readonly string[],
  n: number,
  out: string[] = [],
): string[] {
  for (let i = 0; i < n && i < templateTokens.length; i++) {
    const t = templateTokens[i]!;
    const r = raw[i]!;
    if (t === r) continue;
    if (t === MASK) {
      out.push(r);
      continue;
    }
    if (t.indexOf(MASK) < 0) continue;
    // template token with constant parts: the gaps between them are the values
    const parts = t.split(MASK);
    let pos = 0;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      if (k === 0) {
        pos = r.startsWith(part) ? part.length : 0;
        continue;
      }
      const next =
        k === parts.length - 1
          ? r.endsWith(part) && r.length - part.length >= pos
            ? r.length - part.length
            : -1
          : part === ''
            ? pos
            : r.indexOf(part, pos);
      if (next < 0) {
        out.push(r.slice(pos));
        break;
      }
      out.push(r.slice(pos, next));
      pos = next + part.length;
    }
  }
  return out;
}
