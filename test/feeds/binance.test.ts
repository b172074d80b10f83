import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { BINANCE_LIMITS, BINANCE_URL, STREAMS_PER_SUBSCRIBE, binance, createBinanceAdapter } from '../../src/feeds/binance.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, priceRoundTripProperty, scalarFrameTests } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('binance', binance);
const { frame, events, one, error } = fx;

describe('binance adapter: connection facts', () => {
  test('limits are the documented spot limits', () => {
    assert.deepEqual(BINANCE_LIMITS, {
      streamsPerConnection: 1024,
      connectAttempts: { count: 300, windowMs: 300_000 },
      maxLifetimeMs: 86_400_000,
      outgoingPerSecond: 5,
    });
    assert.equal(binance.limits, BINANCE_LIMITS);
    assert.equal(binance.venue, 'binance');
    assert.equal(binance.defaultUrl, BINANCE_URL);
    assert.equal(binance.appPing, undefined, 'Binance pings us with protocol pings; no app ping');
  });

  test('url is the combined-stream endpoint, trailing slash or not', () => {
    assert.equal(binance.url(BINANCE_URL, ['BTCUSDT'], ['trade']), 'wss://stream.binance.com:9443/stream');
    assert.equal(binance.url('ws://127.0.0.1:4000/', ['BTCUSDT'], ['trade']), 'ws://127.0.0.1:4000/stream');
  });

  test('channels: trade and bookTicker by default, aggTrade on request', () => {
    assert.deepEqual([...binance.defaultChannels], ['trade', 'bookTicker']);
    assert.deepEqual([...binance.channels].sort(), ['aggTrade', 'bookTicker', 'trade']);
    assert.equal(binance.streamsFor(['A', 'B', 'C'], ['trade', 'bookTicker']), 6);
  });

  test('subscribe frames: lowercase stream names, documented SUBSCRIBE shape', () => {
    const frames = binance.subscribeFrames(['BTCUSDT', 'ETHUSDT'], ['trade', 'bookTicker']);
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [
      { method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@bookTicker', 'ethusdt@trade', 'ethusdt@bookTicker'], id: 1 },
    ]);
  });

  test('subscribe frames are chunked, every stream exactly once, ids counting up', () => {
    const symbols = Array.from({ length: 450 }, (_, i) => `S${i}USDT`);
    const frames = binance.subscribeFrames(symbols, ['trade', 'bookTicker']).map((f) => JSON.parse(f) as { method: string; params: string[]; id: number });
    assert.equal(frames.length, Math.ceil(900 / STREAMS_PER_SUBSCRIBE));
    assert.deepEqual(frames.map((f) => f.id), frames.map((_, i) => i + 1));
    for (const f of frames) assert.ok(f.params.length <= STREAMS_PER_SUBSCRIBE && f.method === 'SUBSCRIBE');
    const all = frames.flatMap((f) => f.params);
    assert.equal(all.length, 900);
    assert.equal(new Set(all).size, 900);
    assert.equal(all[0], 's0usdt@trade');
    assert.equal(all[899], 's449usdt@bookTicker');
  });

  test('no symbols, no frames', () => {
    assert.deepEqual(binance.subscribeFrames([], ['trade']), []);
  });
});

describe('binance adapter: market data', () => {
  test('raw trade: T as event time, t as seq, m=true is a sell', () => {
    assert.deepEqual(one('trade'), {
      kind: 'trade',
      symbol: 'BTCUSDT',
      price: 66123.45,
      size: 0.0012,
      eventTime: 1721822400121,
      seq: 3685421543,
      side: 'sell',
    });
  });

  test('combined trade parses to the same event as the raw payload', () => {
    assert.deepEqual(one('trade-combined'), one('trade'));
  });

  test('m=false: the buyer took liquidity, a buy', () => {
    const e = one('trade-combined-buy');
    assert.equal(e.kind === 'trade' && e.side, 'buy');
    assert.equal(e.kind === 'trade' && e.price, 3412.07);
  });

  test('aggTrade uses the aggregate id as seq', () => {
    assert.deepEqual(one('aggtrade-combined'), {
      kind: 'trade',
      symbol: 'BTCUSDT',
      price: 66123.45,
      size: 0.015,
      eventTime: 1721822400121,
      seq: 2946121007,
      side: 'sell',
    });
  });

  test('raw bookTicker: bid/ask and sizes, no event time, u not used as seq', () => {
    assert.deepEqual(one('bookticker'), {
      kind: 'quote',
      symbol: 'BNBUSDT',
      bid: 25.3519,
      ask: 25.3652,
      bidSize: 31.21,
      askSize: 40.66,
      eventTime: undefined,
    });
  });

  test('combined bookTicker', () => {
    const e = one('bookticker-combined');
    assert.equal(e.kind, 'quote');
    assert.equal(e.kind === 'quote' && e.symbol, 'BTCUSDT');
    assert.equal(e.kind === 'quote' && e.bid, 66123.44);
    assert.equal(e.kind === 'quote' && e.ask, 66123.45);
    assert.equal(e.kind === 'quote' && e.seq, undefined);
  });
});

describe('binance adapter: control frames', () => {
  test('subscribe result is an ok subscription', () => {
    const e = one('subscribe-result');
    assert.equal(e.kind, 'subscribed');
    assert.equal(e.kind === 'subscribed' && e.ok, true);
  });

  test('a query result (LIST_SUBSCRIPTIONS) is not an event and not an error', () => {
    assert.deepEqual(binance.parse(frame('list-subscriptions-result')), []);
  });

  test('documented request errors are subscribe failures that end the connection', () => {
    for (const name of ['error-invalid-request', 'error-invalid-json', 'error-unknown-property', 'error-nested']) {
      const e = error(name);
      assert.equal(e.type, 'subscribe_failed', name);
      assert.equal(e.reconnect, 'subscribe_failed', name);
      assert.match(e.message, /^binance error [0-3]: /, name);
    }
    assert.match(error('error-invalid-request').message, /unknown variant `SUBSCRIB`/);
    assert.match(error('error-unknown-property').message, /\(request 5\)$/);
  });

  test('an undocumented error code is a venue error that does not by itself reconnect', () => {
    const e = error('error-nested-other');
    assert.equal(e.type, 'venue_error');
    assert.equal(e.reconnect, undefined);
    assert.match(e.message, /-1003: Too many requests queued/);
  });

  test('serverShutdown, raw and combined, announces a restart and asks for a reconnect with reason venue_notice', () => {
    for (const name of ['server-shutdown', 'server-shutdown-combined']) {
      const [status, e, ...rest] = events(name);
      assert.equal(rest.length, 0, name);
      assert.equal(status?.kind === 'venue_status' && status.status, 'restart_announced', name);
      assert.equal(e?.kind, 'notice', name);
      assert.equal(e?.kind === 'notice' && e.reconnect, 'venue_notice', name);
    }
  });
});

describe('binance adapter: bad frames become errors, never exceptions', () => {
  errorCaseTests(fx, [
    ['malformed-truncated', 'malformed_frame'],
    ['malformed-not-json', 'malformed_frame'],
    ['malformed-nan-price', 'invalid_price'],
    ['malformed-text-price', 'invalid_price'],
    ['malformed-negative-price', 'invalid_price'],
    ['malformed-zero-size', 'invalid_price'],
    ['malformed-missing-price', 'malformed_frame'],
    ['malformed-missing-time', 'invalid_timestamp'],
    ['malformed-bookticker-missing-ask', 'malformed_frame'],
    ['malformed-combined-null-data', 'unknown_message'],
    ['unknown-event-kline', 'unknown_message'],
    ['unknown-array', 'unknown_message'],
  ]);

  scalarFrameTests(fx, ['"trade"', '{"stream":"x"}', '{"e":"trade"}']);

  test('Infinity from JSON (1e999) is not a price', () => {
    const f = frame('trade').replace('"66123.45000000"', '"1e999"');
    const [e] = binance.parse(f);
    assert.equal(e?.kind === 'error' && e.type, 'invalid_price');
  });

  hostileFixturesTest(fx);

  // Real frames with one field replaced by an arbitrary JSON value.
  neverThrowsProperty(fx, 'property: parse never throws and every error has a known type and reason', {
    mutations: [{ fixture: 'trade-combined', at: ['data'], keys: ['e', 'E', 's', 't', 'p', 'q', 'T', 'm'], numRuns: 500 }],
  });

  priceRoundTripProperty(fx, 'property: any positive price string round-trips', (price, id) =>
    `{"stream":"x@trade","data":{"e":"trade","E":1,"s":"X","t":${id},"p":"${price}","q":"1","T":2,"m":false,"M":true}}`,
  );
});

describe('createBinanceAdapter', () => {
  test('same protocol under another venue key and URL', () => {
    const sim = createBinanceAdapter('simulator', '');
    assert.equal(sim.venue, 'simulator');
    assert.equal(sim.defaultUrl, '');
    assert.deepEqual(sim.parse(frame('trade')), binance.parse(frame('trade')));
    assert.deepEqual(sim.subscribeFrames(['BTCUSDT'], ['trade']), binance.subscribeFrames(['BTCUSDT'], ['trade']));
  });
});

fixtureCoverageTest(fx);
