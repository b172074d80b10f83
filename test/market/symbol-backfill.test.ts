/** SymbolState.backfill and BarBuilder.seed: where fetched bars may go, and where live bars win. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { BarBuilder, type Bar } from '../../src/market/bars.js';
import { MAX_HELD_BARS, SymbolState } from '../../src/market/symbol.js';

const MIN = 60_000;
const T = 1_700_000_040_000;
const CFG = { intervals: [{ label: '1m', ms: MIN }], windows: [], indicators: DEFAULT_INDICATORS };
const bar = (start: number, close: number, volume = 1): Bar => ({ start, end: start + MIN, open: close, high: close + 1, low: close - 1, close, volume, trades: volume ? 3 : 0 });

test('seed: the base for fills and lateness, only when no bar is open and not older than the base', () => {
  const b = new BarBuilder(MIN);
  assert.ok(b.seed(bar(T, 10)));
  assert.equal(b.add(11, 1, T + 30_000).late, true, 'a trade for the seeded bucket is late');
  const u = b.add(12, 1, T + 3 * MIN + 1);
  assert.deepEqual(u.closed.map((x) => [x.start, x.close, x.volume]), [[T + MIN, 10, 0], [T + 2 * MIN, 10, 0]], 'fills from the seeded close');
  assert.equal(b.seed(bar(T + 4 * MIN, 1)), false, 'a bar is open');
  const c = new BarBuilder(MIN);
  assert.ok(c.seed(bar(T + MIN, 1)));
  assert.equal(c.seed(bar(T, 1)), false, 'older than the base');
  assert.equal(c.seed({ ...bar(T + 5 * MIN, 1), end: T + 7 * MIN }), false, 'another bar length');
});

test('start: fetched bars before the live open bar reach the indicators, with flat bars through the venue\'s holes', () => {
  const s = new SymbolState('x', 'BTCUSDT', CFG);
  s.applyTrade(50, 1, T + 10 * MIN + 1);
  // The venue skipped T+3m (no trades: Coinbase leaves such minutes out) and also sends the live bucket.
  const fetched = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10].map((k) => bar(T + k * MIN, 100 + k));
  assert.equal(s.backfill(0, fetched), 9, 'all but the live bucket');
  const iv = s.intervals[0]!;
  assert.equal(iv.lastBar!.start, T + 9 * MIN);
  assert.equal(iv.bars.current!.close, 50, 'the live bar is untouched');
  assert.equal(iv.bars.current!.start, T + 10 * MIN);
});

test('a held live bar stays; held flat fills give way to fetched bars; nothing newer than the open bar is taken', () => {
  const s = new SymbolState('x', 'BTCUSDT', CFG);
  const iv = s.intervals[0]!;
  s.applyTrade(50, 1, T + 1);
  s.applyTrade(51, 1, T + MIN + 1); // closes T (live): fed
  s.hold();
  s.applyTrade(52, 2, T + MIN + 2_000); // still T+1m
  s.applyTrade(53, 1, T + 4 * MIN + 1); // closes T+1m (live) and fills T+2m, T+3m: held
  assert.equal(iv.held!.length, 3);
  assert.equal(iv.lastBar!.start, T);
  const fetched = [1, 2, 3, 4].map((k) => bar(T + k * MIN, 200 + k));
  assert.equal(s.backfill(0, fetched), 2, 'the two fills; not the live T+1m, not the open T+4m');
  assert.equal(iv.held, undefined);
  assert.equal(iv.lastBar!.close, 203, 'T+3m is the venue\'s bar');
  assert.equal(iv.bars.current!.close, 53);
});

test('a hold is bounded: past MAX_HELD_BARS the bars reach the indicators without waiting', () => {
  const s = new SymbolState('x', 'BTCUSDT', CFG);
  const iv = s.intervals[0]!;
  s.applyTrade(50, 1, T + 1);
  s.hold();
  s.applyTrade(51, 1, T + (MAX_HELD_BARS + 5) * MIN); // MAX_HELD fills at most 1000 per gap
  s.applyTrade(52, 1, T + (2 * MAX_HELD_BARS + 10) * MIN);
  s.applyTrade(53, 1, T + (3 * MAX_HELD_BARS + 15) * MIN);
  assert.equal(iv.held, undefined, 'released');
  assert.ok(iv.lastBar!.start > T);
});
