/** Each venue's REST candles description against its documented answers (test/fixtures/rest/). */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REST_VENUES } from '../../src/backfill/index.js';
import { krakenPair } from '../../src/backfill/kraken.js';
import type { ParseResult } from '../../src/backfill/rest.js';
import { ADAPTERS } from '../../src/feeds/index.js';

const rest = (venue: string, name: string) => readFileSync(new URL(`../fixtures/rest/${venue}/${name}.json`, import.meta.url), 'utf8');
const MIN = 60_000;

/** The three closed minutes every fixture holds (1700000040 .. 1700000160), as the venues' docs spell them. */
const CLOSES = [37005.5, 37015, 36985.2];

function bars(r: ParseResult) {
  assert.ok(r.ok, `expected bars, got ${JSON.stringify(r)}`);
  return r.bars;
}

describe('every venue with a websocket adapter but the generic one has a REST description', () => {
  test('keys match the adapters', () => {
    assert.deepEqual(Object.keys(REST_VENUES).sort(), Object.keys(ADAPTERS).filter((k) => k !== 'generic').sort());
    for (const [k, v] of Object.entries(REST_VENUES)) assert.equal(v.venue, k);
  });
});

describe('binance /api/v3/klines', () => {
  const b = REST_VENUES.binance!;
  test('klines parse oldest first, prices from strings, trade counts kept', () => {
    const got = bars(b.parse(rest('binance', 'klines'), MIN));
    assert.deepEqual(got.map((x) => x.close), CLOSES);
    assert.deepEqual(got[0], { start: 1700000040000, end: 1700000100000, open: 37000.1, high: 37010, low: 36990, close: 37005.5, volume: 12.345, trades: 321 });
  });
  test('url: symbol, interval, startTime, inclusive endTime, limit up to 1000', () => {
    const u = new URL(b.url('http://h', 'BTCUSDT', MIN, 0, 5000 * MIN, 0));
    assert.equal(u.pathname, '/api/v3/klines');
    assert.deepEqual(Object.fromEntries(u.searchParams), { symbol: 'BTCUSDT', interval: '1m', startTime: '0', endTime: String(5000 * MIN - 1), limit: '1000' });
    assert.equal(new URL(b.url('http://h', 'BTCUSDT', 5 * MIN, 0, 10 * 5 * MIN, 0)).searchParams.get('limit'), '10');
  });
  test('an error answer is in-band, a short row malformed, garbage not JSON', () => {
    const e = b.parse(rest('binance', 'error-invalid-symbol'), MIN);
    assert.ok(!e.ok && e.inBand && /-1121/.test(e.error));
    const m = b.parse(rest('binance', 'malformed-short-row'), MIN);
    assert.ok(!m.ok && !m.inBand);
    const g = b.parse('<html>502 Bad Gateway</html>', MIN);
    assert.ok(!g.ok && !g.inBand && /not JSON/.test(g.error));
  });
  test('a bar off the interval boundary is refused', () => {
    assert.ok(!b.parse(rest('binance', 'klines'), 7 * MIN).ok);
  });
  test('intervals: Binance spellings; none for 2m', () => {
    assert.equal(b.intervalCode(MIN), '1m');
    assert.equal(b.intervalCode(3_600_000), '1h');
    assert.equal(b.intervalCode(2 * MIN), undefined);
  });
});

describe('binance-usdm /fapi/v1/klines', () => {
  const f = REST_VENUES['binance-usdm']!;
  test("spot's rows on the futures path; no 1s bars", () => {
    assert.deepEqual(bars(f.parse(rest('binance', 'klines'), MIN)).map((x) => x.close), CLOSES);
    const u = new URL(f.url('http://h', 'BTCUSDT', MIN, 0, 5000 * MIN, 0));
    assert.equal(u.pathname, '/fapi/v1/klines');
    assert.equal(u.searchParams.get('limit'), '1000');
    assert.equal(f.intervalCode(1000), undefined);
    assert.equal(REST_VENUES.binance!.intervalCode(1000), '1s');
  });
});

describe('coinbase /products/{id}/candles', () => {
  const c = REST_VENUES.coinbase!;
  test('candles (newest first, [time, low, high, open, close, volume]) parse oldest first', () => {
    const got = bars(c.parse(rest('coinbase', 'candles'), MIN));
    assert.deepEqual(got.map((x) => x.close), CLOSES);
    assert.deepEqual(got[0], { start: 1700000040000, end: 1700000100000, open: 37000.1, high: 37010, low: 36990, close: 37005.5, volume: 12.345, trades: 0 });
  });
  test('url: product in the path, granularity in seconds, ISO start and end', () => {
    const u = new URL(c.url('http://h', 'BTC-USD', MIN, 1700000040000, 1700000220000, 0));
    assert.equal(u.pathname, '/products/BTC-USD/candles');
    assert.equal(u.searchParams.get('granularity'), '60');
    assert.equal(u.searchParams.get('start'), '2023-11-14T22:14:00.000Z');
    assert.equal(c.maxBars, 300);
  });
  test('an error message is in-band', () => {
    const e = c.parse(rest('coinbase', 'error-not-found'), MIN);
    assert.ok(!e.ok && e.inBand);
  });
});

describe('kraken /0/public/OHLC', () => {
  const k = REST_VENUES.kraken!;
  test('rows under the pair key parse oldest first (the open one too: the shell drops it by time)', () => {
    const got = bars(k.parse(rest('kraken', 'ohlc'), MIN));
    assert.deepEqual(got.slice(0, 3).map((x) => x.close), CLOSES);
    assert.equal(got.length, 4);
    assert.equal(got[0]!.volume, 12.345);
    assert.equal(got[0]!.trades, 321);
  });
  test('url: pair as Kraken spells it, interval in minutes, since in seconds; 720 bars at most', () => {
    const u = new URL(k.url('http://h', 'BTC/USD', 5 * MIN, 1700000100000, 1700000400000, 0));
    assert.deepEqual(Object.fromEntries(u.searchParams), { pair: 'XBTUSD', interval: '5', since: '1700000099' });
    assert.equal(krakenPair('ETH/USD'), 'ETHUSD');
    assert.equal(krakenPair('DOGE/USD'), 'XDGUSD');
    assert.equal(k.maxDepth, 719);
  });
  test('error lists are in-band; a rate-limit one says so', () => {
    const e = k.parse(rest('kraken', 'error-unknown-pair'), MIN);
    assert.ok(!e.ok && e.inBand && !e.rateLimited);
    const r = k.parse(rest('kraken', 'error-rate-limit'), MIN);
    assert.ok(!r.ok && r.rateLimited);
  });
});

describe('okx /api/v5/market/candles and history-candles', () => {
  const o = REST_VENUES.okx!;
  test('confirmed candles parse oldest first; the open one (confirm 0) is left out', () => {
    const got = bars(o.parse(rest('okx', 'candles'), MIN));
    assert.deepEqual(got.map((x) => x.close), CLOSES);
  });
  test('url: recent bars from candles, older from history-candles, after/before cursors, limit 100', () => {
    const now = 1700000220000;
    const recent = new URL(o.url('http://h', 'BTC-USDT', MIN, now - 100 * MIN, now, now));
    assert.equal(recent.pathname, '/api/v5/market/candles');
    assert.deepEqual(Object.fromEntries(recent.searchParams), { instId: 'BTC-USDT', bar: '1m', after: String(now), before: String(now - 100 * MIN - 1), limit: '100' });
    const old = new URL(o.url('http://h', 'BTC-USDT', MIN, now - 2000 * MIN, now - 1900 * MIN, now));
    assert.equal(old.pathname, '/api/v5/market/history-candles');
    assert.equal(o.intervalCode(86_400_000), '1Dutc');
  });
  test('code 50011 is a rate limit; other codes are venue errors', () => {
    const r = o.parse(rest('okx', 'error-rate-limit'), MIN);
    assert.ok(!r.ok && r.rateLimited);
    const e = o.parse(rest('okx', 'error-instrument'), MIN);
    assert.ok(!e.ok && e.inBand && !e.rateLimited);
  });
});

describe('bybit /v5/market/kline', () => {
  for (const venue of ['bybit', 'bybit-linear']) {
    const y = REST_VENUES[venue]!;
    test(`${venue}: list (newest first) parses oldest first; category in the url`, () => {
      const got = bars(y.parse(rest('bybit', 'kline'), MIN));
      assert.deepEqual(got.map((x) => x.close), CLOSES);
      const u = new URL(y.url('http://h', 'BTCUSDT', MIN, 0, 200 * MIN, 0));
      assert.equal(u.pathname, '/v5/market/kline');
      assert.deepEqual(Object.fromEntries(u.searchParams), {
        category: venue === 'bybit' ? 'spot' : 'linear', symbol: 'BTCUSDT', interval: '1', start: '0', end: String(200 * MIN - 1), limit: '200',
      });
    });
  }
  test('retCode 10006 is a rate limit; other codes are venue errors', () => {
    const y = REST_VENUES.bybit!;
    const r = y.parse(rest('bybit', 'error-rate-limit'), MIN);
    assert.ok(!r.ok && r.rateLimited);
    const e = y.parse(rest('bybit', 'error-symbol'), MIN);
    assert.ok(!e.ok && e.inBand && !e.rateLimited);
    assert.ok(!y.parse('{"retCode":0,"result":{"list":"x"}}', MIN).ok);
  });
});
