/**
 * Recognises an exception or panic in a (multi-line) record body and returns its type and
 * top frame: the frame where it was thrown (Java/Node/Go: the first frame; Python: the last).
 */
export interface ExceptionInfo {
  type: string;
  message: string;
  /** Top frame (function and location) or '' when the trace has none. */
  frame: string;
  language: 'java' | 'python' | 'go' | 'node' | 'unknown';
}

const JAVA_TYPE =
  /(?:^|\s|: )([a-zA-Z_$][\w$.]*\.[A-Z][\w$]*(?:Exception|Error|Throwable|Failure))(?::\s?(.*))?$/m;
const JAVA_FRAME = /^\s+at ([\w$.<>/]+)\(([^)]*)\)/m;
const NODE_FRAME = /^\s+at (?:(\S+) \()?([^()\s]+:\d+:\d+)\)?$/m;
const PY_FRAME = /^\s+File "([^"]+)", line (\d+), in (\S+)/gm;
const PY_TYPE = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)):?\s?(.*)$/m;
const NODE_TYPE = /^(?:Uncaught )?([A-Z]\w*Error|Error)(?: \[[A-Z_]+\])?: (.*)$/m;
const GO_PANIC = /^(panic|fatal error): (.*)$/m;
const GO_FRAME = /^([\w./*()-]+)\(.*\)\n\t([^\s]+)/m;

/** Only the head of a huge record is examined: bounded work per record. */
const MAX_SCAN = 16 * 1024;

export function findException(fullBody: string): ExceptionInfo | undefined {
  const body = fullBody.length > MAX_SCAN ? fullBody.slice(0, MAX_SCAN) : fullBody;
  if (body.indexOf('\n') < 0 && !/Exception|Error|panic/.test(body)) return undefined;
  if (body.includes('Traceback (most recent call last)')) {
    let frame = '';
    for (const m of body.matchAll(PY_FRAME)) frame = `${m[3]} (${basename(m[1]!)}:${m[2]})`;
    const lines = body.split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const t = PY_TYPE.exec(lines[i]!);
      if (t !== null && !lines[i]!.startsWith(' '))
        return { type: t[1]!, message: t[2] ?? '', frame, language: 'python' };
    }
    return { type: 'Traceback', message: '', frame, language: 'python' };
  }
  const go = GO_PANIC.exec(body);
  if (go !== null && body.includes('goroutine ')) {
    const f = GO_FRAME.exec(body.slice(body.indexOf('goroutine ')));
    const msg = go[2]!;
    const type =
      go[1] === 'panic'
        ? `panic: ${msg.split(':')[0]!.slice(0, 60)}`
        : `fatal error: ${msg.slice(0, 60)}`;
    return {
      type,
      message: msg,
      frame: f === null ? '' : `${f[1]} (${basename(f[2]!.replace(/ \+0x[0-9a-f]+$/, ''))})`,
      language: 'go',
    };
  }
  const j = JAVA_FRAME.exec(body);
  const jt = JAVA_TYPE.exec(body);
  if (jt !== null && (j !== null || body.indexOf('\n') < 0)) {
    return {
      type: jt[1]!,
      message: jt[2] ?? '',
      frame: j === null ? '' : `${j[1]} (${j[2]})`,
      language: 'java',
    };
  }
  const nt = NODE_TYPE.exec(body);
  const nf = NODE_FRAME.exec(body);
  if (nt !== null && nf !== null) {
    return {
      type: nt[1]!,
      message: nt[2] ?? '',
      frame: `${nf[1] ?? '<anonymous>'} (${basename(nf[2]!)})`,
      language: 'node',
    };
  }
  if (jt !== null) return { type: jt[1]!, message: jt[2] ?? '', frame: '', language: 'java' };
  return undefined;
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i >= 0 ? p.slice(i + 1) : p;
}

const ERROR_WORDS =
  /\b(error|errors|exception|fatal|panic|failed|failure|fail|fails|crash(?:ed)?|refused|denied|unreachable|timed? ?out|oomkilled|out of memory|segfault|abort(?:ed)?|unavailable|killed|cannot|can't|could not|unable to)\b/i;
const WARN_WORDS =
  /\b(warn|warning|retry(?:ing)?|retries|deprecated|slow|degraded|throttl\w*|back-?off|dropp(?:ed|ing)|evict\w*|exceeded|invalid|not found|unexpected)\b/i;

/** Severity a template's words suggest, for records whose format carries no level (0 = nothing). */
export function inferSeverityFromText(text: string): 0 | 13 | 17 {
  if (ERROR_WORDS.test(text)) return 17;
  if (WARN_WORDS.test(text)) return 13;
  return 0;
}
