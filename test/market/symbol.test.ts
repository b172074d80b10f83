/** SymbolState.barChanges: what the renderer trusts to leave a symbol's bars and indicators unread. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import type { Bar } from '../../src/market/bars.js';
import { SymbolState } from '../../src/market/symbol.js';

const MIN = 60_000;
const CFG = {
  intervals: [{ label: '1m', ms: MIN }, { label: '5m', ms: 5 * MIN }],
  windows: [{ label: '1m', ms: MIN }],
  indicators: { ...DEFAULT_INDICATORS, rsi: { enabled: true, period: 2 }, sma: { enabled: true, period: 2 } },
};

const op = fc.oneof(
  fc.record({ kind: fc.constant('trade' as const), dt: fc.integer({ min: 0, max: 7 * MIN }), price: fc.double({ min: 1, max: 1e4, noNaN: true }) }),
  fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 7 * MIN }) }),
  fc.record({ kind: fc.constant('hold' as const) }),
  fc.record({ kind: fc.constant('backfill' as const), back: fc.integer({ min: 1, max: 12 }) }),
);

/** What the renderer reads of the bars and indicators: each interval's last bar and values. */
const seen = (s: SymbolState) => s.intervals.map((iv) => ({ bar: iv.lastBar, values: [...iv.values] }));

test('barChanges moves whenever a last bar or an indicator value changes, by trades, idle closes, holds and backfills', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
      const s = new SymbolState('x', 'BTCUSDT', CFG);
      let t = 1_700_000_000_000;
      for (const o of ops) {
        const before = seen(s);
        const count = s.barChanges;
        if (o.kind === 'trade') s.applyTrade(o.price, 1, (t += o.dt));
        else if (o.kind === 'tick') s.tick((t += o.dt), 2_000);
        else if (o.kind === 'hold') s.hold();
        else
          s.intervals.forEach((iv, i) => {
            const start = Math.floor(t / iv.ms) * iv.ms - o.back * iv.ms;
            const fetched: Bar[] = Array.from({ length: o.back }, (_, k) => ({ start: start + k * iv.ms, end: start + (k + 1) * iv.ms, open: 5, high: 6, low: 4, close: 5 + k, volume: 1, trades: 1 }));
            s.backfill(i, fetched);
          });
        const after = seen(s);
        const changed = after.some((a, i) => a.bar !== before[i]!.bar || a.values.some((v, k) => !Object.is(v, before[i]!.values[k])));
        if (changed) assert.notEqual(s.barChanges, count, `${o.kind} changed a bar or an indicator`);
        assert.ok(s.barChanges >= count);
      }
    }),
    { numRuns: 300 },
  );
});

test('trades within an open bar leave barChanges alone; the trade that closes it moves it', () => {
  const s = new SymbolState('x', 'BTCUSDT', CFG);
  const t = 1_700_000_100_000; // the start of a 5m bar: the 1m bar closes alone
  s.applyTrade(10, 1, t);
  s.applyTrade(11, 1, t + 1_000);
  assert.equal(s.barChanges, 0);
  s.applyTrade(12, 1, t + MIN);
  assert.equal(s.barChanges, 1);
  assert.equal(s.intervals[0]!.lastBar!.close, 11);
});
