import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Bar, BarBuilder } from '../../src/market/bars.js';

const M = 60_000;
const T0 = 1_700_000_040_000; // a whole minute

function flat(start: number, price: number, iv = M): Bar {
  return { start, end: start + iv, open: price, high: price, low: price, close: price, volume: 0, trades: 0 };
}

describe('BarBuilder', () => {
  test('in-order trades build one bar; a trade in the next bucket closes it', () => {
    const b = new BarBuilder(M);
    assert.deepEqual(b.add(100, 1, T0 + 1_000), { closed: [], late: false });
    b.add(105, 2, T0 + 2_000);
    b.add(95, 0.5, T0 + 3_000);
    b.add(101, 1.5, T0 + 59_999);
    assert.deepEqual(b.current, { start: T0, end: T0 + M, open: 100, high: 105, low: 95, close: 101, volume: 5, trades: 4 });
    const u = b.add(102, 1, T0 + M);
    assert.equal(u.late, false);
    assert.deepEqual(u.closed, [{ start: T0, end: T0 + M, open: 100, high: 105, low: 95, close: 101, volume: 5, trades: 4 }]);
    assert.deepEqual(b.current, { start: T0 + M, end: T0 + 2 * M, open: 102, high: 102, low: 102, close: 102, volume: 1, trades: 1 });
  });

  test('current is a snapshot the caller cannot corrupt', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0);
    const snap = b.current!;
    snap.close = 1;
    b.add(101, 1, T0 + 1);
    assert.equal(b.current!.close, 101);
    assert.equal(snap.close, 1);
  });

  test('out-of-order trades within the bar: open is the earliest event time, close the latest', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0 + 30_000);
    b.add(90, 1, T0 + 10_000); // earlier: becomes open
    b.add(110, 1, T0 + 50_000); // latest: becomes close
    b.add(95, 1, T0 + 40_000); // in between: only high/low/volume/trades
    assert.deepEqual(b.current, { start: T0, end: T0 + M, open: 90, high: 110, low: 90, close: 110, volume: 4, trades: 4 });
  });

  test('equal event times: the first arrival stays open, the last arrival becomes close', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0 + 5_000);
    b.add(101, 1, T0 + 5_000);
    b.add(102, 1, T0 + 5_000);
    const c = b.current!;
    assert.equal(c.open, 100);
    assert.equal(c.close, 102);
  });

  test('a trade for an older bucket than the open bar is late and not applied', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0);
    b.add(101, 1, T0 + M);
    const before = b.current;
    const u = b.add(50, 7, T0 + 59_000);
    assert.deepEqual(u, { closed: [], late: true });
    assert.deepEqual(b.current, before);
  });

  test('empty intervals between trades become flat fill bars at the previous close', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0);
    b.add(103, 2, T0 + 1);
    const u = b.add(99, 1, T0 + 3 * M + 5);
    assert.equal(u.late, false);
    assert.deepEqual(u.closed, [
      { start: T0, end: T0 + M, open: 100, high: 103, low: 100, close: 103, volume: 3, trades: 2 },
      flat(T0 + M, 103),
      flat(T0 + 2 * M, 103),
    ]);
    assert.equal(b.current!.start, T0 + 3 * M);
  });

  test('maxFill caps the fills to the intervals right before the new bar', () => {
    const b = new BarBuilder(M, { maxFill: 3 });
    b.add(100, 1, T0);
    const u = b.add(120, 1, T0 + 11 * M); // 10 empty intervals
    assert.equal(u.closed.length, 4);
    assert.equal(u.closed[0]!.start, T0);
    assert.deepEqual(u.closed.slice(1), [flat(T0 + 8 * M, 100), flat(T0 + 9 * M, 100), flat(T0 + 10 * M, 100)]);
  });

  test('maxFill 0 emits no fills; a clock jump of years stays bounded', () => {
    const none = new BarBuilder(M, { maxFill: 0 });
    none.add(100, 1, T0);
    assert.equal(none.add(100, 1, T0 + 50 * M).closed.length, 1);
    const dflt = new BarBuilder(M);
    dflt.add(100, 1, T0);
    const u = dflt.add(100, 1, T0 + 10 * 365 * 24 * 3600_000);
    assert.equal(u.closed.length, 1 + 1000);
    const last = u.closed.at(-1)!;
    assert.equal(last.end, dflt.current!.start);
  });

  test('closeDue closes an idle bar only once its end + grace has passed', () => {
    const b = new BarBuilder(M);
    assert.deepEqual(b.closeDue(T0 + 10 * M, 0), []); // nothing open
    b.add(100, 1, T0 + 1_000);
    assert.deepEqual(b.closeDue(T0 + M + 1_999, 2_000), []);
    assert.notEqual(b.current, undefined);
    const closed = b.closeDue(T0 + M + 2_000, 2_000);
    assert.deepEqual(closed, [{ start: T0, end: T0 + M, open: 100, high: 100, low: 100, close: 100, volume: 1, trades: 1 }]);
    assert.equal(b.current, undefined);
    assert.deepEqual(b.closeDue(T0 + 5 * M, 0), []); // already closed
  });

  test('closeDue with nothing due allocates nothing: one shared, frozen empty array', () => {
    const b = new BarBuilder(M);
    const idle = b.closeDue(T0, 0);
    b.add(100, 1, T0 + 1_000);
    const early = b.closeDue(T0 + 1_500, 2_000);
    assert.equal(idle, early, 'the same array');
    assert.ok(Object.isFrozen(idle) && idle.length === 0);
    assert.equal(new BarBuilder(5 * M).closeDue(T0, 0), idle, 'shared across builders');
  });

  test('after closeDue: a trade for the closed bar is late; the next trade emits the fills', () => {
    const b = new BarBuilder(M);
    b.add(100, 1, T0 + 1_000);
    b.closeDue(T0 + M + 2_000, 2_000);
    assert.deepEqual(b.add(90, 1, T0 + 59_000), { closed: [], late: true });
    const u = b.add(101, 1, T0 + 3 * M + 10);
    assert.deepEqual(u, { closed: [flat(T0 + M, 100), flat(T0 + 2 * M, 100)], late: false });
    // A trade right in the next bucket after closeDue emits nothing.
    const c = new BarBuilder(M);
    c.add(100, 1, T0);
    c.closeDue(T0 + 2 * M, 0);
    assert.deepEqual(c.add(101, 1, T0 + M + 1), { closed: [], late: false });
    assert.equal(c.current!.open, 101);
  });

  test('a merged burst counts all its trades and keeps its extremes', () => {
    const b = new BarBuilder(M);
    b.add(100, 3, T0 + 1_000, { trades: 5, high: 104, low: 97 }); // opens the bar
    b.add(101, 1, T0 + 2_000);
    b.add(102, 2, T0 + 3_000, { trades: 4, high: 110, low: 101 }); // applied to the open bar
    assert.deepEqual(b.current, { start: T0, end: T0 + M, open: 100, high: 110, low: 97, close: 102, volume: 6, trades: 10 });
    assert.deepEqual(b.add(1, 1, T0 - 1, { trades: 3, high: 1, low: 1 }), { closed: [], late: true });
    assert.equal(b.current!.trades, 10);
  });

  test('rejects non-finite input and bad options', () => {
    const b = new BarBuilder(M);
    assert.throws(() => b.add(Number.NaN, 1, T0), RangeError);
    assert.throws(() => b.add(1, 1, Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => new BarBuilder(0), RangeError);
    assert.throws(() => new BarBuilder(M, { maxFill: -1 }), RangeError);
  });
});

// ---- properties ----

interface Trade {
  price: number;
  size: number;
  t: number;
}

const IV = 1_000;

/** Trades with strictly increasing event times (gaps of up to ~4 intervals), dyadic sizes so sums are exact. */
const tradesArb = (allowTies: boolean) =>
  fc
    .array(
      fc.record({
        dt: fc.integer({ min: allowTies ? 0 : 1, max: 4 * IV }),
        price: fc.integer({ min: 1, max: 10_000 }),
        size: fc.integer({ min: 1, max: 1_000 }),
        key: fc.nat(),
      }),
      { minLength: 1, maxLength: 200 },
    )
    .map((xs) => {
      let t = T0;
      return xs.map((x) => {
        t += x.dt;
        return { price: x.price / 100, size: x.size / 8, t, key: x.key };
      });
    });

function replay(trades: readonly Trade[], maxFill?: number): Bar[] {
  const b = new BarBuilder(IV, maxFill === undefined ? undefined : { maxFill });
  const out: Bar[] = [];
  for (const tr of trades) {
    const u = b.add(tr.price, tr.size, tr.t);
    assert.equal(u.late, false);
    out.push(...u.closed);
  }
  out.push(...b.closeDue(Number.MAX_VALUE, 0));
  return out;
}

/** Reorders trades within each bucket by `key`; buckets stay in time order. */
function shuffleWithinBars<T extends Trade & { key: number }>(trades: readonly T[]): T[] {
  const groups = new Map<number, T[]>();
  for (const tr of trades) {
    const k = Math.floor(tr.t / IV);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(tr);
  }
  return [...groups.values()].flatMap((g) => [...g].sort((a, b) => a.key - b.key));
}

describe('BarBuilder properties', () => {
  test('shuffled within each bar gives the same bars as time order', () => {
    fc.assert(
      fc.property(tradesArb(false), (trades) => {
        assert.deepEqual(replay(shuffleWithinBars(trades)), replay(trades));
      }),
      { numRuns: 300 },
    );
  });

  test('bars are contiguous and conserve volume and trade count', () => {
    fc.assert(
      fc.property(tradesArb(true), (trades) => {
        const bars = replay(trades);
        for (let i = 1; i < bars.length; i++) assert.equal(bars[i]!.start, bars[i - 1]!.end);
        assert.equal(bars.reduce((s, b) => s + b.trades, 0), trades.length);
        assert.equal(bars.reduce((s, b) => s + b.volume, 0), trades.reduce((s, t) => s + t.size, 0));
        assert.equal(bars[0]!.start, Math.floor(trades[0]!.t / IV) * IV);
      }),
      { numRuns: 300 },
    );
  });

  test('live (closeDue between trades) gives the same bars as replay', () => {
    fc.assert(
      fc.property(
        tradesArb(true),
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 3 * IV })), {
          minLength: 200,
          maxLength: 200,
        }),
        fc.integer({ min: 0, max: 3 }),
        (sorted, clock, maxFill) => {
          const trades = shuffleWithinBars(sorted);
          const live = new BarBuilder(IV, { maxFill });
          const got: Bar[] = [];
          // The clock never passes a trade still to come: the earliest remaining event time bounds it.
          const minAhead: number[] = new Array(trades.length);
          for (let i = trades.length - 1, m = Infinity; i >= 0; i--) minAhead[i] = m = Math.min(m, trades[i]!.t);
          let lastT = -Infinity;
          trades.forEach((tr, i) => {
            const [tick, frac, grace] = clock[i]!;
            if (tick && Number.isFinite(lastT)) {
              const now = lastT + frac * (minAhead[i]! - lastT);
              got.push(...live.closeDue(now, grace));
            }
            const u = live.add(tr.price, tr.size, tr.t);
            assert.equal(u.late, false);
            got.push(...u.closed);
            lastT = Math.max(lastT, tr.t);
          });
          got.push(...live.closeDue(Number.MAX_VALUE, 0));
          assert.deepEqual(got, replay(trades, maxFill));
        },
      ),
      { numRuns: 300 },
    );
  });
});
