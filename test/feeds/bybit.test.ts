import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import {
  BYBIT_LINEAR_LIMITS,
  BYBIT_LINEAR_URL,
  BYBIT_PING_INTERVAL_MS,
  BYBIT_SPOT_LIMITS,
  BYBIT_SPOT_URL,
  bybit,
  bybitLinear,
  createBybitAdapter,
} from '../../src/feeds/bybit.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, scalarFrameTests } from '../support/adapter-fixtures.js';

/** Every fixture read marks it exercised; a new fixture without a test fails the last test here. */
const fx = adapterFixtures('bybit', bybit);
const { frame, one, error } = fx;

type Subscribe = { req_id: string; op: string; args: string[] };

describe('bybit adapters: connection facts', () => {
  test('two venues, one per category endpoint', () => {
    assert.equal(bybit.venue, 'bybit');
    assert.equal(bybit.defaultUrl, 'wss://stream.bybit.com/v5/public/spot');
    assert.equal(bybitLinear.venue, 'bybit-linear');
    assert.equal(bybitLinear.defaultUrl, BYBIT_LINEAR_URL);
    assert.equal(BYBIT_LINEAR_URL, 'wss://stream.bybit.com/v5/public/linear');
    assert.equal(bybit.url(BYBIT_SPOT_URL, ['BTCUSDT'], ['publicTrade']), BYBIT_SPOT_URL);
    assert.equal(bybitLinear.url('ws://127.0.0.1:5000/v5/public/linear', [], []), 'ws://127.0.0.1:5000/v5/public/linear');
  });

  test('limits: 500 connections per 5 min, 500 topics per connection, 10 args per spot subscribe', () => {
    assert.deepEqual(BYBIT_SPOT_LIMITS, {
      streamsPerConnection: 500,
      connectAttempts: { count: 500, windowMs: 300_000 },
      argsPerSubscribe: 10,
    });
    assert.equal(BYBIT_LINEAR_LIMITS.argsPerSubscribe, 200);
    assert.equal(bybit.limits, BYBIT_SPOT_LIMITS);
    assert.equal(bybitLinear.limits, BYBIT_LINEAR_LIMITS);
    // 500 topics of the longest channel and a 26-character symbol stay under 21,000 characters.
    const longest = JSON.stringify(Array.from({ length: 500 }, () => `publicTrade.${'X'.repeat(26)}`));
    assert.ok(longest.length <= 21_000, `${longest.length}`);
  });

  test('channels: publicTrade and tickers, both by default', () => {
    assert.deepEqual([...bybit.channels], ['publicTrade', 'tickers']);
    assert.deepEqual([...bybit.defaultChannels], ['publicTrade', 'tickers']);
    assert.equal(bybit.streamsFor(['A', 'B'], ['publicTrade', 'tickers']), 4);
  });

  test('app ping every 20 s puts our send time in req_id', () => {
    assert.ok(bybit.appPing);
    assert.equal(bybit.appPing.intervalMs, BYBIT_PING_INTERVAL_MS);
    assert.equal(BYBIT_PING_INTERVAL_MS, 20_000);
    assert.deepEqual(JSON.parse(bybit.appPing.frame(1_700_000_000_123)), { req_id: '1700000000123', op: 'ping' });
  });

  test('subscribe frames: topic per symbol x channel, at most 10 per spot frame', () => {
    const symbols = Array.from({ length: 12 }, (_, i) => `C${i}USDT`);
    const frames = bybit.subscribeFrames(symbols, ['publicTrade', 'tickers']).map((f) => JSON.parse(f) as Subscribe);
    assert.equal(frames.length, 3);
    assert.deepEqual(frames.map((f) => f.args.length), [10, 10, 4]);
    assert.deepEqual(frames.map((f) => f.req_id), ['sub-1', 'sub-2', 'sub-3']);
    assert.deepEqual(frames[0]!.args.slice(0, 3), ['publicTrade.C0USDT', 'tickers.C0USDT', 'publicTrade.C1USDT']);
    const all = frames.flatMap((f) => f.args);
    assert.equal(new Set(all).size, 24);
    for (const f of frames) assert.equal(f.op, 'subscribe');
  });

  test('linear takes bigger frames; no symbols, no frames', () => {
    const symbols = Array.from({ length: 150 }, (_, i) => `C${i}USDT`);
    const frames = bybitLinear.subscribeFrames(symbols, ['publicTrade', 'tickers']).map((f) => JSON.parse(f) as Subscribe);
    assert.deepEqual(frames.map((f) => f.args.length), [200, 100]);
    assert.deepEqual(bybit.subscribeFrames([], ['publicTrade']), []);
  });
});

describe('bybit adapters: market data', () => {
  test('spot trade: T as event time, S as taker side, cross sequence NOT used as seq', () => {
    assert.deepEqual(one('trade-spot'), {
      kind: 'trade',
      symbol: 'BTCUSDT',
      price: 16578.5,
      size: 0.001,
      eventTime: 1672304486865,
      side: 'buy',
    });
  });

  test('linear trade parses the same way on the linear venue', () => {
    const events = bybitLinear.parse(frame('trade-linear'));
    assert.deepEqual(events, [{ kind: 'trade', symbol: 'BTCUSDT', price: 16578.5, size: 0.001, eventTime: 1672304486865, side: 'buy' }]);
  });

  test('several trades in one message (same cross sequence) give one event each, no seq', () => {
    const events = bybit.parse(frame('trade-two'));
    assert.deepEqual(
      events.map((e) => e.kind === 'trade' && [e.price, e.size, e.side, e.seq]),
      [
        [1201.44, 0.52, 'sell', undefined],
        [1201.4, 1.1, 'sell', undefined],
      ],
    );
  });

  test('spot ticker: last price only (spot tickers carry no book), message ts as event time', () => {
    assert.deepEqual(one('ticker-spot'), { kind: 'quote', symbol: 'BTCUSDT', eventTime: 1673853746003, last: 21109.77 });
  });

  test('linear ticker snapshot: last, bid/ask and sizes; mark, index and funding beside them', () => {
    assert.deepEqual(bybitLinear.parse(frame('ticker-linear-snapshot')), [
      {
        kind: 'quote',
        symbol: 'BTCUSDT',
        eventTime: 1760325052630,
        last: 66666.6,
        bid: 66666.6,
        ask: 66666.7,
        bidSize: 23789.165,
        askSize: 23775.469,
      },
      // No eventTime beside the quote: the message's lag is observed once, through the quote.
      {
        kind: 'mark',
        symbol: 'BTCUSDT',
        markPrice: 66666.6,
        indexPrice: 115418.19,
        fundingRate: -0.005,
        nextFundingTime: 1760342400000,
      },
    ]);
  });

  test('linear ticker delta with only mark, index and funding: a mark event with those, no quote', () => {
    assert.deepEqual(one('ticker-linear-delta-funding'), {
      kind: 'mark',
      symbol: 'BTCUSDT',
      eventTime: 1760325053630,
      markPrice: 66650.1,
      indexPrice: 66655.32,
      fundingRate: 0.0001,
    });
  });

  test('a spot ticker has no mark fields: no mark event', () => {
    assert.deepEqual(bybit.parse(frame('ticker-spot')).map((e) => e.kind), ['quote']);
  });

  test('the linear feed refuses the spot endpoint at config load', () => {
    const [p] = bybitLinear.validateOptions!({}, { url: 'wss://stream.bybit.com/v5/public/spot' });
    assert.deepEqual(p?.path, ['url']);
    assert.equal(p?.message, "/v5/public/spot is not Bybit's linear category; bybit-linear needs /v5/public/linear (perpetuals and futures)");
    assert.deepEqual(bybitLinear.validateOptions!({}, { url: 'ws://127.0.0.1:5000/v5/public/linear' }), []);
    assert.equal(bybit.validateOptions, undefined, 'spot takes any url');
  });

  test('linear ticker delta: only what changed', () => {
    assert.deepEqual(one('ticker-linear-delta'), { kind: 'quote', symbol: 'BTCUSDT', eventTime: 1760325052730, bid: 66666.5, bidSize: 12.5 });
  });

  test('a delta without last/bid/ask (open interest moved) is no event and no error', () => {
    assert.deepEqual(bybitLinear.parse(frame('ticker-linear-delta-oi')), []);
  });
});

describe('bybit adapters: control frames', () => {
  test('subscribe acks (spot and linear shapes)', () => {
    assert.deepEqual(one('subscribe-ack-spot'), { kind: 'subscribed', ok: true, message: 'request 10001 acknowledged' });
    assert.equal(one('subscribe-ack-linear').kind, 'subscribed');
  });

  test('a refused topic is subscribe_failed WITHOUT a reconnect, naming the topic', () => {
    const e = error('subscribe-failed');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, undefined);
    assert.equal(e.message, 'bybit subscribe refused: error:handler not found,topic:publicTrade.BTCUSDX');
  });

  test('unsubscribe ack: nothing', () => {
    assert.deepEqual(bybit.parse(frame('unsubscribe-ack')), []);
  });

  test('pong echoing our req_id gives sentAt (a round trip)', () => {
    assert.deepEqual(one('pong-spot'), { kind: 'pong', sentAt: 1672916271800 });
  });

  test('pong with an empty req_id: alive, no round trip', () => {
    assert.deepEqual(one('pong-linear-no-req-id'), { kind: 'pong' });
  });

  test('op:pong with args (option/spread/private form) gives the venue clock', () => {
    assert.deepEqual(one('pong-option'), { kind: 'pong', serverTime: 1672916271846 });
  });

  test('the adapter round trip: our ping frame, echoed, gives back our send time', () => {
    const ping = JSON.parse(bybit.appPing!.frame(1_700_000_000_500)) as { req_id: string };
    const pong = JSON.stringify({ success: true, ret_msg: 'pong', conn_id: 'x', req_id: ping.req_id, op: 'ping' });
    assert.deepEqual(bybit.parse(pong), [{ kind: 'pong', sentAt: 1_700_000_000_500 }]);
  });
});

describe('bybit adapters: bad frames become errors, never exceptions', () => {
  errorCaseTests(fx, [
    ['malformed-truncated', 'malformed_frame'],
    ['malformed-not-json', 'malformed_frame'],
    ['malformed-nan-price', 'invalid_price'],
    ['malformed-negative-size', 'invalid_price'],
    ['malformed-missing-price', 'malformed_frame'],
    ['malformed-string-time', 'invalid_timestamp'],
    ['malformed-ticker-bad-ask', 'invalid_price'],
    ['malformed-ticker-bad-mark', 'invalid_price'],
    ['malformed-trade-data-object', 'malformed_frame'],
    ['unknown-topic-orderbook', 'unknown_message'],
    ['unknown-op-auth', 'unknown_message'],
    ['unknown-array', 'unknown_message'],
  ]);

  scalarFrameTests(fx, ['"pong"', '{"topic":7}', 'pong']);

  hostileFixturesTest(fx, [bybit, bybitLinear]);

  neverThrowsProperty(fx, 'property: parse never throws and every error has a known type and reason', {
    invariant: (e) => {
      if (e.kind === 'trade') assert.ok(e.price > 0 && e.size > 0 && e.eventTime > 0);
      if (e.kind === 'pong' && e.sentAt !== undefined) assert.ok(Number.isFinite(e.sentAt));
    },
    mutations: [
      { fixture: 'trade-linear', at: ['data', 0], keys: ['T', 's', 'S', 'v', 'p', 'i', 'seq'], numRuns: 500 },
      { fixture: 'pong-spot', keys: ['req_id', 'op', 'success', 'args'], numRuns: 300 },
    ],
  });
});

test('createBybitAdapter: same protocol, another venue key, endpoint and frame size', () => {
  const a = createBybitAdapter('bybit-test', 'ws://127.0.0.1:1/', { streamsPerConnection: 4, argsPerSubscribe: 1 });
  assert.equal(a.venue, 'bybit-test');
  assert.equal(a.subscribeFrames(['A', 'B'], ['tickers']).length, 2);
  assert.deepEqual(a.parse(frame('trade-spot')), bybit.parse(frame('trade-spot')));
});

fixtureCoverageTest(fx);
