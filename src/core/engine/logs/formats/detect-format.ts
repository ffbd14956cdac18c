import type { HeaderLayout } from '../header-layout.js';
import { createAccessLogFormat } from './access-log-format.js';
import { createCriFormat, createDockerJsonFormat } from './container-formats.js';
import { csvFormatFromHeader } from './csv-format.js';
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
  dateReference: number;
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
  const y = options.dateReference;
  const lines = sample.filter((l) => l.trim().length > 0);
  let outer: LineFormat | undefined;
  // a CSV export: its header row names a message column
  const csv = lines.length > 1 ? csvFormatFromHeader(lines[0]!, y) : undefined;
  if (csv !== undefined && share(lines.slice(1), (l) => csv.parse(l) !== undefined) >= 0.6)
    outer = csv;
  for (const candidate of outer === undefined
    ? [createDockerJsonFormat(y), createCriFormat(y)]
    : []) {
    if (lines.length > 0 && share(lines, (l) => candidate.parse(l) !== undefined) >= 0.6) {
      outer = candidate;
      break;
    }
  }
  const inner =
    outer === undefined
      ? lines
      : lines.flatMap((l) => {
          const o = outer.parse(l);
          return o === undefined ? [l] : o.skip === true ? [] : [o.message];
        });
  if (options.layout !== undefined) {
    const f = createLayoutFormat(options.layout, y);
    return { outer, inner: f, headered: true, label: labelOf(outer, 'layout') };
  }
  const candidates: LineFormat[] = [
    createJsonFormat(y),
    createKlogFormat(y),
    createAccessLogFormat(y),
    createSyslogFormat(y),
    createLogfmtFormat(y),
    createHeaderFormat(y),
  ];
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
      if (o.skip === true) return o;
      const inner =
        unwrapJson(f.inner.parse(o.message), f.inner, fallback) ??
        (f.inner === fallback ? undefined : fallback.parse(o.message)) ??
        plainLine(o.message);
      inner.timeMs ??= o.timeMs;
      inner.service ??= o.service;
      inner.stream ??= o.stream;
      inner.partial = o.partial;
      return inner;
    }
  }
  return (
    unwrapJson(f.inner.parse(line), f.inner, fallback) ??
    (f.inner === fallback ? undefined : fallback.parse(line)) ??
    plainLine(line)
  );
}

/**
 * A JSON record without a level whose message is itself a header line (container runtime JSON
 * inside a CSV export, or shipped by an agent): the header gives the level and logger.
 */
function unwrapJson(
  p: ParsedLine | undefined,
  format: LineFormat,
  fallback: LineFormat,
): ParsedLine | undefined {
  if (p === undefined || format.name !== 'json' || p.severity !== 0) return p;
  const h = fallback.parse(p.message);
  if (h === undefined || h.severity === 0) return p;
  h.timeMs ??= p.timeMs;
  h.service ??= p.service;
  h.stream ??= p.stream;
  return h;
}
