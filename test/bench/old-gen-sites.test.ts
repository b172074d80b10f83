import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const preload = fileURLToPath(new URL('../../bench/old-gen-sites.ts', import.meta.url));

test('the old-generation preload names the site whose objects were promoted, not the one whose objects died young', () => {
  const dir = mkdtempSync(join(tmpdir(), 'old-gen-'));
  try {
    // keptAWhile: ~40 MB that outlives several young collections, then dies and is freed by a full
    // collection. diesYoung: ~128 MB of objects dropped one by one. A full collection frees what is
    // young at the time too, so the young generation is turned over (flush) before the last one,
    // and one runs before diesYoung: keptAWhile's promotions start incremental marking, and when
    // that marking finished during diesYoung it counted diesYoung's young objects (0.36-0.38 MiB in
    // 2 of 60 runs on Node 26 here, 1.19 once in CI; with the collection, at most 0.04 in 60).
    const script = `let held = [], sink;
      function keptAWhile() { for (let i = 0; i < 400000; i++) held.push({ i, s: 'k' + i }); }
      function diesYoung() { for (let i = 0; i < 4000000; i++) sink = { i, j: i }; }
      function flush() { for (let i = 0; i < 2000000; i++) sink = { i, j: i }; }
      setTimeout(() => {
        keptAWhile(); gc(); diesYoung(); flush(); held = []; gc();
        setTimeout(() => {}, 400);
      }, 50);`;
    // Without pretenuring, as the exporter runs (src/runtime/node-flags.ts). With it, V8 now and
    // then (3 runs in 24 on Node 24) pretenured diesYoung's site: its objects were then made in the
    // old generation, freed by the full collection and rightly counted.
    execFileSync(process.execPath, ['--no-allocation-site-pretenuring', '--expose-gc', '--import', 'tsx', '--import', preload, '-e', script], {
      env: { ...process.env, OLD_GEN_DIR: dir, OLD_GEN_FROM_MS: '0', OLD_GEN_FOR_MS: '300' },
      encoding: 'utf8',
    });
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, files.join(', '));
    assert.match(files[0]!, /^old-gen-\d+\.heapprofile$/);
    const profile = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { head: { children: unknown[] } };
    assert.ok(profile.head.children.length > 0, 'a profile with samples');
    const text = readFileSync(join(dir, files[1]!), 'utf8');
    const bytes = (fn: string) =>
      [...text.matchAll(/^(\d+\.\d\d) MiB {2}(\S+) /gm)].filter((m) => m[2] === fn).reduce((a, m) => a + Number(m[1]), 0);
    assert.ok(bytes('keptAWhile') >= 10, `keptAWhile's objects reached the old generation:\n${text}`);
    assert.ok(bytes('diesYoung') < 1, `diesYoung's objects died young and are not counted:\n${text}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
