import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { OKX_LIMITS, OKX_MAX_SUBSCRIBE_CHARS, OKX_PING_INTERVAL_MS, OKX_URL, okx } from '../../src/feeds/okx.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty, priceRoundTripProperty, scalarFrameTests } from '../support/adapter-fixtures.js';

/** Every fixture read marks it exercised; a new fixture without a test fails the last test here. */
const fx = adapterFixtures('okx', okx);
const { frame, events, one, error } = fx;

describe('okx adapter: connection facts', () => {
  test('limits: 3 connection attempts per second, 1000 streams per connection', () => {
    assert.deepEqual(OKX_LIMITS, { streamsPerConnection: 1000, connectAttempts: { count: 3, windowMs: 1000 } });
    assert.equal(okx.limits, OKX_LIMITS);
    assert.equal(okx.venue, 'okx');
    assert.equal(okx.defaultUrl, 'wss://ws.okx.com:8443/ws/v5/public');
    assert.equal(okx.url(OKX_URL, ['BTC-USDT'], ['trades']), OKX_URL, 'the URL carries no subscription');
  });

  test('channels: trades and tickers by default, mark-price and funding-rate for swaps; one stream per symbol and channel', () => {
    assert.deepEqual([...okx.channels], ['trades', 'tickers', 'mark-price', 'funding-rate']);
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
    assert.deepEqual(one('trades'), {
      kind: 'trade',
      symbol: 'BTC-USDT',
      price: 42219.9,
      size: 0.12060306,
      eventTime: 1630048897897,
      side: 'buy',
    });
  });

  test('one push with two trades gives two events in order', () => {
    const events = okx.parse(frame('trades-two'));
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
      for (const e of okx.parse(frame(name))) assert.equal(e.kind === 'trade' && e.seq, undefined, name);
    }
  });

  test('derivatives use the same channel; the symbol is the instId as OKX spells it', () => {
    const e = one('trades-swap');
    assert.equal(e.kind === 'trade' && e.symbol, 'BTC-USDT-SWAP');
    assert.equal(e.kind === 'trade' && e.size, 12, 'contracts, as the venue counts them');
  });

  test('tickers: last, best bid/ask and sizes, ts as event time', () => {
    assert.deepEqual(one('tickers'), {
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
    const e = one('tickers-no-ask');
    assert.equal(e.kind, 'quote');
    assert.ok(e.kind === 'quote' && !('ask' in e), 'no ask key');
    assert.equal(e.kind === 'quote' && e.bid, 0.5);
    assert.equal(e.kind === 'quote' && e.askSize, 0, 'a zero size is a valid size');
    assert.equal(e.kind === 'quote' && e.last, 0.5012);
  });
});

describe('okx adapter: control frames', () => {
  test('the text pong (before any JSON parse) is a pong without sentAt', () => {
    assert.deepEqual(okx.parse(frame('pong')), [{ kind: 'pong' }]);
  });

  test('subscribe ack names the channel and instrument', () => {
    assert.deepEqual(one('subscribe-ack'), { kind: 'subscribed', ok: true, message: 'trades BTC-USDT' });
  });

  test('unsubscribe ack and channel-conn-count are not events and not errors', () => {
    assert.deepEqual(okx.parse(frame('unsubscribe-ack')), []);
    assert.deepEqual(okx.parse(frame('channel-conn-count')), []);
  });

  test('60018 refuses one instrument: subscribe_failed WITHOUT a reconnect (the rest keeps flowing)', () => {
    const e = error('error-instid-not-exist');
    assert.equal(e.type, 'subscribe_failed');
    assert.equal(e.reconnect, undefined);
    assert.equal(e.message, "okx error 60018: channel:tickers,instId:LTC-USD doesn't exist");
  });

  test('a refused frame (60012 invalid request, 64001 wrong URL) ends the connection', () => {
    for (const name of ['error-invalid-request', 'error-wrong-url']) {
      const e = error(name);
      assert.equal(e.type, 'subscribe_failed', name);
      assert.equal(e.reconnect, 'subscribe_failed', name);
    }
    assert.match(error('error-invalid-request').message, /^okx error 60012: Invalid request/);
  });

  test('60014 (too frequent) is a venue error that does not add a reconnect', () => {
    const e = error('error-too-frequent');
    assert.equal(e.type, 'venue_error');
    assert.equal(e.reconnect, undefined);
    assert.match(e.message, /60014/);
  });

  test('notice 64008 (service upgrade) announces a restart and asks for a reconnect with reason venue_notice', () => {
    const [status, e] = events('notice-service-upgrade');
    assert.equal(events('notice-service-upgrade').length, 2);
    assert.equal(status?.kind, 'venue_status');
    assert.equal(status?.kind === 'venue_status' && status.status, 'restart_announced');
    assert.equal(e?.kind, 'notice');
    assert.equal(e?.kind === 'notice' && e.reconnect, 'venue_notice');
    assert.match(e?.kind === 'notice' ? e.message : '', /64008: The connection will soon be closed for a service upgrade/);
  });

  test('a notice with another code is logged, not a reconnect', () => {
    const e = one('notice-other-code');
    assert.equal(e.kind, 'notice');
    assert.equal(e.kind === 'notice' && e.reconnect, undefined);
  });
});

describe('okx adapter: bad frames become errors, never exceptions', () => {
  errorCaseTests(fx, [
    ['malformed-mark-zero', 'invalid_price'],
    ['malformed-funding-empty-rate', 'invalid_price'],
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
    ['unknown-channel-bbo-tbt', 'unknown_message'],
    ['unknown-event-login', 'unknown_message'],
    ['unknown-array', 'unknown_message'],
  ]);

  test('mark-price: the swap\'s mark and its ts', () => {
    assert.deepEqual(one('mark-price'), { kind: 'mark', symbol: 'BTC-USDT-SWAP', markPrice: 42310.6, eventTime: 1630049139746 });
  });

  test('funding-rate: the current rate and fundingTime (when it settles) as the next funding time', () => {
    assert.deepEqual(one('funding-rate'), {
      kind: 'mark',
      symbol: 'BTC-USDT-SWAP',
      fundingRate: 0.0001875391284828,
      nextFundingTime: 1700726400000,
      eventTime: 1700724675402,
    });
  });

  test('one bad item does not take the good one in the same push with it', () => {
    const good = JSON.parse(frame('trades')) as { arg: unknown; data: Record<string, unknown>[] };
    const bad = { ...good.data[0], px: 'oops' };
    const events = okx.parse(JSON.stringify({ arg: good.arg, data: [bad, good.data[0]] }));
    assert.deepEqual(events.map((e) => (e.kind === 'error' ? e.type : e.kind)), ['invalid_price', 'trade']);
  });

  scalarFrameTests(fx, ['"pong"', '{"arg":{}}', '{"event":7}', 'ping', 'PONG'], 'JSON scalars, empty objects and near-misses');

  hostileFixturesTest(fx);

  neverThrowsProperty(fx, 'property: parse never throws and every error has a known type and reason', {
    invariant: (e) => {
      if (e.kind === 'trade') assert.ok(e.price > 0 && e.size > 0 && Number.isFinite(e.eventTime));
    },
    mutations: [{ fixture: 'trades', at: ['data', 0], keys: ['instId', 'px', 'sz', 'ts', 'side', 'tradeId', 'count'], numRuns: 500 }],
  });

  // OKX trades carry no seq: the trade id must not come back as one.
  priceRoundTripProperty(
    fx,
    'property: any positive price string round-trips',
    (price, id) =>
      `{"arg":{"channel":"trades","instId":"X-Y"},"data":[{"instId":"X-Y","tradeId":"${id}","px":"${price}","sz":"1","side":"sell","ts":"1630048897897","count":"1"}]}`,
    { seq: false },
  );
});

fixtureCoverageTest(fx);
