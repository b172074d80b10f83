/**
 * bench/render-ab.ts as a user runs it: two checkouts' renderers in one process. Checks what it
 * reports and that it tells two builds' texts apart, never how fast either is.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const AB = path.join(ROOT, 'bench', 'render-ab.ts');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', AB, ...args], { encoding: 'utf8', timeout: 120_000, cwd: ROOT });

/**
 * A checkout whose build is this one's, but whose plain render prints one symbol's name wrong
 * (`name`), or whose gzipped scrape leaves out its second piece (`piece`).
 */
function alteredCheckout(dir: string, fault: 'name' | 'piece'): void {
  const real = (rel: string) => pathToFileURL(path.join(ROOT, 'src', `${rel}.ts`)).href;
  const module = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, 'dist', 'src', rel)), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'src', `${rel}.js`), text);
  };
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const rel of ['market/feed-state', 'config/defaults', 'metrics/out-buffer', 'metrics/gzip']) module(rel, `export * from '${real(rel)}';\n`);
  module(
    'metrics/render',
    fault === 'name'
      ? `import { ALL_GROUPS, renderMarketChunks as real, streamMarket } from '${real('metrics/render')}';
export { ALL_GROUPS, streamMarket };
const decoder = new TextDecoder();
export function* renderMarketChunks(...args) {
  for (const c of real(...args)) yield (typeof c === 'string' ? c : decoder.decode(c)).replaceAll('symbol="SYM7USDT"', 'symbol="SYM7USDX"');
}
`
      : `import { ALL_GROUPS, renderMarketChunks, streamMarket as real } from '${real('metrics/render')}';
export { ALL_GROUPS, renderMarketChunks };
export function streamMarket(feeds, self, write, options) {
  let n = 0;
  return real(feeds, self, (chunk) => (n++ === 1 ? undefined : write(chunk)), options);
}
`,
  );
}

test('render-ab times two builds in turns and says their lines agree', () => {
  const r = run(ROOT, ROOT, '200', '3');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^200 symbols, Node v\d+\.\d+\.\d+, medians of 3 in turns/m);
  for (const build of ['A', 'B']) assert.match(r.stdout, new RegExp(`^${build} .+: every symbol traded \\d+\\.\\d; every symbol's bars closed \\d+\\.\\d$`, 'm'));
  assert.match(r.stdout, /^B \/ A: traded \d+\.\d%; bars closed \d+\.\d%$/m);
  assert.match(r.stdout, /^same lines for every symbol: yes \(\d+ lines\)$/m);
});

test('render-ab fails when the two builds print a symbol differently', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'render-ab-'));
  try {
    alteredCheckout(dir, 'name');
    const r = run(ROOT, dir, '50', '1');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^same lines for every symbol: NO/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render-ab --gzip --fast times gzipped fast-lane scrapes and checks each body against its plain render', () => {
  const r = run(ROOT, ROOT, '200', '3', '--gzip', '--fast');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^200 symbols, Node v\d+\.\d+\.\d+, medians of 3 in turns \(gzipped as served, fast lane, ms\):$/m);
  const timing = String.raw`\d+\.\d \(main thread \d+\.\d\)`;
  for (const build of ['A', 'B']) assert.match(r.stdout, new RegExp(`^${build} .+: every symbol traded ${timing}; every symbol's bars closed ${timing}$`, 'm'));
  assert.match(r.stdout, /^B \/ A: traded \d+\.\d% \(main thread \d+\.\d%\); bars closed \d+\.\d% \(main thread \d+\.\d%\)$/m);
  // The fast lane's per-symbol families: six lines a symbol (price, last update, two sequence counters, two window returns).
  assert.match(r.stdout, /^same lines for every symbol: yes \(1200 lines\)$/m);
});

test('render-ab --gzip fails when a build\'s gzipped scrape is not its plain render', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'render-ab-'));
  try {
    alteredCheckout(dir, 'piece');
    // Plain, the two builds agree.
    assert.equal(run(ROOT, dir, '50', '1').status, 0);
    const r = run(ROOT, dir, '50', '1', '--gzip');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^B: its gzipped body does not inflate: /m);
    assert.match(r.stdout, /^same lines for every symbol: NO/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('render-ab names what is wrong with its arguments', () => {
  const none = run();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /usage: render-ab A B/);
  const unknown = run(ROOT, ROOT, '--gz');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown option --gz/);
  const dir = mkdtempSync(path.join(tmpdir(), 'render-ab-'));
  try {
    const notCheckout = run(ROOT, dir, '10', '1');
    assert.notEqual(notCheckout.status, 0);
    assert.match(notCheckout.stderr, /not a checkout \(no package\.json\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
