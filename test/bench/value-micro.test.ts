/**
 * bench/value-micro.ts as a user runs it: checks what it reports (every kind, its bytes checked
 * against JSON.stringify, what is left to it), never how fast either is.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('value-micro reports every kind of number, the same bytes as JSON.stringify, and leaves almost none to it', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'value-micro.ts'), '20000', '1'], {
    encoding: 'utf8',
    timeout: 120_000,
    cwd: ROOT,
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const kinds = [...r.stdout.matchAll(/^(.+): writeValue (\d+), JSON\.stringify (\d+) \(([\d.]+)%\); left to JSON\.stringify (\d+) of 20000$/gm)];
  assert.deepEqual(
    kinds.map((m) => m[1]),
    ['prices as venues print them', 'times in seconds, with ms', 'counts', 'window returns', 'summed traded volumes', 'spreads (ask - bid)', 'indicators (an EMA of a walk)'],
    r.stdout,
  );
  // The kinds that need 16-17 digits are written by writeValue's own paths, not JSON.stringify's.
  for (const m of kinds.slice(3)) assert.ok(Number(m[5]) < 20, `${m[1]}: ${m[5]} left to JSON.stringify`);
  assert.match(r.stdout, /^same bytes as JSON\.stringify: yes$/m);
});
