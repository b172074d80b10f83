import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { OKX_LIMITS, OKX_MAX_SUBSCRIBE_CHARS, OKX_PING_INTERVAL_MS, OKX_URL, okx } from '../../src/feeds/okx.js';
import { ERROR_TYPES, RECONNECT_REASONS, type ErrorEvent, type MarketEvent } from '../../src/feeds/types.js';
import { hostileVariants } from '../support/hostile.js';

const DIR = new URL('../fixtures/okx/', import.meta.url);

/** A frame as it arrives on the socket (the files end with a newline; frames do not). */
function frame(name: string): string {
  return readFileSync(new URL(`${name}.json`, DIR), 'utf8').replace(/\n$/, '');
}

function one(name: string): MarketEvent {
  const events = okx.parse(frame(name));
  assert.equal(events.length, 1, `${name}: ${JSON.stringify(events)}`);
  return events[0] as MarketEvent;
}

function error(name: string): ErrorEvent {
  const e = one(name);
  assert.equal(e.kind, 'error', `${name} should be an error, got ${JSON.stringify(e)}`);
  return e as ErrorEvent;
}

/** Fixtures some test below names; a new fixture without a test fails the last test here. */
const covered = new Set<string>();
const use = (name: string) => (covered.add(name), name);

describe('okx adapter: connection facts', () => {
  test('limits: 3 connection attempts per second, 1000 streams per connection', () => {
    assert.deepEqual(OKX_LIMITS, { streamsPerConnection: 1000, connectAttempts: { count: 3, windowMs: 1000 } });
    assert.equal(okx.limits, OKX_LIMITS);
    assert.equal(okx.venue, 'okx');
    assert.equal(okx.defaultUrl, 'wss://ws.okx.com:8443/ws/v5/public');
    assert.equal(okx.url(OKX_URL, ['BTC-USDT'], ['trades']), OKX_URL, 'the URL carries no subscription');
  });

  test('channels: trades and tickers, both by default; one stream per symbol and channel', () => {
    assert.deepEqual([...okx.channels], ['trades', 'tickers']);
    assert.deepEqual([...okx.defaultChannels], ['trades', 'tickers']);
    assert.equal(okx.streamsFor(['A-B', 'C-D', 'E-F'], ['trades', 'tickers']), 6);
  });

  test('app ping: the text "ping" every 20 s, inside OKX\'s 30 s', () => {
    assert.ok(okx.appPing);
    assert.equal(okx.appPing.intervalMs, OKX_PING_INTERVAL_MS);
    assert.ok(OKX_PING_INTERVAL_MS < 30_000);
    assert.equal(okx.appPing.frame(1_700_000_000_000), 'ping');
  });

  test('subscribe frame: the documented op/args shape, every symbol x channel once', () => {
    const frames = okx.subscribeFrames(['BTC-USDT', 'ETH-USDT'], ['trades', 'tickers']);
    assert.deepEqual(frames.map((f) => JSON.parse(f)), [
      {
        id: '1',
        op: 'subscribe',
        args: [
          { channel: 'trades', instId: 'BTC-USDT' },
          { channel: 'tickers', instId: 'BTC-USDT' },
          { channel: 'trades', instId: 'ETH-USDT' },
          { channel: 'tickers', instId: 'ETH-USDT' },
        ],
      },
    ]);
  });

  test('a full connection (1000 streams) is one frame under 64 KB; more are split, none lost', () => {
    const full = Array.from({ length: 500 }, (_, i) => `COIN${i}-USDT`);
    const frames = okx.subscribeFrames(full, ['trades', 'tickers']);
    assert.equal(frames.length, 1, 'one frame spends one of the 480 subscribes per hour');
    assert.ok(frames[0]!.length <= OKX_MAX_SUBSCRIBE_CHARS);

    const many = Array.from({ length: 3000 }, (_, i) => `LONGERCOIN${i}-USDT-SWAP`);
    const split = okx.subscribeFrames(many, ['trades', 'tickers']);
    assert.ok(split.length > 1);
    const args: string[] = [];
    split.forEach((f, i) => {
      assert.ok(f.length <= OKX_MAX_SUBSCRIBE_CHARS, `frame ${i} is ${f.length} chars`);
      const parsed = JSON.parse(f) as { id: string; op: string; args: { channel: string; instId: string }[] };
      assert.equal(parsed.id, String(i + 1));
      assert.equal(parsed.op, 'subscribe');
      for (const a of parsed.args) args.push(`${a.channel}:${a.instId}`);
    });
    assert.equal(args.length, 6000);
    assert.equal(new Set(args).size, 6000);
  });

  test('no symbols, no frames', () => {
    assert.deepEqual(okx.subscribeFrames([], ['trades']), []);
  });
});

describe('okx adapter: market data', () => {
  test('trades: px/sz strings to numbers, ts string to epoch ms, taker side, no seq', () => {
    assert.deepEqual(one(use('trades')), {
      kind: 'trade',
      symbol: 'BTC-USDT',
      price: 42219.9,
      size: 0.12060306,
      eventTime: 1630048897897,
      side: 'buy',
    });
  });

  test('one push with two trades gives two events in order', () => {
    const events = okx.parse(frame(use('trades-two')));
    assert.deepEqual(
      events.map((e) => e.kind === 'trade' && [e.symbol, e.price, e.size, e.side]),
      [
        ['ETH-USDT', 3224.51, 0.5, 'sell'],
        ['ETH-USDT', 3224.5, 1.25, 'sell'],
      ],
    );
  });

  test('aggregated trades carry no seq: tradeId is the last of `count` ids, so it jumps without loss', () => {
    // trades.json: tradeId 130639474 with count 3 covers 130639472..474. A seq would make the
    // next push (…475) look fine but this one look like a gap of 2 after …471.
    for (const name of ['trades', 'trades-two', 'trades-swap']) {
      for (const e of okx.parse(frame(use(name)))) assert.equal(e.kind === 'trade' && e.seq, undefined, name);
    }
  });

  test('derivatives use the same channel; the symbol is the instId as OKX spells it', () => {
    const e = one(use('trades-swap'));
    assert.equal(e.kind === 'trade' && e.symbol, 'BTC-USDT-SWAP');
    assert.equal(e.kind === 'trade' && e.size, 12, 'contracts, as the venue counts them');
  });

  test('tickers: last, best bid/ask and sizes, ts as event time', () => {
    assert.deepEqual(one(use('tickers')), {
      kind: 'quote',
      symbol: 'BTC-USDT',
      eventTime: 1597026383085,
      last: 9999.99,
      bid: 8888.88,
      ask: 9999.99,
      bidSize: 5,
      askSize: 11,
    });
  });

  test('an empty ask ("") is left out of the quote, not rejected', () => {
    const e = one(use('tickers-no-ask'));
    assert.equal(e.kind, 'quote');
    assert.ok(e.kind === 'quote' && !('ask' in e), 'no ask key');
    assert.equal(e.kind === 'quote' && e.bid, 0.5);
    assert.equal(e.kind === 'quote' && e.askSize, 0, 'a zero size is a valid size');
    assert.equal(e.kind === 'quote' && e.last, 0.5012);
  });
});

describe('okx adapter: control frames', () => {
  test('the text pong (before any JSON parse) is a pong without sentAt', () => {
    assert.deepEqual(okx.parse(frame(use('pong'))), [{ kind: 'pong' }]);
  });

  test('subscribe ack names the channel and instrument', () => {
    assert.deepEqual(one(use('subscribe-ack')), { kind: 'subscribed', ok: true, message: 'trades BTC-USDT' });
  });

  test('unsubscribe ack and channel-conn-count are not events and not errors', () => {
    assert.deepEqual(okx.parse(frame(use('unsubscribe-ack'))), []);
    assert.deepEqual(okx.parse(frame(use('channel-conn-count'))), []);
  });

  test('60018 refuses one instrument: subscribe_failed WITHOUT a reconnect (the rest keeps flowing)', () => {
    const e = error(use('error-instid-not-exist'));
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, undefined);
    assert.equal(e.message, "okx error 60018: channel:tickers,instId:LTC-USD doesn't exist");
  });

  test('a refused frame (60012 invalid request, 64001 wrong URL) ends the connection', () => {
    for (const name of ['error-invalid-request', 'error-wrong-url']) {
      const e = error(use(name));
      assert.equal(e.type, 'subscribe_failed', name);
      assert.equal(e.reconnect, 'subscribe_failed', name);
    }
    assert.match(error('error-invalid-request').message, /^okx error 60012: Invalid request/);
  });

  test('60014 (too frequent) is a venue error that does not add a reconnect', () => {
    const e = error(use('error-too-frequent'));
    assert.equal(e.type, 'venue_error');
    assert.equal(e.reconnect, undefined);
    assert.match(e.message, /60014/);
  });

  test('notice 64008 (service upgrade) asks for a reconnect with reason venue_notice', () => {
    const e = one(use('notice-service-upgrade'));
    assert.equal(e.kind, 'notice');
    assert.equal(e.kind === 'notice' && e.reconnect, 'venue_notice');
    assert.match(e.kind === 'notice' ? e.message : '', /64008: The connection will soon be closed for a service upgrade/);
  });

  test('a notice with another code is logged, not a reconnect', () => {
    const e = one(use('notice-other-code'));
    assert.equal(e.kind, 'notice');
    assert.equal(e.kind === 'notice' && e.reconnect, undefined);
  });
});

describe('okx adapter: bad frames become errors, never exceptions', () => {
  const cases: [string, string][] = [
    ['malformed-truncated', 'malformed_frame'],
    ['malformed-not-json', 'malformed_frame'],
    ['malformed-nan-price', 'invalid_price'],
    ['malformed-negative-price', 'invalid_price'],
    ['malformed-zero-size', 'invalid_price'],
    ['malformed-missing-px', 'malformed_frame'],
    ['malformed-missing-ts', 'invalid_timestamp'],
    ['malformed-bad-ts', 'invalid_timestamp'],
    ['malformed-ticker-bad-bid', 'invalid_price'],
    ['malformed-data-not-array', 'malformed_frame'],
    ['unknown-channel-books5', 'unknown_message'],
    ['unknown-event-login', 'unknown_message'],
    ['unknown-array', 'unknown_message'],
  ];
  for (const [name, type] of cases) {
    test(`${name} -> ${type}`, () => {
      const e = error(use(name));
      assert.equal(e.type, type);
      assert.equal(e.reconnect, undefined, 'a bad frame does not end the session');
      assert.ok(e.message.length > 0 && e.message.length < 300, 'bounded message');
    });
  }

  test('one bad item does not take the good one in the same push with it', () => {
    const good = JSON.parse(frame('trades')) as { arg: unknown; data: Record<string, unknown>[] };
    const bad = { ...good.data[0], px: 'oops' };
    const events = okx.parse(JSON.stringify({ arg: good.arg, data: [bad, good.data[0]] }));
    assert.deepEqual(events.map((e) => (e.kind === 'error' ? e.type : e.kind)), ['invalid_price', 'trade']);
  });

  test('JSON scalars, empty objects and near-misses', () => {
    for (const f of ['null', '42', '"pong"', '{}', '{"arg":{}}', '{"event":7}', 'ping', 'PONG', '']) {
      const events = okx.parse(f);
      assert.equal(events.length, 1, f);
      assert.equal(events[0]?.kind, 'error', f);
    }
  });

  test('hostile JSON (no callable toString) in any field of any fixture never throws', () => {
    let n = 0;
    for (const name of readdirSync(DIR)) {
      for (const f of hostileVariants(frame(name.replace(/\.json$/, '')))) {
        assert.doesNotThrow(() => {
          okx.parse(f);
        }, f);
        n++;
      }
    }
    assert.ok(n > 200, `only ${n} variants`);
  });

  test('property: parse never throws and every error has a known type and reason', () => {
    const check = (f: string) => {
      const events = okx.parse(f);
      assert.ok(Array.isArray(events));
      for (const e of events) {
        if (e.kind === 'error') {
          assert.ok((ERROR_TYPES as readonly string[]).includes(e.type));
          if (e.reconnect) assert.ok((RECONNECT_REASONS as readonly string[]).includes(e.reconnect));
        }
        if (e.kind === 'trade') assert.ok(e.price > 0 && e.size > 0 && Number.isFinite(e.eventTime));
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 500 });
    const base = JSON.parse(frame('trades')) as { arg: unknown; data: Record<string, unknown>[] };
    fc.assert(
      fc.property(fc.constantFrom('instId', 'px', 'sz', 'ts', 'side', 'tradeId', 'count'), fc.jsonValue(), (key, value) => {
        check(JSON.stringify({ arg: base.arg, data: [{ ...base.data[0], [key]: value }] }));
      }),
      { numRuns: 500 },
    );
  });

  test('property: any positive price string round-trips', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e9, noNaN: true }), (price) => {
        const f = `{"arg":{"channel":"trades","instId":"X-Y"},"data":[{"instId":"X-Y","tradeId":"1","px":"${price}","sz":"1","side":"sell","ts":"1630048897897","count":"1"}]}`;
        const [e] = okx.parse(f);
        assert.equal(e?.kind === 'trade' && e.price, price);
      }),
      { numRuns: 300 },
    );
  });
});

test('every okx fixture is exercised by a test above', () => {
  const files = readdirSync(DIR).map((f) => f.replace(/\.json$/, ''));
  assert.deepEqual(files.filter((f) => !covered.has(f)), []);
});
