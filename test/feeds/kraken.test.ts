import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../../src/feeds/index.js';
import { KRAKEN_LIMITS, KRAKEN_PING_INTERVAL_MS, KRAKEN_URL, SYMBOLS_PER_SUBSCRIBE, kraken } from '../../src/feeds/kraken.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, priceRoundTripProperty, scalarFrameTests, type ErrorCase } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('kraken', kraken);
const { frame, events, one, error } = fx;

const cases: ErrorCase[] = [
  ['malformed-not-json', 'malformed_frame'],
  ['malformed-truncated', 'malformed_frame'],
  ['malformed-price-string', 'malformed_frame'],
  ['malformed-zero-qty', 'invalid_price'],
  ['malformed-bad-timestamp', 'invalid_timestamp'],
  ['malformed-data-not-array', 'malformed_frame'],
  ['malformed-ticker-negative-ask', 'invalid_price'],
  ['unknown-channel-level3', 'unknown_message'],
  ['unknown-v1-array', 'unknown_message'],
  ['status-unknown-system', 'unknown_message'],
];

const iso = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, us = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms) + us / 1000;

describe('kraken adapter: connection facts', () => {
  test('registered under its venue key, with the v2 endpoint and the documented limits', () => {
    assert.equal(ADAPTERS.kraken, kraken);
    assert.equal(kraken.venue, 'kraken');
    assert.equal(kraken.defaultUrl, 'wss://ws.kraken.com/v2');
    assert.equal(kraken.defaultUrl, KRAKEN_URL);
    assert.deepEqual(KRAKEN_LIMITS, {
      streamsPerConnection: 400,
      connectAttempts: { count: 150, windowMs: 600_000 },
      argsPerSubscribe: SYMBOLS_PER_SUBSCRIBE,
      outgoingPerSecond: 5,
    });
    assert.equal(kraken.limits, KRAKEN_LIMITS);
  });

  test('channels: trade and ticker; the heartbeat is per connection and costs no stream', () => {
    assert.deepEqual([...kraken.defaultChannels], ['trade', 'ticker']);
    assert.deepEqual([...kraken.channels].sort(), ['ticker', 'trade']);
    assert.equal(kraken.streamsFor(['BTC/USD', 'ETH/USD', 'SOL/USD'], ['trade', 'ticker']), 6);
  });

  test('url is the base endpoint as given', () => {
    assert.equal(kraken.url(KRAKEN_URL, ['BTC/USD'], ['trade']), KRAKEN_URL);
    assert.equal(kraken.url('ws://127.0.0.1:4000/', ['BTC/USD'], ['trade']), 'ws://127.0.0.1:4000/');
  });

  test('subscribe frames: heartbeat first, then each channel in the documented request shape', () => {
    const frames = kraken.subscribeFrames(['BTC/USD', 'MATIC/GBP'], ['trade', 'ticker']).map((f) => JSON.parse(f));
    assert.deepEqual(frames, [
      JSON.parse(frame('subscribe-request-heartbeat')),
      JSON.parse(frame('subscribe-request-trade')),
      JSON.parse(frame('subscribe-request-ticker')),
    ]);
  });

  test('subscribe frames are chunked per channel, every symbol once per channel, req_ids counting up', () => {
    const symbols = Array.from({ length: 230 }, (_, i) => `S${i}/USD`);
    const frames = kraken.subscribeFrames(symbols, ['trade', 'ticker']).map(
      (f) => JSON.parse(f) as { method: string; params: { channel: string; symbol?: string[] }; req_id: number },
    );
    const per = Math.ceil(230 / SYMBOLS_PER_SUBSCRIBE);
    assert.equal(frames.length, 1 + 2 * per);
    assert.deepEqual(frames.map((f) => f.req_id), frames.map((_, i) => i + 1));
    for (const channel of ['trade', 'ticker']) {
      const of = frames.filter((f) => f.params.channel === channel);
      assert.equal(of.length, per);
      for (const f of of) assert.ok(f.method === 'subscribe' && f.params.symbol!.length <= SYMBOLS_PER_SUBSCRIBE);
      assert.deepEqual(of.flatMap((f) => f.params.symbol), symbols);
    }
    assert.deepEqual(kraken.subscribeFrames([], ['trade']), []);
  });

  test('app ping: the documented request with our send time as req_id, every 10 s', () => {
    const ping = kraken.appPing;
    assert.ok(ping);
    assert.equal(ping.intervalMs, KRAKEN_PING_INTERVAL_MS);
    assert.equal(KRAKEN_PING_INTERVAL_MS, 10_000);
    const sent = JSON.parse(ping.frame(1721822400000.75)) as Record<string, unknown>;
    const documented = JSON.parse(frame('ping-request')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sent).sort(), Object.keys(documented).sort());
    assert.deepEqual(sent, { method: 'ping', req_id: 1721822400000 }, 'an integer, as req_id must be');
  });
});

describe('kraken adapter: market data', () => {
  test('trade update: every trade in the batch, trade_id as seq, RFC 3339 µs time, taker side', () => {
    assert.deepEqual(events('trade-update'), [
      { kind: 'trade', symbol: 'MATIC/USD', price: 0.5117, size: 40, eventTime: iso(2023, 9, 25, 7, 49, 37, 708, 706), seq: 4665906, side: 'sell' },
      { kind: 'trade', symbol: 'MATIC/USD', price: 0.5118, size: 12.5, eventTime: iso(2023, 9, 25, 7, 49, 37, 708, 706), seq: 4665907, side: 'buy' },
    ]);
  });

  test('trade snapshot (past trades) only sets the price: newest trade, no time, no seq', () => {
    assert.deepEqual(events('trade-snapshot'), [{ kind: 'quote', symbol: 'MATIC/USD', last: 0.5148 }]);
  });

  test('ticker snapshot without timestamp: a quote with no event time', () => {
    assert.deepEqual(one('ticker-snapshot'), {
      kind: 'quote',
      symbol: 'ALGO/USD',
      bid: 0.10025,
      ask: 0.10036,
      bidSize: 740,
      askSize: 1361.44813783,
      last: 0.10035,
    });
  });

  test('ticker update with timestamp: same schema, event time set', () => {
    assert.deepEqual(one('ticker-update'), {
      kind: 'quote',
      symbol: 'ALGO/USD',
      bid: 0.10025,
      ask: 0.10035,
      bidSize: 740,
      askSize: 740,
      last: 0.10035,
      eventTime: iso(2023, 9, 25, 9, 4, 31, 742, 648),
    });
  });

  test('a bad trade in a batch is dropped alone; its neighbour survives', () => {
    const evs = events('trade-update-mixed');
    assert.equal(evs.length, 2);
    assert.equal(evs[0]?.kind === 'trade' && evs[0].seq, 4665906);
    assert.equal(evs[1]?.kind === 'error' && evs[1].type, 'invalid_price');
  });

  test('heartbeat: one per connection, no symbol', () => {
    assert.deepEqual(one('heartbeat'), { kind: 'heartbeat' });
  });
});

describe('kraken adapter: control frames', () => {
  test('pong: req_id (our send time) is sentAt, the midpoint of time_in and time_out is the venue clock', () => {
    assert.deepEqual(one('pong'), {
      kind: 'pong',
      sentAt: 1721822400000,
      serverTime: iso(2024, 7, 24, 12, 0, 0, 50, 100),
    });
  });

  test('pong to a ping we did not time (small req_id): alive, venue clock, no round trip', () => {
    const e = one('pong-small-req-id');
    assert.equal(e.kind, 'pong');
    assert.equal(e.kind === 'pong' && e.sentAt, undefined);
    assert.ok(e.kind === 'pong' && e.serverTime! > iso(2023, 9, 24, 14, 10, 23, 799));
  });

  test('status: each engine state is a venue status that does not reconnect', () => {
    for (const [name, status] of [
      ['status-online', 'online'],
      ['status-maintenance', 'maintenance'],
      ['status-cancel-only', 'cancel_only'],
      ['status-post-only', 'post_only'],
    ] as const) {
      const e = one(name);
      assert.deepEqual(e, { kind: 'venue_status', status, message: `kraken system status ${status}` }, name);
    }
  });

  test('status: the earliest announced window affecting spot data is the next maintenance; an empty list says none', () => {
    const e = one('status-online-maintenance-announced');
    assert.equal(e.kind, 'venue_status');
    // The futures window comes first but does not stop spot data.
    assert.equal(e.kind === 'venue_status' && e.maintenanceStart, Date.UTC(2026, 11, 3, 6, 0, 0));
    assert.match(e.kind === 'venue_status' ? e.message : '', /online; maintenance from 2026-12-03T06:00:00.000Z \(reminder_24h\)$/);
    const none = one('status-online-nothing-scheduled');
    assert.equal(none.kind === 'venue_status' && none.maintenanceStart, null);
    assert.equal(one('status-online').kind === 'venue_status' && 'maintenanceStart' in one('status-online'), false, 'no list: nothing said');
  });

  test('subscribe acks, per symbol and for the heartbeat, are ok subscriptions', () => {
    assert.deepEqual(one('subscribe-ack'), { kind: 'subscribed', ok: true, message: 'ticker ALGO/USD' });
    assert.deepEqual(one('subscribe-ack-heartbeat'), { kind: 'subscribed', ok: true, message: 'heartbeat' });
  });

  test('a refused symbol is counted and keeps the connection (the other symbols are fine)', () => {
    const e = error('subscribe-error-symbol');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, undefined);
    assert.equal(e.message, 'kraken subscribe refused: Currency pair not supported ALGO/USDX (symbol ALGO/USDX)');
  });

  test('a refused request (no symbol) ends the connection as subscribe_failed', () => {
    const e = error('subscribe-error-request');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, 'subscribe_failed');
    assert.match(e.message, /EGeneral:Invalid arguments/);
  });

  test('a bare error frame (message rate exceeded) is a venue error', () => {
    const e = error('error-rate');
    assert.equal(e.type, 'venue_error');
    assert.equal(e.message, 'kraken error: Exceeded msg rate');
  });

  test('answers to requests we never send: nothing when accepted, a venue error when refused', () => {
    assert.deepEqual(kraken.parse('{"method":"unsubscribe","result":{"channel":"trade","symbol":"BTC/USD"},"success":true}'), []);
    const [e] = kraken.parse('{"method":"unsubscribe","error":"Subscription Not Found","success":false}');
    assert.equal(e?.kind === 'error' && e.type, 'venue_error');
  });
});

describe('kraken adapter: bad frames become errors, never exceptions', () => {
  errorCaseTests(fx, cases);

  scalarFrameTests(
    fx,
    ['"trade"', '{"channel":"trade"}', '{"channel":{"toString":{}}}', '{"method":{"toString":{}},"success":false}'],
    'JSON scalars, empty objects and odd values',
  );

  test('a trade entry that is not an object is an error; an empty batch is nothing', () => {
    assert.equal(kraken.parse('{"channel":"trade","type":"update","data":[7]}')[0]?.kind, 'error');
    assert.deepEqual(kraken.parse('{"channel":"trade","type":"update","data":[]}'), []);
  });

  test('Infinity from JSON (1e999) is not a price', () => {
    const [e] = kraken.parse(frame('trade-update').replace('"price":0.5117', '"price":1e999'));
    assert.equal(e?.kind === 'error' && e.type, 'invalid_price');
  });

  hostileFixturesTest(fx);

  neverThrowsProperty(fx, 'property: parse never throws; errors have known types and reasons; seq is always an integer', {
    invariant: (e) => {
      if (e.kind === 'trade') assert.ok(Number.isSafeInteger(e.seq));
    },
    mutations: [
      // Real entries with one field replaced by an arbitrary JSON value.
      ...['trade-update', 'ticker-update'].map((fixture) => ({ fixture, at: ['data', 0], numRuns: 300 })),
      ...['pong', 'subscribe-ack', 'subscribe-error-symbol', 'status-online'].map((fixture) => ({ fixture, numRuns: 200 })),
    ],
  });

  priceRoundTripProperty(fx, 'property: any positive price and integer trade id round-trip', (price, id) =>
    JSON.stringify({
      channel: 'trade',
      type: 'update',
      data: [{ symbol: 'X/USD', side: 'buy', price, qty: 1, ord_type: 'limit', trade_id: id, timestamp: '2024-07-24T12:00:00.000001Z' }],
    }),
  );
});

fixtureCoverageTest(fx, [
  ...cases.map(([n]) => n),
  'trade-update',
  'trade-update-mixed',
  'trade-snapshot',
  'ticker-snapshot',
  'ticker-update',
  'heartbeat',
  'status-online',
  'status-maintenance',
  'status-cancel-only',
  'status-post-only',
  'status-online-maintenance-announced',
  'status-online-nothing-scheduled',
  'subscribe-ack',
  'subscribe-ack-heartbeat',
  'subscribe-error-symbol',
  'subscribe-error-request',
  'subscribe-request-heartbeat',
  'subscribe-request-trade',
  'subscribe-request-ticker',
  'ping-request',
  'pong',
  'pong-small-req-id',
  'error-rate',
]);
