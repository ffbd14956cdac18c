import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogsJson, decodeLogsProtobuf } from './otlp-logs.js';
import { decodeMetricsJson, decodeMetricsProtobuf } from './otlp-metrics.js';
import { decodeTracesJson, decodeTracesProtobuf } from './otlp-traces.js';
import { requests, validProtobuf } from '../../../test/helpers/otlp-arbitraries.js';

/**
 * Property-based fuzzing of the three OTLP decoders, JSON and protobuf: random bytes, random
 * JSON, and structure-aware requests (the OTLP shape with hostile values in every field: huge
 * and negative numbers, numbers as text past 64 bits, wrong types, long strings, deep values,
 * broken ids). Whatever arrives, a decoder answers (ok with items and rejections, or a reason)
 * and never throws: a throw would be a 500 at the server. FUZZ_RUNS sets the runs (default 300).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type Decode = (b: Buffer) => { ok: boolean };
const DECODERS: [string, Decode, Decode][] = [
  ['logs', decodeLogsJson, decodeLogsProtobuf],
  ['metrics', decodeMetricsJson, decodeMetricsProtobuf],
  ['traces', decodeTracesJson, decodeTracesProtobuf],
];

/** A decoder's answer is a value, whatever the body. */
function answers(decode: Decode, body: Buffer): boolean {
  const r = decode(body);
  return typeof r.ok === 'boolean';
}

describe('OTLP decoders under fuzzing (fast-check): an answer for every body, never a throw', () => {
  for (const [signal, json, proto] of DECODERS) {
    it(`${signal}: random bytes and random JSON, either encoding`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
          const b = Buffer.from(bytes);
          return answers(json, b) && answers(proto, b);
        }),
        { numRuns: RUNS },
      );
      fc.assert(
        fc.property(fc.json(), (text) => answers(json, Buffer.from(text))),
        { numRuns: RUNS },
      );
    });

    it(`${signal}: the OTLP shape with hostile values in every field (JSON)`, () => {
      fc.assert(
        fc.property(requests[signal]!, (req) => answers(json, Buffer.from(JSON.stringify(req)))),
        { numRuns: RUNS },
      );
    });

    it(`${signal}: a valid protobuf request with bytes flipped, cut or inserted`, () => {
      const valid = validProtobuf(signal);
      expect(proto(Buffer.from(valid))).toMatchObject({ ok: true, rejected: 0 });
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              fc.nat({ max: valid.length - 1 }),
              fc.integer({ min: 0, max: 255 }),
              fc.nat({ max: 2 }),
            ),
            { minLength: 1, maxLength: 6 },
          ),
          (edits) => {
            let b = Buffer.from(valid);
            for (const [at, byte, op] of edits) {
              const i = Math.min(at, b.length - 1);
              if (op === 0) b[i] = byte;
              else if (op === 1) b = b.subarray(0, i);
              else b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
              if (b.length === 0) break;
            }
            return answers(proto, b);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});
