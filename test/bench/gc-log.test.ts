import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const preload = fileURLToPath(new URL('../../bench/gc-log.ts', import.meta.url));

test('the GC log preload records a blocked event loop, forced collections and the heap spaces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gc-log-'));
  try {
    // A full collection of a heap of ~2M objects (tens of ms), then 60 ms with the loop blocked.
    const script = `const keep = Array.from({ length: 2000000 }, (_, i) => ({ i }));
      setTimeout(() => { gc(); gc(); const t = Date.now(); while (Date.now() - t < 60); setTimeout(() => console.log(keep.length), 20); }, 20);`;
    execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', preload, '-e', script], {
      env: { ...process.env, GC_LOG_DIR: dir, GC_LOG_HEAP_MS: '10' },
      encoding: 'utf8',
    });
    const files = readdirSync(dir);
    assert.equal(files.length, 1, files.join(', '));
    assert.match(files[0]!, /^gc-\d+\.log$/);
    const log = readFileSync(join(dir, files[0]!), 'utf8');
    const stalls = [...log.matchAll(/stall (\d+\.\d) ms rss \d+ MiB/g)].map((m) => Number(m[1]));
    assert.ok(stalls.some((ms) => ms >= 55), `a stall of the 60 ms block:\n${log}`);
    assert.match(log, /^\d+\.\d\ds gc major \d+\.\d ms flags \d+$/m, 'the forced full collection');
    const heap = /^\d+\.\d\ds heap rss (\d+\.\d) arrayBuffers \d+\.\d MiB; committed\/used MiB: (.*)$/m.exec(log);
    assert.ok(heap, `a heap line:\n${log}`);
    assert.ok(Number(heap[1]) > 0, heap[0]);
    // The 2M objects are in the old generation by the time the loop is blocked.
    assert.match(heap[2]!, /(^|, )old \d+\.\d\/\d+\.\d(, |$)/, heap[0]);
    assert.ok(Number(/(?:^|, )old \d+\.\d\/(\d+\.\d)/.exec(heap[2]!)![1]) >= 20, `old space holds the ~2M objects: ${heap[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
