import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { BINANCE_USDM_LIMITS, BINANCE_USDM_URL, binanceUsdm } from '../../src/feeds/binance-usdm.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, scalarFrameTests } from '../support/adapter-fixtures.js';

/** Every fixture read marks it exercised; a new fixture without a test fails the last test here. */
const fx = adapterFixtures('binance-usdm', binanceUsdm);
const { one } = fx;

describe('binance-usdm adapter: connection facts', () => {
  test('the /market route of fstream, 1024 streams, 10 messages a second, 24 h', () => {
    assert.equal(binanceUsdm.venue, 'binance-usdm');
    assert.equal(binanceUsdm.defaultUrl, 'wss://fstream.binance.com/market');
    assert.equal(binanceUsdm.url(BINANCE_USDM_URL, ['BTCUSDT'], ['markPrice@1s']), 'wss://fstream.binance.com/market/stream');
    assert.deepEqual(BINANCE_USDM_LIMITS, { streamsPerConnection: 1024, maxLifetimeMs: 86_400_000, outgoingPerSecond: 10 });
    assert.equal(binanceUsdm.limits, BINANCE_USDM_LIMITS);
  });

  test('channels: mark price every second and aggregate trades by default', () => {
    assert.deepEqual([...binanceUsdm.defaultChannels], ['markPrice@1s', 'aggTrade']);
    assert.deepEqual([...binanceUsdm.channels], ['markPrice@1s', 'markPrice', 'aggTrade', 'bookTicker']);
    const [f] = binanceUsdm.subscribeFrames(['BTCUSDT', 'BTCUSDT_240628'], ['markPrice@1s', 'aggTrade']);
    assert.deepEqual(JSON.parse(f!), {
      method: 'SUBSCRIBE',
      params: ['btcusdt@markPrice@1s', 'btcusdt@aggTrade', 'btcusdt_240628@markPrice@1s', 'btcusdt_240628@aggTrade'],
      id: 1,
    });
  });

  test('symbols: perpetuals and quarterlies, not spot spellings', () => {
    const p = binanceUsdm.symbolSpelling!.pattern;
    assert.ok(p.test('BTCUSDT') && p.test('BTCUSDT_240628'));
    assert.ok(!p.test('btcusdt') && !p.test('BTC-USDT'));
  });

  test('a url on the spot host is refused with a message naming the futures endpoint', () => {
    const [p] = binanceUsdm.validateOptions!({}, { url: 'wss://stream.binance.com:9443' });
    assert.deepEqual(p?.path, ['url']);
    assert.match(p!.message, /stream\.binance\.com is Binance spot, which has no mark price or funding; binance-usdm streams come from wss:\/\/fstream\.binance\.com\/market/);
    assert.deepEqual(binanceUsdm.validateOptions!({}, { url: 'wss://fstream.binance.com/market' }), []);
    assert.deepEqual(binanceUsdm.validateOptions!({}, { url: 'ws://127.0.0.1:9000/' }), []);
    assert.deepEqual(binanceUsdm.validateOptions!({}, {}), []);
  });
});

describe('binance-usdm adapter: market data', () => {
  test('markPriceUpdate (combined): mark, index, funding rate, next funding time, event time', () => {
    assert.deepEqual(one('mark-price-combined'), {
      kind: 'mark',
      symbol: 'BTCUSDT',
      markPrice: 11794.15,
      indexPrice: 11784.62659091,
      fundingRate: 0.00038167,
      nextFundingTime: 1562306400000,
      eventTime: 1562305380000,
    });
  });

  test('markPriceUpdate (raw stream): a negative funding rate stands', () => {
    const e = one('mark-price-raw');
    assert.equal(e.kind === 'mark' && e.fundingRate, -0.000125);
    assert.equal(e.kind === 'mark' && e.symbol, 'ETHUSDT');
  });

  test('the 3 s stream has the same payload', () => {
    const e = one('mark-price-3s-combined');
    assert.equal(e.kind === 'mark' && e.markPrice, 150.12);
    assert.equal(e.kind === 'mark' && e.nextFundingTime, 1562306400000);
  });

  test('a refused stream ends the session like spot (subscribe_failed)', () => {
    const e = fx.error('error-invalid-stream');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, 'subscribe_failed');
  });

  test('a delivery contract (r "", T 0): mark and index, no funding', () => {
    assert.deepEqual(one('mark-price-delivery'), {
      kind: 'mark',
      symbol: 'BTCUSDT_240628',
      markPrice: 10934.62615417,
      indexPrice: 10933.62615417,
      eventTime: 1596095725000,
    });
  });

  test('futures aggTrade and bookTicker go through the spot parser', () => {
    assert.deepEqual(one('aggtrade-combined'), { kind: 'trade', symbol: 'BTCUSDT', price: 11794.1, size: 0.25, eventTime: 123456785, seq: 5933014, side: 'sell' });
    const q = one('bookticker-combined');
    assert.equal(q.kind, 'quote');
    assert.equal(q.kind === 'quote' && q.eventTime, 1568014460893);
    assert.equal(one('subscribe-result').kind, 'subscribed');
  });
});

describe('binance-usdm adapter: bad frames', () => {
  errorCaseTests(fx, [
    ['malformed-mark-nan-price', 'invalid_price'],
    ['malformed-mark-bad-funding', 'invalid_price'],
    ['malformed-mark-missing-time', 'invalid_timestamp'],
  ]);

  scalarFrameTests(fx, ['{"e":"markPriceUpdate"}', '{"stream":"x@markPrice","data":"markPriceUpdate"}', '["markPriceUpdate"]']);

  hostileFixturesTest(fx);

  neverThrowsProperty(fx, 'property: parse never throws and every mark it makes has usable numbers', {
    invariant: (e) => {
      if (e.kind !== 'mark') return;
      assert.ok(e.markPrice === undefined || (e.markPrice > 0 && Number.isFinite(e.markPrice)));
      assert.ok(e.indexPrice === undefined || (e.indexPrice > 0 && Number.isFinite(e.indexPrice)));
      assert.ok(e.fundingRate === undefined || Number.isFinite(e.fundingRate));
      assert.ok(e.nextFundingTime === undefined || e.nextFundingTime > 0);
    },
    mutations: [{ fixture: 'mark-price-combined', at: ['data'], keys: ['s', 'p', 'i', 'r', 'T', 'E'], numRuns: 500 }],
  });
});

fixtureCoverageTest(fx);
