import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { COINBASE_LIMITS, COINBASE_URL, SUBSCRIPTIONS_PER_FRAME, coinbase } from '../../src/feeds/coinbase.js';
import { ADAPTERS } from '../../src/feeds/index.js';
import { ERROR_TYPES, RECONNECT_REASONS, type ErrorEvent, type MarketEvent } from '../../src/feeds/types.js';

const DIR = new URL('../fixtures/coinbase/', import.meta.url);

/** A frame as it arrives on the socket (the files end with a newline; frames do not). */
function frame(name: string): string {
  return readFileSync(new URL(`${name}.json`, DIR), 'utf8').replace(/\n$/, '');
}

function one(name: string): MarketEvent {
  const events = coinbase.parse(frame(name));
  assert.equal(events.length, 1, `${name}: ${JSON.stringify(events)}`);
  return events[0] as MarketEvent;
}

function error(name: string): ErrorEvent {
  const e = one(name);
  assert.equal(e.kind, 'error', `${name} should be an error, got ${JSON.stringify(e)}`);
  return e as ErrorEvent;
}

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
  const cases: [string, string][] = [
    ['malformed-not-json', 'malformed_frame'],
    ['malformed-truncated', 'malformed_frame'],
    ['malformed-nan-price', 'invalid_price'],
    ['malformed-negative-size', 'invalid_price'],
    ['malformed-bad-time', 'invalid_timestamp'],
    ['malformed-missing-product', 'malformed_frame'],
    ['malformed-trade-id-string', 'malformed_frame'],
    ['malformed-ticker-bad-bid', 'invalid_price'],
    ['malformed-heartbeat-no-product', 'malformed_frame'],
    ['unknown-type-l2update', 'unknown_message'],
    ['unknown-array', 'unknown_message'],
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
    const files = readdirSync(DIR).map((f) => f.replace(/\.json$/, ''));
    assert.deepEqual(files.filter((f) => !covered.has(f)), []);
  });

  test('JSON scalars, empty objects and half-filled messages', () => {
    const odd = ['{"type":{"toString":{}}}', '{"type":"match","product_id":"X","price":"1","size":"1","trade_id":1,"time":{"toString":{}}}'];
    for (const f of ['null', '42', '"match"', '{}', '{"type":"match"}', '{"type":"ticker"}', '{"type":"last_match"}', '', ...odd]) {
      const events = coinbase.parse(f);
      assert.equal(events.length, 1, f);
      assert.equal(events[0]?.kind, 'error', f);
    }
  });

  test('Infinity from a decimal string (1e999) is not a price', () => {
    const [e] = coinbase.parse(frame('match').replace('"66123.45"', '"1e999"'));
    assert.equal(e?.kind === 'error' && e.type, 'invalid_price');
  });

  test('property: parse never throws; errors have known types and reasons; seq is always an integer', () => {
    const check = (f: string) => {
      const events = coinbase.parse(f);
      assert.ok(Array.isArray(events));
      for (const e of events) {
        if (e.kind === 'error') {
          assert.ok((ERROR_TYPES as readonly string[]).includes(e.type));
          if (e.reconnect) assert.ok((RECONNECT_REASONS as readonly string[]).includes(e.reconnect));
        }
        if ((e.kind === 'trade' || e.kind === 'quote' || e.kind === 'heartbeat') && e.seq !== undefined) assert.ok(Number.isSafeInteger(e.seq));
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 500 });
    for (const name of ['match', 'ticker', 'heartbeat', 'last-match', 'subscriptions', 'error-subscribe']) {
      const base = JSON.parse(frame(name)) as Record<string, unknown>;
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => {
          check(JSON.stringify({ ...base, [key]: value }));
        }),
        { numRuns: 200 },
      );
    }
  });

  test('property: any positive price string and integer trade id round-trip', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 2 ** 52 }), (price, id) => {
        const f = `{"type":"match","trade_id":${id},"side":"buy","size":"1","price":"${price}","product_id":"X-USD","sequence":1,"time":"2024-07-24T12:00:00.000001Z"}`;
        const [e] = coinbase.parse(f);
        assert.equal(e?.kind, 'trade');
        assert.equal(e?.kind === 'trade' && e.price, price);
        assert.equal(e?.kind === 'trade' && e.seq, id);
      }),
      { numRuns: 300 },
    );
  });
});
