/**
 * What N warm symbols keep alive: JS heap and typed-array bytes after a full collection, for the
 * default config (1m and 5m bars, 1m and 5m windows, every indicator), fed three hours of one
 * trade a second so every window, bar and indicator is in use, with their /metrics lines made
 * (prepareLines: the arenas a scrape fills). A scrape's output buffer is not counted: it is
 * freed, or kept once per process (out-buffer.ts), whatever the state.
 *
 *   node --import tsx bench/state-footprint.ts [symbols=1000] [--snapshot FILE]
 *
 * --snapshot writes a heap snapshot (open it in Chrome's DevTools) for what the heap holds.
 * Re-runs itself with --expose-gc when started without it.
 */
import { spawnSync } from 'node:child_process';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import { FeedState } from '../src/market/feed-state.js';
import { prepareLines } from '../src/metrics/render.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const args = process.argv.slice(2);
const snapshotAt = args.indexOf('--snapshot');
const snapshot = snapshotAt >= 0 ? args.splice(snapshotAt, 2)[1] : undefined;
const n = Number(args[0] ?? 1000);
const cfg = {
  intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  indicators: DEFAULT_INDICATORS,
};
const MiB = 2 ** 20;
const measure = () => {
  gc!();
  return { heap: getHeapStatistics().used_heap_size, buffers: process.memoryUsage().arrayBuffers };
};

const before = measure();
const feed = new FeedState('sim', Array.from({ length: n }, (_, i) => `SYM${i}USDT`), cfg);
const feeds = new Map([['sim', feed]]);
prepareLines(feeds);
let seed = 1;
const rnd = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
const now = Date.now();
for (let t = now - 180 * 60_000; t < now; t += 1000) {
  for (const s of feed.symbols.values()) s.applyTrade(100 + rnd(), rnd(), t);
  if (t % 60_000 < 1000) for (const s of feed.symbols.values()) s.tick(t, 0);
}
const after = measure();
const out = {
  symbols: n,
  heapMiB: +((after.heap - before.heap) / MiB).toFixed(1),
  typedArraysMiB: +((after.buffers - before.buffers) / MiB).toFixed(1),
  barsClosed: [...feed.symbols.values()][0]!.intervals.every((iv) => iv.lastBar !== undefined),
};
console.log(JSON.stringify(out));
if (snapshot) console.error(`heap snapshot: ${writeHeapSnapshot(snapshot)}`);
