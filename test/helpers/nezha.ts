import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED, tempDir } from './run-cli.js';

const NEZHA = join(SHARED, 'nezha-trainticket');

/** A slice of the Nezha data: two faults (contacts at 08:58, basic at 09:03), the baseline minute, three pods' metrics. */
export function nezhaSlice(): string {
  const dir = tempDir('bifrost-nezha-');
  const copy = (from: string, to: string) => {
    mkdirSync(join(dir, to, '..'), { recursive: true });
    copyFileSync(join(NEZHA, from), join(dir, to));
  };
  for (const m of ['08_58', '08_59', '09_00', '09_03', '09_04', '09_05']) {
    copy(`log/${m}_log.csv.gz`, `log/${m}_log.csv.gz`);
    copy(`trace/${m}_trace.csv.gz`, `trace/${m}_trace.csv.gz`);
  }
  copy('baseline/log/08_50_log.csv.gz', 'baseline/log/08_50_log.csv.gz');
  copy('baseline/trace/08_50_trace.csv.gz', 'baseline/trace/08_50_trace.csv.gz');
  for (const f of readdirSync(join(NEZHA, 'metric')).filter((n) =>
    /^ts-(basic|contacts|travel)-service-/.test(n),
  ))
    copy(`metric/${f}`, `metric/${f}`);
  return dir;
}
