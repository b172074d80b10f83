import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { FeedState } from '../../src/market/feed-state.js';
import type { SymbolState } from '../../src/market/symbol.js';
import { INDICATOR_NAMES, METRICS, scrapeGroupOf } from '../../src/metrics/catalog.js';
import { BAR_FAMILIES, INDICATOR_FAMILIES, SYMBOL_FAMILIES, WINDOW_FAMILIES } from '../../src/metrics/families/symbol.js';
import { FAMILIES, readsAll, readValues, SEGMENTS } from '../../src/metrics/symbol-lines.js';

const cfg = {
  intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }, { label: '15m', ms: 900_000 }],
  indicators: { ...DEFAULT_INDICATORS, rsi: { enabled: true, period: 2 }, sma: { enabled: true, period: 3 } },
};

/** Every series' value through the families' own readers, in the layout order of symbol-lines.ts. */
function viaTable(s: SymbolState): number[] {
  const out: number[] = [];
  for (const f of Object.values(SYMBOL_FAMILIES)) out.push(f.read(s));
  for (const f of Object.values(BAR_FAMILIES)) for (const iv of s.intervals) out.push(iv.lastBar ? f.read(iv.lastBar) : NaN);
  for (const f of Object.values(WINDOW_FAMILIES))
    for (const w of s.windows) {
      const st = w.window.stats();
      out.push(st ? f.read(st) : NaN);
    }
  for (const iv of s.intervals) out.push(...INDICATOR_FAMILIES.indicator.read(iv));
  return out;
}

const event = fc.record({
  kind: fc.constantFrom('trade', 'quote', 'seq', 'late'),
  price: fc.double({ min: 1e-8, max: 1e9, noNaN: true }),
  dt: fc.integer({ min: 0, max: 400_000 }),
});

test('the hand-unrolled reader returns what each family table reads, for every series', () => {
  fc.assert(
    fc.property(fc.array(event, { maxLength: 120 }), (events) => {
      const s = new FeedState('x', ['A'], cfg, 0).symbols.get('A')!;
      let t = 1_700_000_000_000;
      for (const e of events) {
        t += e.dt;
        if (e.kind === 'trade') s.applyTrade(e.price, e.price / 3, t);
        else if (e.kind === 'quote') s.applyQuote(e.price, e.price * 1.01);
        else if (e.kind === 'late') s.lateTrades++;
        else {
          s.seqCounts.gaps++;
          s.seqCounts.missed += 3;
          s.seqCounts.duplicates += 2;
          s.seqCounts.outOfOrder += 5;
          s.lastUpdate = t;
        }
      }
      const want = viaTable(s);
      const got = new Float64Array(want.length);
      readValues(s, got);
      assert.deepEqual([...got], want);
      // A fast read: right wherever the fast lane's lines are, and it writes nothing else.
      const UNREAD = -123.25;
      const fast = new Float64Array(want.length).fill(UNREAD);
      readValues(s, fast, false);
      const scalars = Object.values(SYMBOL_FAMILIES).map((f) => f.def);
      const returns = scalars.length + Object.keys(BAR_FAMILIES).length * s.intervals.length;
      const read = (k: number) => (k < scalars.length ? scrapeGroupOf(scalars[k]!) !== 'rest' : k >= returns && k < returns + s.windows.length);
      want.forEach((x, k) => {
        if (read(k)) assert.ok(Object.is(fast[k], x), `fast read of value ${k}: ${fast[k]} != ${x}`);
        else assert.equal(fast[k], UNREAD, `a fast read wrote value ${k}, which no fast-lane line holds`);
      });
      // A read without bars: right everywhere but the bars and the indicators.
      const live = new Float64Array(want.length).fill(-1);
      readValues(s, live, true, false);
      const windows = returns + Object.keys(WINDOW_FAMILIES).length * s.windows.length;
      want.forEach((x, k) => (k < scalars.length || (k >= returns && k < windows)) && assert.ok(Object.is(live[k], x), `read without bars, value ${k}: ${live[k]} != ${x}`));
    }),
    { numRuns: 200 },
  );
});

test('a fast read serves the fast lane; every other family needs the whole read', () => {
  const fastLane = SEGMENTS.flatMap((def, g) => (scrapeGroupOf(def) === 'rest' ? [] : [g]));
  assert.ok(fastLane.length > 0);
  assert.equal(readsAll(fastLane), false);
  assert.equal(readsAll(undefined), true);
  for (const [g, def] of SEGMENTS.entries()) assert.equal(readsAll([g]), scrapeGroupOf(def) === 'rest', def.name);
});

test('the per-symbol segments are the family tables in order, and every table entry is in the catalogue', () => {
  const tables = [SYMBOL_FAMILIES, BAR_FAMILIES, WINDOW_FAMILIES, INDICATOR_FAMILIES].flatMap((t) => Object.values(t).map((f) => f.def));
  assert.deepEqual(FAMILIES, tables);
  // Each bar and indicator family in two segments (its first interval's lines, the others'), side by side.
  const split = new Set([...Object.values(BAR_FAMILIES), INDICATOR_FAMILIES.indicator].map((f) => f.def));
  assert.deepEqual(SEGMENTS, tables.flatMap((d) => (split.has(d) ? [d, d] : [d])));
  const catalogue = new Set(Object.values(METRICS));
  for (const d of tables) assert.ok(catalogue.has(d), d.name);
  assert.equal(INDICATOR_FAMILIES.indicator.read(new FeedState('x', ['A'], cfg, 0).symbols.get('A')!.intervals[0]!).length, INDICATOR_NAMES.length);
});
