import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary folder of a test run (stores, copies of benchmark data, servers' homes, the
 * CLI's caches) goes under one folder, removed when the run ends: TMPDIR is set before the test
 * processes start, and they and the commands they spawn inherit it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'bifrost-tests-'));
  process.env.TMPDIR = root;
  return () => {
    rmSync(root, { recursive: true, force: true });
  };
}
