import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ADAPTERS } from '../../src/feeds/index.js';
import { KRAKEN_LIMITS, KRAKEN_PING_INTERVAL_MS, KRAKEN_URL, SYMBOLS_PER_SUBSCRIBE, kraken } from '../../src/feeds/kraken.js';
import { ERROR_TYPES, RECONNECT_REASONS, type ErrorEvent, type MarketEvent } from '../../src/feeds/types.js';

const DIR = new URL('../fixtures/kraken/', import.meta.url);

/** A frame as it arrives on the socket (the files end with a newline; frames do not). */
function frame(name: string): string {
  return readFileSync(new URL(`${name}.json`, DIR), 'utf8').replace(/\n$/, '');
}

function events(name: string): MarketEvent[] {
  return kraken.parse(frame(name));
}

function one(name: string): MarketEvent {
  const evs = events(name);
  assert.equal(evs.length, 1, `${name}: ${JSON.stringify(evs)}`);
  return evs[0] as MarketEvent;
}

function error(name: string): ErrorEvent {
  const e = one(name);
  assert.equal(e.kind, 'error', `${name} should be an error, got ${JSON.stringify(e)}`);
  return e as ErrorEvent;
}

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

  test('status online is no event; any other engine state is a notice that does not reconnect', () => {
    assert.deepEqual(events('status-online'), []);
    const e = one('status-maintenance');
    assert.equal(e.kind, 'notice');
    assert.equal(e.kind === 'notice' && e.message, 'kraken system status maintenance');
    assert.equal(e.kind === 'notice' && e.reconnect, undefined);
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
  const cases: [string, string][] = [
    ['malformed-not-json', 'malformed_frame'],
    ['malformed-truncated', 'malformed_frame'],
    ['malformed-price-string', 'malformed_frame'],
    ['malformed-zero-qty', 'invalid_price'],
    ['malformed-bad-timestamp', 'invalid_timestamp'],
    ['malformed-data-not-array', 'malformed_frame'],
    ['malformed-ticker-negative-ask', 'invalid_price'],
    ['unknown-channel-book', 'unknown_message'],
    ['unknown-v1-array', 'unknown_message'],
  ];
  for (const [name, type] of cases) {
    test(`${name} -> ${type}`, () => {
      const e = error(name);
      assert.equal(e.type, type);
      assert.equal(e.reconnect, undefined, 'a bad frame does not end the session');
      assert.ok(e.message.length > 0 && e.message.length < 300, 'bounded message');
    });
  }

  test('every fixture is covered by a test above', () => {
    const covered = new Set([
      ...cases.map(([n]) => n),
      'trade-update',
      'trade-update-mixed',
      'trade-snapshot',
      'ticker-snapshot',
      'ticker-update',
      'heartbeat',
      'status-online',
      'status-maintenance',
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
    const files = readdirSync(DIR).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(files.filter((f) => !covered.has(f)), []);
  });

  test('JSON scalars, empty objects and odd values', () => {
    const inputs = ['null', '42', '"trade"', '{}', '', '{"channel":"trade"}', '{"channel":{"toString":{}}}', '{"method":{"toString":{}},"success":false}'];
    for (const f of inputs) {
      const evs = kraken.parse(f);
      assert.equal(evs.length, 1, f);
      assert.equal(evs[0]?.kind, 'error', f);
    }
    // A trade entry that is not an object, and an empty batch.
    assert.equal(kraken.parse('{"channel":"trade","type":"update","data":[7]}')[0]?.kind, 'error');
    assert.deepEqual(kraken.parse('{"channel":"trade","type":"update","data":[]}'), []);
  });

  test('Infinity from JSON (1e999) is not a price', () => {
    const [e] = kraken.parse(frame('trade-update').replace('"price":0.5117', '"price":1e999'));
    assert.equal(e?.kind === 'error' && e.type, 'invalid_price');
  });

  test('property: parse never throws; errors have known types and reasons; seq is always an integer', () => {
    const check = (f: string) => {
      const evs = kraken.parse(f);
      assert.ok(Array.isArray(evs));
      for (const e of evs) {
        if (e.kind === 'error') {
          assert.ok((ERROR_TYPES as readonly string[]).includes(e.type));
          if (e.reconnect) assert.ok((RECONNECT_REASONS as readonly string[]).includes(e.reconnect));
        }
        if (e.kind === 'trade') assert.ok(Number.isSafeInteger(e.seq));
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 500 });
    // Real entries with one field replaced by an arbitrary JSON value.
    for (const name of ['trade-update', 'ticker-update']) {
      const base = JSON.parse(frame(name)) as { data: Record<string, unknown>[] };
      const entry = base.data[0]!;
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(entry)), fc.jsonValue(), (key, value) => {
          check(JSON.stringify({ ...base, data: [{ ...entry, [key]: value }] }));
        }),
        { numRuns: 300 },
      );
    }
    for (const name of ['pong', 'subscribe-ack', 'subscribe-error-symbol', 'status-online']) {
      const base = JSON.parse(frame(name)) as Record<string, unknown>;
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => check(JSON.stringify({ ...base, [key]: value }))),
        { numRuns: 200 },
      );
    }
  });

  test('property: any positive price and integer trade id round-trip', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 2 ** 52 }), (price, id) => {
        const f = JSON.stringify({
          channel: 'trade',
          type: 'update',
          data: [{ symbol: 'X/USD', side: 'buy', price, qty: 1, ord_type: 'limit', trade_id: id, timestamp: '2024-07-24T12:00:00.000001Z' }],
        });
        const [e] = kraken.parse(f);
        assert.equal(e?.kind, 'trade');
        assert.equal(e?.kind === 'trade' && e.price, price);
        assert.equal(e?.kind === 'trade' && e.seq, id);
      }),
      { numRuns: 300 },
    );
  });
});
