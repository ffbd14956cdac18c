import { describe, expect, it } from 'vitest';
import { createBufferSource } from '../../adapters/sources/buffer-source.js';
import { analyzeSources } from './analyze-logs.js';

const T = Date.UTC(2026, 10, 20, 10, 0);

/** Lines every 5 s from minute `from` to minute `to`: `line(i, ms)` gives each one's level and message. */
function log(from: number, to: number, line: (i: number, ms: number) => string): string[] {
  const out: string[] = [];
  for (let ms = T + from * 60_000, i = 0; ms < T + to * 60_000; ms += 5_000, i++)
    out.push(`${new Date(ms).toISOString()} ${line(i, ms)}`);
  return out;
}

const source = (name: string, lines: string[]) =>
  createBufferSource(name, Buffer.from(`${lines.join('\n')}\n`));

describe('analyzeSources', () => {
  it('reads the files of one service as one log: a rotated copy and the live file give one finding per message, judged over both', async () => {
    const lines = log(0, 30, (i, ms) =>
      ms >= T + 22 * 60_000 && ms < T + 28 * 60_000
        ? `ERROR charge ch_${i} failed: pool exhausted`
        : `INFO charge ch_${i} captured`,
    );
    const report = await analyzeSources(
      [source('api.log', lines.slice(300)), source('api.log.1', lines.slice(0, 300))],
      { dateReference: 2026 },
    );
    const failed = report.findings.filter(
      (f) => f.template?.includes('failed') === true && f.kind === 'error-template',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]!.count).toBe(72);
    expect(failed[0]!.newSinceMs).toBe(T + 22 * 60_000);
    expect(failed[0]!.sources).toEqual(['api.log.1', 'api.log']);
    // the error burst is the service's, across its files
    const bursts = report.findings.filter((f) => f.kind === 'burst' && f.template === undefined);
    expect(bursts.map((b) => b.reason)).toEqual([
      expect.stringMatching(/^error burst in api\.log\.1, api\.log: 72 ERROR\+ lines/),
    ]);
    expect(report.summary.sources.map((s) => s.name)).toEqual(['api.log.1', 'api.log']);
  });

  it('judges each service against its own log: a service that began logging late has nothing new for it', async () => {
    const checkout = log(0, 30, (i) => `INFO order o${i} placed`);
    // payments started at 10:20 and warned from its first line: background for it, not new
    const payments = log(20, 30, (i) =>
      i % 3 === 0 ? `WARN charge ch_${i} slow` : `INFO charge ch_${i} captured`,
    );
    const report = await analyzeSources(
      [source('checkout.log', checkout), source('payments.log', payments)],
      { dateReference: 2026 },
    );
    const slow = report.findings.find((f) => f.template?.includes('slow') === true);
    expect(slow?.kind).toBe('warn-template');
    expect(slow?.newSinceMs).toBeUndefined();
    expect(report.incidents).toEqual([]);
  });
});
