import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import { AppError } from '../../core/errors.js';
import type { LineSink, LogSource, ReadOutcome } from '../../core/ports/log-source.port.js';
import { DEFAULT_MAX_LINE_LENGTH, readLines } from './line-reader.js';

export interface InputProblem {
  input: string;
  error: AppError;
}

export interface ExpandedInputs {
  /** Files to read, in a stable order ('-' is stdin). */
  files: string[];
  problems: InputProblem[];
  /** Files of a directory left out as plainly not logs (by name), with why; a file named on its own is always read. */
  /** Left out: plainly not a log by its name, or matched by an --exclude pattern. */
  skipped: { path: string; reason: string; by: 'name' | 'exclude' }[];
}

const DOCUMENT_NAME =
  /^(licen[cs]e|copying|notice|authors|contributors|citation|readme|changelog|changes|code_of_conduct|security)(\.[a-z]+)?$|\.(md|markdown|rst|adoc|cff|pdf|docx?|odt)$/i;
const IMAGE_NAME = /\.(png|jpe?g|gif|svg|webp|bmp|ico|tiff?)$/i;
const BINARY_NAME =
  /\.(zip|tar|tgz|7z|rar|xz|bz2|zst|jar|war|whl|class|so|dylib|dll|exe|o|a|pyc|wasm)$/i;

/** Why a file met in a directory is plainly not a log, by its name alone; undefined when it may be one. */
export function notALogByName(name: string): string | undefined {
  if (DOCUMENT_NAME.test(name)) return 'a licence, citation or documentation file';
  if (IMAGE_NAME.test(name)) return 'an image';
  if (BINARY_NAME.test(name)) return 'an archive or a binary';
  return undefined;
}

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Turns command-line inputs into files: a file as is, a directory recursively (hidden
 * files and folders skipped), a glob pattern, '-' for stdin. Missing inputs are problems,
 * reported while the others go on.
 */
export async function expandInputs(
  inputs: readonly string[],
  options: { exclude?: readonly string[] } = {},
): Promise<ExpandedInputs> {
  const files: string[] = [];
  const problems: InputProblem[] = [];
  const skipped: ExpandedInputs['skipped'] = [];
  const seen = new Set<string>();
  // --exclude: a pattern without a slash matches the file's name, one with a slash its path
  const excluders = (options.exclude ?? []).map((pattern) => ({
    pattern,
    test: picomatch(pattern, { basename: !pattern.includes('/'), dot: true }),
  }));
  const add = (f: string) => {
    const key = resolve(f);
    if (seen.has(key)) return;
    seen.add(key);
    const hit = f === '-' ? undefined : excluders.find((x) => x.test(f) || x.test(key));
    if (hit === undefined) files.push(f);
    else skipped.push({ path: f, reason: `excluded by --exclude '${hit.pattern}'`, by: 'exclude' });
  };
  for (const input of inputs) {
    if (input === '-') {
      add('-');
      continue;
    }
    let st;
    try {
      st = await stat(input);
    } catch (err) {
      if (GLOB_CHARS.test(input)) {
        const matches = (
          await glob(input, {
            onlyFiles: true,
            dot: false,
            expandDirectories: false,
            absolute: isAbsolute(input),
          })
        ).sort();
        if (matches.length === 0)
          problems.push({
            input,
            error: new AppError('INPUT.NOT_FOUND', `${input}: no file matches this pattern`, {
              input,
            }),
          });
        for (const m of matches) add(m);
        continue;
      }
      const code = (err as NodeJS.ErrnoException).code;
      problems.push({
        input,
        error:
          code === 'ENOENT'
            ? new AppError('INPUT.NOT_FOUND', `${input}: no such file or directory`, { input })
            : new AppError(
                'INPUT.UNREADABLE',
                `${input}: cannot read (${code ?? (err as Error).message})`,
                { input },
                err,
              ),
      });
      continue;
    }
    if (st.isDirectory()) {
      const before = skipped.length;
      const found = await walk(input, problems, skipped);
      if (found.length === 0)
        problems.push({
          input,
          error: new AppError(
            'INPUT.NOT_FOUND',
            skipped.length > before
              ? `${input}: the directory holds no file to read (${skipped.length - before} left out by name, such as ${basename(skipped[before]!.path)}: name a file to read it anyway)`
              : `${input}: the directory holds no files`,
            { input },
          ),
        });
      for (const f of found) add(f);
    } else add(input);
  }
  return { files, problems, skipped };
}

async function walk(
  dir: string,
  problems: InputProblem[],
  skipped: ExpandedInputs['skipped'],
): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({
      input: dir,
      error: new AppError(
        'INPUT.UNREADABLE',
        `${dir}: cannot list (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { input: dir },
        err,
      ),
    });
    return out;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, problems, skipped)));
    else if (e.isFile()) {
      const reason = notALogByName(e.name);
      if (reason === undefined) out.push(p);
      else skipped.push({ path: p, reason, by: 'name' });
    }
  }
  return out;
}

export interface SourceOptions {
  maxLineLength?: number;
  onProgress?: (bytes: number) => void;
  /** Standard input stream (injected; only main.ts touches process.stdin). */
  stdin?: Readable;
  /** Display name, when the path is not what the user should see (a spooled copy of stdin). */
  name?: string;
}

/** A file (or '-' for stdin) as a LogSource. Read errors are values, never throws. */
export function createFileSource(path: string, options: SourceOptions = {}): LogSource {
  const name = options.name ?? (path === '-' ? 'stdin' : relativeName(path));
  return {
    name,
    async read(sink: LineSink): Promise<ReadOutcome> {
      const readerOptions = {
        maxLineLength: options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      };
      if (path === '-') {
        if (options.stdin === undefined)
          return {
            status: 'failed',
            error: new AppError('INPUT.UNREADABLE', 'stdin is not available', {}),
            value: { bytes: 0, lines: 0 },
          };
        return readLines(name, options.stdin, sink, readerOptions);
      }
      const stream = createReadStream(path, { highWaterMark: 256 * 1024 });
      const opened = await new Promise<Error | undefined>((resolve) => {
        stream.once('open', () => {
          resolve(undefined);
        });
        stream.once('error', (e) => {
          resolve(e);
        });
      });
      if (opened !== undefined) {
        const code = (opened as NodeJS.ErrnoException).code;
        const error =
          code === 'ENOENT'
            ? new AppError('INPUT.NOT_FOUND', `${name}: no such file`, { source: name })
            : code === 'EISDIR'
              ? new AppError('INPUT.UNREADABLE', `${name}: is a directory`, { source: name })
              : new AppError(
                  'INPUT.UNREADABLE',
                  `${name}: cannot open (${code ?? opened.message})`,
                  { source: name },
                  opened,
                );
        return { status: 'failed', error, value: { bytes: 0, lines: 0 } };
      }
      try {
        return await readLines(name, stream, sink, readerOptions);
      } finally {
        stream.destroy();
      }
    },
  };
}

function relativeName(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' || r.startsWith('..') ? p : r;
}
