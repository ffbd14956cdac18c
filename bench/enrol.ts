/**
 * Cost of one enrolment's cryptography (hybrid X25519 + ML-KEM-768 exchange), in process: the
 * host's hello (two key pairs, an HMAC), the server's answer (encapsulation, X25519, HKDF,
 * AES-256-GCM seal), the host's opening (decapsulation, X25519, HKDF, open) and the server's check
 * of the confirmation; and the size of each message as sent (JSON). The time of a whole enrolment
 * over HTTP is what `bifrost enrol -o json` prints (its "ms").
 *
 * Run: npm run bench:enrol [-- --runs 200]   (writes bench/results/enrol.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  hybridEnrolCrypto,
  startEnrolment,
  tokenKeyOf,
} from '../src/adapters/crypto/hybrid-enrolment.js';
import { resultsDir } from './paths.js';

const i = process.argv.indexOf('--runs');
const runs = i >= 0 ? Number(process.argv[i + 1]) : 200;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('--runs takes a whole number ≥ 1\n');
  process.exit(2);
}
const id = 'BenchId1';
const secret = Buffer.alloc(32, 1).toString('base64url');
const verifier = tokenKeyOf(id, secret).toString('hex');
const payload = JSON.stringify({
  key: `bfk_AAAAAAAA_${'x'.repeat(43)}`,
  id: 'AAAAAAAA',
  tenant: 'shop',
  scope: 'ingest',
});
const steps = {
  hello: [] as number[],
  answer: [] as number[],
  open: [] as number[],
  confirm: [] as number[],
};
let sizes = { hello: 0, reply: 0, confirm: 0 };
for (let r = 0; r < runs + 20; r++) {
  const t0 = performance.now();
  const host = startEnrolment(`bfe_${id}_${secret}`, 'node-1');
  const t1 = performance.now();
  if (!hybridEnrolCrypto.helloValid(host.hello, verifier)) throw new Error('hello did not verify');
  const answer = hybridEnrolCrypto.answer(host.hello, verifier, 'session', payload);
  const t2 = performance.now();
  const { confirm } = host.open(answer.reply);
  const t3 = performance.now();
  if (!hybridEnrolCrypto.confirmValid(confirm, answer.confirmKey, answer.transcript))
    throw new Error('confirmation did not verify');
  const t4 = performance.now();
  // the first 20 warm the JIT
  if (r >= 20) {
    steps.hello.push(t1 - t0);
    steps.answer.push(t2 - t1);
    steps.open.push(t3 - t2);
    steps.confirm.push(t4 - t3);
  }
  sizes = {
    hello: JSON.stringify(host.hello).length,
    reply: JSON.stringify(answer.reply).length,
    confirm: JSON.stringify(confirm).length,
  };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const row = (name: string, xs: number[]) =>
  `${name.padEnd(40)} ${median(xs).toFixed(2).padStart(7)} ms`;
const total = steps.hello.map(
  (_, k) => steps.hello[k]! + steps.answer[k]! + steps.open[k]! + steps.confirm[k]!,
);
console.log(
  `Enrolment cryptography, median of ${runs} exchanges (one core, Node ${process.versions.node}):\n`,
);
console.log(row('host: hello (key pairs, HMAC)', steps.hello));
console.log(row('server: answer (encaps, X25519, seal)', steps.answer));
console.log(row('host: open (decaps, X25519, open)', steps.open));
console.log(row('server: check the confirmation', steps.confirm));
console.log(row('all four', total));
console.log(
  `\nmessages as sent (JSON, base64url): hello ${sizes.hello} B, reply ${sizes.reply} B, confirmation ${sizes.confirm} B`,
);
mkdirSync(resultsDir(), { recursive: true });
writeFileSync(
  join(resultsDir(), 'enrol.json'),
  JSON.stringify(
    {
      runs,
      medianMs: {
        hello: median(steps.hello),
        answer: median(steps.answer),
        open: median(steps.open),
        confirm: median(steps.confirm),
        total: median(total),
      },
      bytes: sizes,
    },
    null,
    2,
  ) + '\n',
);
