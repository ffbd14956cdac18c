import type { HeaderLayout } from '../header-layout.js';
import { createAccessLogFormat } from './access-log-format.js';
import { createCriFormat, createDockerJsonFormat } from './container-formats.js';
import { createHeaderFormat } from './header-format.js';
import { createJsonFormat } from './json-format.js';
import { createKlogFormat } from './klog-format.js';
import { createLayoutFormat } from './layout-format.js';
import { createLogfmtFormat } from './logfmt-format.js';
import { plainLine } from './parsed-line.js';
import type { FormatName, LineFormat, ParsedLine } from './parsed-line.js';
import { createSyslogFormat } from './syslog-format.js';

export interface FormatOptions {
  /** Year for formats that do not write one (syslog, klog). */
  referenceYear: number;
  /** A layout the user stated (`--header`); skips detection of the inner format. */
  layout?: HeaderLayout | undefined;
}

/** What detection decided for one source. */
export interface DetectedFormat {
  /** Container wrapper (docker json-file, CRI) around the application's lines, if any. */
  readonly outer: LineFormat | undefined;
  readonly inner: LineFormat;
  /** True when most lines carry a header: then header-less lines continue the record before. */
  readonly headered: boolean;
  /** e.g. "cri+json", "syslog", "plain". */
  readonly label: string;
}

/** Lines sampled from the start of a source to decide its format. */
export const DETECT_SAMPLE_LINES = 200;

/**
 * Picks the format of a source from a sample of its first lines: first a container wrapper
 * (if most lines are wrapped), then the application format of the (unwrapped) lines, by the
 * share of lines each candidate parses with a header. No flags needed; `layout` overrides.
 */
export function detectFormat(sample: readonly string[], options: FormatOptions): DetectedFormat {
  const y = options.referenceYear;
  const lines = sample.filter((l) => l.trim().length > 0);
  let outer: LineFormat | undefined;
  for (const candidate of [createDockerJsonFormat(y), createCriFormat(y)]) {
    if (lines.length > 0 && share(lines, (l) => candidate.parse(l) !== undefined) >= 0.6) {
      outer = candidate;
      break;
    }
  }
  const inner = outer === undefined ? lines : lines.map((l) => outer.parse(l)?.message ?? l);
  if (options.layout !== undefined) {
    const f = createLayoutFormat(options.layout, y);
    return { outer, inner: f, headered: true, label: labelOf(outer, 'layout') };
  }
  const candidates: LineFormat[] = [createJsonFormat(y), createKlogFormat(y), createAccessLogFormat(y), createSyslogFormat(y), createLogfmtFormat(y), createHeaderFormat(y)];
  let best: LineFormat | undefined;
  let bestShare = 0;
  for (const c of candidates) {
    const s = share(inner, (l) => c.parse(l)?.hasHeader === true);
    if (s > bestShare + 0.05) {
      best = c;
      bestShare = s;
    }
  }
  if (best === undefined || bestShare < 0.2) {
    // no recognisable header: still try the generic header per line (mixed files)
    const header = createHeaderFormat(y);
    return { outer, inner: header, headered: false, label: labelOf(outer, 'plain') };
  }
  return { outer, inner: best, headered: bestShare >= 0.5, label: labelOf(outer, best.name) };
}

function labelOf(outer: LineFormat | undefined, inner: FormatName): string {
  return outer === undefined ? inner : `${outer.name}+${inner}`;
}

function share(lines: readonly string[], ok: (l: string) => boolean): number {
  if (lines.length === 0) return 0;
  let n = 0;
  for (const l of lines) if (ok(l)) n++;
  return n / lines.length;
}

/**
 * Parses one physical line with a source's detected format. Never fails: a line that fits
 * neither the source's format nor the generic header is a plain (header-less) line.
 */
export function parseLine(f: DetectedFormat, line: string, fallback: LineFormat): ParsedLine {
  if (f.outer !== undefined) {
    const o = f.outer.parse(line);
    if (o !== undefined) {
      const inner = f.inner.parse(o.message) ?? (f.inner === fallback ? undefined : fallback.parse(o.message)) ?? plainLine(o.message);
      inner.timeMs ??= o.timeMs;
      inner.stream = o.stream;
      inner.partial = o.partial;
      return inner;
    }
  }
  return f.inner.parse(line) ?? (f.inner === fallback ? undefined : fallback.parse(line)) ?? plainLine(line);
}
