import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { binance } from '../../src/feeds/binance.js';
import type { ErrorEvent, QuoteEvent, TradeEvent } from '../../src/feeds/types.js';
import {
  MALFORMED_KINDS,
  Market,
  SymbolMarket,
  combinedFrame,
  malformedFrame,
  mulberry32,
  syntheticSymbol,
} from '../../src/simulator/market.js';

const params = { startPrice: 100, volatility: 0.001, seed: 7 };

function trades(m: SymbolMarket, n: number, t = 1_700_000_000_000): TradeEvent[] {
  return Array.from({ length: n }, () => {
    const [e] = binance.parse(combinedFrame(m.tradeStream, m.trade(t, t)));
    assert.equal(e?.kind, 'trade', JSON.stringify(e));
    return e as TradeEvent;
  });
}

describe('simulator market model', () => {
  test('mulberry32 is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
    assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  test('same seed, same frames; symbols walk independently of each other', () => {
    const one = new Market(params);
    const two = new Market(params);
    // Interleave another symbol in one market only: BTCUSDT's path must not change.
    const a = Array.from({ length: 50 }, () => (one.get('ETHUSDT').trade(1, 1), one.get('BTCUSDT').trade(1, 1)));
    const b = Array.from({ length: 50 }, () => two.get('BTCUSDT').trade(1, 1));
    assert.deepEqual(a, b);
    const other = new Market({ ...params, seed: 8 });
    assert.notDeepEqual(b, Array.from({ length: 50 }, () => other.get('BTCUSDT').trade(1, 1)));
  });

  test('trade frames parse into consecutive seqs starting at 1, prices walk near the start', () => {
    const ts = trades(new Market(params).get('BTCUSDT'), 200);
    assert.deepEqual(ts.map((t) => t.seq), Array.from({ length: 200 }, (_, i) => i + 1));
    assert.ok(ts.every((t) => t.symbol === 'BTCUSDT' && t.size > 0 && t.eventTime === 1_700_000_000_000));
    assert.ok(ts.every((t) => t.price > 90 && t.price < 110), 'a 0.1% walk stays within 10% over 200 steps');
    assert.ok(new Set(ts.map((t) => t.price)).size > 150, 'the price moves');
    const sides = new Set(ts.map((t) => t.side));
    assert.deepEqual([...sides].sort(), ['buy', 'sell']);
  });

  test('firstTradeId starts every symbol at a venue-sized id; the walk is the same as from 1', () => {
    const big = new Market({ ...params, firstTradeId: 5_123_456_789 });
    const ts = trades(big.get('BTCUSDT'), 3);
    assert.deepEqual(ts.map((t) => t.seq), [5_123_456_789, 5_123_456_790, 5_123_456_791]);
    assert.equal(trades(big.get('ETHUSDT'), 1)[0]?.seq, 5_123_456_789);
    const small = trades(new Market(params).get('BTCUSDT'), 3);
    assert.deepEqual(ts.map((t) => t.price), small.map((t) => t.price));
  });

  test('gap skips ids; the walk is unaffected', () => {
    const m = new Market(params).get('BTCUSDT');
    trades(m, 3);
    m.gap(5);
    assert.deepEqual(trades(m, 2).map((t) => t.seq), [9, 10]);
  });

  test('shock moves the next trade by exactly pct, and the walk continues from there', () => {
    const m = new Market(params).get('BTCUSDT');
    const [before] = trades(m, 1);
    m.shock(-12.5);
    const [shocked, after] = trades(m, 2);
    assert.ok(before && shocked && after);
    assert.ok(Math.abs(shocked.price / before.price - 0.875) < 1e-8, `${shocked.price} / ${before.price}`);
    assert.ok(Math.abs(after.price / shocked.price - 1) < 0.01, 'the next step is an ordinary one');
  });

  test('freeze prints the frozen price within its noise until thaw; the walk goes on from there', () => {
    const m = new Market(params).get('BTCUSDT');
    const [before] = trades(m, 1);
    m.freeze(0.000001);
    const frozen = trades(m, 200);
    const prices = frozen.map((t) => t.price);
    const at = before!.price;
    assert.ok(prices.every((p) => Math.abs(p / at - 1) <= 0.000001 + 1e-9), 'within the noise');
    assert.ok(new Set(prices).size > 10, 'noisy, not one repeated price');
    m.thaw();
    const after = trades(m, 50).map((t) => t.price);
    assert.ok(after.some((p) => Math.abs(p / at - 1) > 0.00002), 'walking again');
    m.freeze();
    assert.equal(new Set(trades(m, 20).map((t) => t.price)).size, 1, 'no noise: one price');
  });

  test('bookTicker frames parse into quotes around the last price', () => {
    const m = new Market(params).get('ETHUSDT');
    const [t] = trades(m, 1);
    const [q] = binance.parse(combinedFrame(m.bookStream, m.bookTicker())) as QuoteEvent[];
    assert.ok(t && q);
    assert.equal(q.kind, 'quote');
    assert.equal(q.symbol, 'ETHUSDT');
    assert.ok(q.bid! < t.price && t.price < q.ask!, `${q.bid} < ${t.price} < ${q.ask}`);
    assert.ok(q.bidSize! > 0 && q.askSize! > 0);
  });

  test('synthetic symbol names', () => {
    assert.equal(syntheticSymbol(0), 'SYM0000');
    assert.equal(syntheticSymbol(42), 'SYM0042');
    assert.equal(syntheticSymbol(12345), 'SYM12345');
  });
});

describe('simulator malformed frames', () => {
  const expected: Record<string, string | undefined> = {
    json: 'malformed_frame',
    truncated: 'malformed_frame',
    nan_price: 'invalid_price',
    negative_price: 'invalid_price',
    unknown_event: 'unknown_message',
    binary: undefined, // the socket layer drops binary frames before any parser sees them
    oversized: undefined, // the socket layer drops it by size; its content is a valid trade
  };
  for (const kind of MALFORMED_KINDS) {
    for (const combined of [true, false]) {
      test(`${kind} (${combined ? 'combined' : 'raw'})`, () => {
        const m = new Market(params).get('BTCUSDT');
        trades(m, 1);
        const f = malformedFrame(kind, m, 1_700_000_000_000, combined, 4096);
        if (kind === 'binary') {
          assert.ok(Buffer.isBuffer(f));
          assert.throws(() => JSON.parse(f.toString('utf8')));
          return;
        }
        assert.equal(typeof f, 'string');
        const frame = f as string;
        if (kind === 'oversized') {
          assert.ok(Buffer.byteLength(frame) > 4096);
          const [e] = binance.parse(frame);
          assert.equal(e?.kind, 'trade');
          assert.equal(e?.kind === 'trade' && e.seq, 2, 'carries the next id without consuming it');
        } else {
          const [e] = binance.parse(frame) as ErrorEvent[];
          assert.equal(e?.kind, 'error');
          assert.equal(e?.type, expected[kind]);
        }
        assert.equal(frame.startsWith('{"stream":'), combined && kind !== 'json');
        // No malformed frame consumes a trade id: the good stream stays gap-free.
        assert.equal(trades(m, 1)[0]?.seq, 2);
      });
    }
  }
});

describe('the demo market (DEFAULT_SIMULATOR)', () => {
  test('six calm hours never cross the shipped MarketPriceMove warning thresholds (2% in 1m, 4% in 5m)', async () => {
    const { DEFAULT_SIMULATOR: d } = await import('../../src/simulator/defaults.js');
    const perMinute = d.ratePerSymbol * 60;
    const steps = perMinute * 60 * 6;
    let worst1m = 0;
    let worst5m = 0;
    for (const symbol of d.symbols) {
      const m = new SymbolMarket(symbol, { startPrice: d.startPrice, volatility: d.volatility, seed: d.seed });
      const logs = new Float64Array(steps);
      for (let i = 0; i < steps; i++) {
        m.trade(0, 0);
        logs[i] = Math.log(m.price);
        if (i >= perMinute) worst1m = Math.max(worst1m, Math.abs(logs[i]! - logs[i - perMinute]!));
        if (i >= 5 * perMinute) worst5m = Math.max(worst5m, Math.abs(logs[i]! - logs[i - 5 * perMinute]!));
      }
    }
    // Far below, not just below: the demo should send nothing until someone injects a shock.
    assert.ok(Math.expm1(worst1m) < 0.01, `worst 1m move ${(Math.expm1(worst1m) * 100).toFixed(2)}%`);
    assert.ok(Math.expm1(worst5m) < 0.02, `worst 5m move ${(Math.expm1(worst5m) * 100).toFixed(2)}%`);
  });
});
