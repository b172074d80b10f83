import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { COINBASE_LIMITS, COINBASE_URL, SUBSCRIPTIONS_PER_FRAME, coinbase } from '../../src/feeds/coinbase.js';
import { ADAPTERS } from '../../src/feeds/index.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, priceRoundTripProperty, scalarFrameTests, type ErrorCase } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('coinbase', coinbase);
const { frame, one, error } = fx;

const cases: ErrorCase[] = [
  ['malformed-not-json', 'malformed_frame'],
  ['malformed-truncated', 'malformed_frame'],
  ['malformed-nan-price', 'invalid_price'],
  ['malformed-negative-size', 'invalid_price'],
  ['malformed-bad-time', 'invalid_timestamp'],
  ['malformed-missing-product', 'malformed_frame'],
  ['malformed-trade-id-string', 'malformed_frame'],
  ['malformed-ticker-bad-bid', 'invalid_price'],
  ['malformed-heartbeat-no-product', 'malformed_frame'],
  ['unknown-type-received', 'unknown_message'],
  ['unknown-array', 'unknown_message'],
];

describe('coinbase adapter: connection facts', () => {
  test('registered under its venue key, with the documented endpoint and limits', () => {
    assert.equal(ADAPTERS.coinbase, coinbase);
    assert.equal(coinbase.venue, 'coinbase');
    assert.equal(coinbase.defaultUrl, 'wss://ws-feed.exchange.coinbase.com');
    assert.equal(coinbase.defaultUrl, COINBASE_URL);
    assert.deepEqual(COINBASE_LIMITS, {
      streamsPerConnection: 300,
      connectAttempts: { count: 8, windowMs: 1000 },
      argsPerSubscribe: SUBSCRIPTIONS_PER_FRAME,
      outgoingPerSecond: 10,
    });
    assert.equal(coinbase.limits, COINBASE_LIMITS);
    assert.equal(coinbase.appPing, undefined, 'Coinbase answers protocol pings; no app ping');
  });

  test('channels: matches, ticker and heartbeat, all by default; one stream per product and channel', () => {
    assert.deepEqual([...coinbase.defaultChannels], ['matches', 'ticker', 'heartbeat']);
    assert.deepEqual([...coinbase.channels].sort(), ['heartbeat', 'matches', 'ticker']);
    assert.equal(coinbase.streamsFor(['BTC-USD', 'ETH-USD'], ['matches', 'ticker', 'heartbeat']), 6);
  });

  test('url is the base endpoint as given', () => {
    assert.equal(coinbase.url(COINBASE_URL, ['BTC-USD'], ['matches']), COINBASE_URL);
    assert.equal(coinbase.url('ws://127.0.0.1:4000/', ['BTC-USD'], ['matches']), 'ws://127.0.0.1:4000/');
  });

  test('subscribe frame is the documented request shape', () => {
    const frames = coinbase.subscribeFrames(['BTC-USD', 'ETH-USD'], ['matches', 'ticker', 'heartbeat']);
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [JSON.parse(frame('subscribe-request'))]);
  });

  test('subscribe frames are chunked under the per-frame budget, every product exactly once', () => {
    const products = Array.from({ length: 250 }, (_, i) => `C${i}-USD`);
    const channels = ['matches', 'ticker', 'heartbeat'];
    const frames = coinbase.subscribeFrames(products, channels).map((f) => JSON.parse(f) as { type: string; product_ids: string[]; channels: string[] });
    assert.equal(frames.length, Math.ceil(250 / Math.floor(SUBSCRIPTIONS_PER_FRAME / 3)));
    for (const f of frames) {
      assert.equal(f.type, 'subscribe');
      assert.deepEqual(f.channels, channels);
      assert.ok(f.product_ids.length * f.channels.length <= SUBSCRIPTIONS_PER_FRAME);
    }
    assert.deepEqual(frames.flatMap((f) => f.product_ids), products);
    assert.deepEqual(coinbase.subscribeFrames([], channels), []);
  });
});

describe('coinbase adapter: market data', () => {
  test('match: trade_id is seq, ISO time with µs in epoch ms, maker sell means a taker buy', () => {
    const e = one('match');
    assert.equal(e.kind, 'trade');
    if (e.kind !== 'trade') return;
    assert.equal(e.symbol, 'BTC-USD');
    assert.equal(e.price, 66123.45);
    assert.equal(e.size, 0.01655371);
    assert.equal(e.seq, 370843401, 'trade_id, not the full-feed sequence');
    assert.equal(e.side, 'buy');
    assert.ok(Math.abs(e.eventTime - (Date.UTC(2024, 6, 24, 12, 0, 0, 121) + 0.459)) < 1e-3, String(e.eventTime));
  });

  test('match with a maker buy is a taker sell, and the next trade id follows', () => {
    const e = one('match-maker-buy');
    assert.equal(e.kind === 'trade' && e.side, 'sell');
    assert.equal(e.kind === 'trade' && e.seq, 370843402);
  });

  test('last_match (the trade before we subscribed) only sets the price: no time, no seq', () => {
    assert.deepEqual(one('last-match'), { kind: 'quote', symbol: 'BTC-USD', last: 66120 });
  });

  test('ticker: a quote with book top, sizes, last price and event time, no seq', () => {
    assert.deepEqual(one('ticker'), {
      kind: 'quote',
      symbol: 'ETH-USD',
      last: 1285.22,
      bid: 1285.04,
      ask: 1285.27,
      bidSize: 0.46688654,
      askSize: 1.5663704,
      eventTime: Date.UTC(2022, 9, 19, 23, 28, 22, 61) + 0.769,
    });
  });

  test('ticker without book fields (older shape) is a last-price quote', () => {
    const e = one('ticker-no-book');
    assert.equal(e.kind, 'quote');
    if (e.kind !== 'quote') return;
    assert.equal(e.last, 4388.01);
    assert.equal(e.bid, undefined);
    assert.equal(e.ask, undefined);
    assert.equal(e.eventTime, Date.UTC(2017, 8, 2, 17, 5, 49, 250));
  });

  test('heartbeat: per product, with time, without a seq that would repeat the last trade id', () => {
    assert.deepEqual(one('heartbeat'), {
      kind: 'heartbeat',
      symbol: 'BTC-USD',
      eventTime: Date.UTC(2024, 6, 24, 12, 0, 1, 464) + 0.459,
    });
  });
});

describe('coinbase adapter: control frames', () => {
  test('subscriptions is an ok subscription naming the channels', () => {
    const e = one('subscriptions');
    assert.equal(e.kind, 'subscribed');
    if (e.kind !== 'subscribed') return;
    assert.equal(e.ok, true);
    assert.equal(e.message, 'subscribed: matches(2), ticker(2), heartbeat(2)');
  });

  test('a refused subscribe ends the connection as subscribe_failed and says why', () => {
    const e = error('error-subscribe');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, 'subscribe_failed');
    assert.equal(e.message, 'coinbase error: Failed to subscribe (BTC-XYZ is not a valid product)');
  });

  test('any other error frame precedes a disconnect: venue_error, reconnect', () => {
    const e = error('error-slow-consume');
    assert.equal(e.type, 'venue_error');
    assert.equal(e.reconnect, 'venue_error');
    assert.match(e.message, /ErrSlowConsume/);
  });
});

describe('coinbase adapter: bad frames become errors, never exceptions', () => {
  errorCaseTests(fx, cases);

  const odd = ['{"type":{"toString":{}}}', '{"type":"match","product_id":"X","price":"1","size":"1","trade_id":1,"time":{"toString":{}}}'];
  scalarFrameTests(fx, ['"match"', '{"type":"match"}', '{"type":"ticker"}', '{"type":"last_match"}', ...odd], 'JSON scalars, empty objects and half-filled messages');

  test('Infinity from a decimal string (1e999) is not a price', () => {
    const [e] = coinbase.parse(frame('match').replace('"66123.45"', '"1e999"'));
    assert.equal(e?.kind === 'error' && e.type, 'invalid_price');
  });

  hostileFixturesTest(fx);

  neverThrowsProperty(fx, 'property: parse never throws; errors have known types and reasons; seq is always an integer', {
    invariant: (e) => {
      if ((e.kind === 'trade' || e.kind === 'quote' || e.kind === 'heartbeat') && e.seq !== undefined) assert.ok(Number.isSafeInteger(e.seq));
    },
    mutations: ['match', 'ticker', 'heartbeat', 'last-match', 'subscriptions', 'error-subscribe'].map((fixture) => ({ fixture, numRuns: 200 })),
  });

  priceRoundTripProperty(fx, 'property: any positive price string and integer trade id round-trip', (price, id) =>
    `{"type":"match","trade_id":${id},"side":"buy","size":"1","price":"${price}","product_id":"X-USD","sequence":1,"time":"2024-07-24T12:00:00.000001Z"}`,
  );
});

fixtureCoverageTest(fx, [
  ...cases.map(([n]) => n),
  'match',
  'match-maker-buy',
  'last-match',
  'ticker',
  'ticker-no-book',
  'heartbeat',
  'subscriptions',
  'subscribe-request',
  'error-subscribe',
  'error-slow-consume',
]);
