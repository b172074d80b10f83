import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ExporterError } from '../../src/errors.js';
import { GENERIC_LIMITS, createGenericAdapter, generic } from '../../src/feeds/generic.js';
import { readGenericOptions } from '../../src/feeds/generic-options.js';
import type { Adapter, OptionProblem } from '../../src/feeds/types.js';
import { adapterFixtures, fixtureCoverageTest, hostileFixturesTest, neverThrowsProperty } from '../support/adapter-fixtures.js';
import { hostileVariants } from '../support/hostile.js';

/** Every fixture read marks it exercised; a new fixture without a test fails the last test here. */
const fx = adapterFixtures('generic', generic);
const { frame } = fx;

const URL_OK = { url: 'wss://vendor.example/ws' };

/** Polygon.io / Massive stocks trades, as docs/venues.md shows them. */
const POLYGON = {
  subscribe: {
    before: ['{"action":"auth","params":"KEY"}'],
    template: '{"action":"subscribe","params":"{{symbols}}"}',
    format: 'T.{{symbol}}',
  },
  filter: { path: 'ev', value: 'T' },
  fields: { symbol: 'sym', price: 'p', size: 's', time: 't', timeUnit: 'ms' },
  error: { path: 'status', value: 'auth_failed', message: 'message' },
};

/** Alpaca market data v2, with the subscribe template as a YAML mapping. */
const ALPACA = {
  subscribe: {
    before: [{ action: 'auth', key: 'K', secret: 'S' }],
    template: { action: 'subscribe', trades: '{{symbolsJson}}' },
  },
  filter: { path: 'T', value: 't' },
  fields: { symbol: 'S', price: 'p', size: 's', time: 't', timeUnit: 'iso' },
  error: { path: 'T', value: 'error', message: 'msg' },
};

/** Finnhub: trades in a `data` array, `{"type":"ping"}` keepalives, one frame per symbol. */
const FINNHUB = {
  subscribe: { template: '{"type":"subscribe","symbol":"{{symbol}}"}' },
  messages: 'data',
  fields: { symbol: 's', price: 'p', size: 'v', time: 't' },
  heartbeat: { path: 'type', value: 'ping' },
};

/** A vendor with a per-symbol consecutive sequence, nested fields, seconds, and an echoing pong. */
const SEQ_FEED = {
  subscribe: { template: { op: 'sub', symbols: '{{symbolsJson}}' }, perFrame: 2 },
  filter: { path: 'type', value: ['trade', 'TRADE'] },
  fields: { symbol: 'data.sym', price: 'data.px', size: 'data.qty', time: 'data.ts', timeUnit: 's', seq: 'data.seq' },
  heartbeat: { path: 'type', value: 'hb' },
  pong: { path: 'type', value: 'pong', sentAt: 'echo' },
  ping: { frame: '{"type":"ping","echo":"{{now}}"}', interval: '15s' },
};

function adapter(options: Record<string, unknown>): Adapter {
  assert.deepEqual(generic.validateOptions!(options, URL_OK), [], 'the example options are valid');
  return generic.configure!(options);
}

function problems(options: unknown, feed: { url?: string } = URL_OK): OptionProblem[] {
  return generic.validateOptions!(options as Record<string, unknown>, feed);
}

describe('generic adapter: registration', () => {
  test('the registered adapter validates and configures; unconfigured it reports every frame', () => {
    assert.equal(generic.venue, 'generic');
    assert.equal(generic.defaultUrl, '');
    assert.deepEqual([...generic.channels], ['trades']);
    assert.equal(generic.limits, GENERIC_LIMITS);
    assert.deepEqual(generic.subscribeFrames(['AAPL'], ['trades']), []);
    const [e] = generic.parse(frame('polygon-trades'));
    assert.equal(e?.kind === 'error' && e.type, 'unknown_message');
    assert.match(e?.kind === 'error' ? e.message : '', /configure/);
  });

  test('configure() gives a per-feed adapter under the same venue key', () => {
    const a = adapter(POLYGON);
    assert.notEqual(a, generic);
    assert.equal(a.venue, 'generic');
    assert.equal(a.url('wss://socket.polygon.io/stocks', ['AAPL'], ['trades']), 'wss://socket.polygon.io/stocks');
    assert.equal(a.appPing, undefined);
  });

  test('configure() with bad options throws CONFIG_INVALID listing the problems', () => {
    assert.throws(
      () => generic.configure!({ fields: { symbol: 'sym' } }),
      (e: unknown) => e instanceof ExporterError && e.code === 'CONFIG_INVALID' && /options\.fields\.price: missing/.test(e.message),
    );
  });
});

describe('generic adapter: subscribe frames', () => {
  test('Polygon: auth first, then one frame with T.-prefixed, comma-joined symbols', () => {
    assert.deepEqual(adapter(POLYGON).subscribeFrames(['AAPL', 'MSFT'], ['trades']), [
      '{"action":"auth","params":"KEY"}',
      '{"action":"subscribe","params":"T.AAPL,T.MSFT"}',
    ]);
  });

  test('Alpaca: mapping templates become JSON; a quoted {{symbolsJson}} becomes the array itself', () => {
    assert.deepEqual(adapter(ALPACA).subscribeFrames(['AAPL', 'BRK.B'], ['trades']).map((f) => JSON.parse(f)), [
      { action: 'auth', key: 'K', secret: 'S' },
      { action: 'subscribe', trades: ['AAPL', 'BRK.B'] },
    ]);
  });

  test('{{symbol}}: one frame per symbol', () => {
    assert.deepEqual(adapter(FINNHUB).subscribeFrames(['AAPL', 'BINANCE:BTCUSDT'], ['trades']), [
      '{"type":"subscribe","symbol":"AAPL"}',
      '{"type":"subscribe","symbol":"BINANCE:BTCUSDT"}',
    ]);
  });

  test('perFrame splits {{symbols}}, every symbol exactly once', () => {
    const frames = adapter(SEQ_FEED).subscribeFrames(['A', 'B', 'C', 'D', 'E'], ['trades']).map((f) => JSON.parse(f) as { symbols: string[] });
    assert.deepEqual(frames.map((f) => f.symbols), [['A', 'B'], ['C', 'D'], ['E']]);
  });

  test('no symbols: no frames (not even the auth frame)', () => {
    assert.deepEqual(adapter(POLYGON).subscribeFrames([], ['trades']), []);
  });

  test('the app ping puts our send time where {{now}} is', () => {
    const a = adapter(SEQ_FEED);
    assert.equal(a.appPing?.intervalMs, 15_000);
    assert.equal(a.appPing?.frame(1_700_000_000_900), '{"type":"ping","echo":"1700000000900"}');
  });
});

describe('generic adapter: Polygon-style arrays', () => {
  const a = adapter(POLYGON);

  test('trades out of a mixed array; the quote (ev: Q) is skipped by the filter', () => {
    assert.deepEqual(a.parse(frame('polygon-trades')), [
      { kind: 'trade', symbol: 'MSFT', price: 114.125, size: 100, eventTime: 1536036818784 },
      { kind: 'trade', symbol: 'AAPL', price: 192.31, size: 25, eventTime: 1536036818790 },
    ]);
  });

  test('status messages are skipped silently', () => {
    for (const name of ['polygon-connected', 'polygon-auth-success', 'polygon-subscribed']) assert.deepEqual(a.parse(frame(name)), [], name);
  });

  test('auth_failed matches the error matcher: a venue_error with the vendor message, no reconnect', () => {
    assert.deepEqual(a.parse(frame('polygon-auth-failed')), [
      { kind: 'error', type: 'venue_error', message: 'vendor error: authentication failed' },
    ]);
  });

  test('bad trades become typed errors', () => {
    const type = (name: string) => {
      const [e] = a.parse(frame(name));
      return e?.kind === 'error' ? e.type : e?.kind;
    };
    assert.equal(type('malformed-nan-price'), 'invalid_price');
    assert.equal(type('malformed-missing-symbol'), 'malformed_frame');
    assert.equal(type('malformed-bad-time'), 'invalid_timestamp');
    assert.equal(type('malformed-scalar-message'), 'unknown_message');
    assert.equal(type('malformed-not-json'), 'malformed_frame');
  });
});

describe('generic adapter: Alpaca-style ISO times', () => {
  const a = adapter(ALPACA);

  test('RFC 3339 with nanoseconds keeps the sub-millisecond part', () => {
    const events = a.parse(frame('alpaca-trades'));
    assert.equal(events.length, 2);
    const [t1, t2] = events;
    assert.equal(t1?.kind === 'trade' && t1.symbol, 'AAPL');
    assert.ok(t1?.kind === 'trade' && Math.abs(t1.eventTime - (Date.UTC(2021, 1, 22, 15, 51, 44, 208) + 0.123456)) < 1e-6);
    assert.equal(t2?.kind === 'trade' && t2.eventTime, Date.UTC(2021, 1, 22, 15, 51, 44, 209));
    assert.equal(t2?.kind === 'trade' && t2.size, 200);
  });

  test('control messages are skipped; T: error is a venue error with its msg', () => {
    assert.deepEqual(a.parse(frame('alpaca-connected')), []);
    assert.deepEqual(a.parse(frame('alpaca-subscription')), []);
    assert.deepEqual(a.parse(frame('alpaca-error')), [{ kind: 'error', type: 'venue_error', message: 'vendor error: auth failed' }]);
  });
});

describe('generic adapter: Finnhub-style envelopes', () => {
  const a = adapter(FINNHUB);

  test('trades from the messages array; no filter needed', () => {
    const events = a.parse(frame('finnhub-trades'));
    assert.deepEqual(events.map((e) => e.kind === 'trade' && [e.symbol, e.price, e.size, e.eventTime]), [
      ['TSLA', 122.1, 1, 1672348887195],
      ['AAPL', 129.58, 1, 1672348887666],
    ]);
  });

  test('a frame without the messages array is a control frame: its ping is a heartbeat', () => {
    assert.deepEqual(a.parse(frame('finnhub-ping')), [{ kind: 'heartbeat' }]);
    assert.deepEqual(a.parse('{"type":"news"}'), [], 'an unmatched control frame is ignored');
  });
});

describe('generic adapter: sequence, heartbeats and pongs', () => {
  const a = adapter(SEQ_FEED);

  test('nested fields, numeric strings, seconds to ms, consecutive seq', () => {
    const [t] = a.parse(frame('seq-feed-trade'));
    assert.deepEqual(t, { kind: 'trade', symbol: 'EURUSD', price: 1.08412, size: 1_000_000, eventTime: 1_700_000_000_125, seq: 1001 });
    const seqs = ['seq-feed-trade-next', 'seq-feed-trade-gap'].map((n) => {
      const [e] = a.parse(frame(n));
      return e?.kind === 'trade' ? e.seq : undefined;
    });
    assert.deepEqual(seqs, [1002, 1006], 'the gap (1003-1005) is there for the tracker to count');
  });

  test('a filter with a list of values matches any of them', () => {
    const upper = frame('seq-feed-trade').replace('"type":"trade"', '"type":"TRADE"');
    assert.equal(a.parse(upper)[0]?.kind, 'trade');
    assert.deepEqual(a.parse(upper.replace('"TRADE"', '"quote"')), []);
  });

  test('heartbeat with the symbol field carries the symbol', () => {
    assert.deepEqual(a.parse(frame('seq-feed-heartbeat')), [{ kind: 'heartbeat', symbol: 'EURUSD' }]);
  });

  test('pong echoing {{now}} gives sentAt', () => {
    assert.deepEqual(a.parse(frame('seq-feed-pong')), [{ kind: 'pong', sentAt: 1_700_000_000_900 }]);
  });

  test('a seq that is not an integer is a malformed frame, never a NaN for the tracker', () => {
    const [e] = a.parse(frame('seq-feed-trade').replace('"1001"', '"10.5"'));
    assert.equal(e?.kind === 'error' && e.type, 'malformed_frame');
    const [missing] = a.parse(frame('seq-feed-trade').replace(',"seq":"1001"', ''));
    assert.equal(missing?.kind === 'trade' && missing.seq, undefined, 'absent seq: a trade without one');
  });

  test('time units: ms, s, us, ns and their string forms agree', () => {
    const base = { fields: { symbol: 's', price: 'p', time: 't' } };
    const at = (unit: string, t: unknown) => {
      const x = adapter({ ...base, fields: { ...base.fields, timeUnit: unit } });
      const [e] = x.parse(JSON.stringify({ s: 'X', p: 1, t }));
      return e?.kind === 'trade' ? e.eventTime : NaN;
    };
    const ms = 1_700_000_000_123;
    assert.equal(at('ms', ms), ms);
    assert.equal(at('ms', String(ms)), ms);
    assert.equal(at('s', 1_700_000_000.123), 1_700_000_000.123 * 1000);
    assert.equal(at('us', 1_700_000_000_123_456), 1_700_000_000_123.456);
    assert.ok(Math.abs(at('ns', '1700000000123456789') - 1_700_000_000_123.4568) < 0.001);
    assert.equal(at('iso', '2023-11-14T22:13:20.123Z'), ms);
    assert.ok(Number.isNaN(at('iso', ms)), 'a number is not an ISO time');
  });

  test('no size path: size 0 (a price-only FX tick); a configured size of 0 is allowed too', () => {
    const x = adapter({ fields: { symbol: 's', price: 'p', time: 't' } });
    assert.deepEqual(x.parse('{"s":"EURUSD","p":"1.1","t":1700000000000}'), [
      { kind: 'trade', symbol: 'EURUSD', price: 1.1, size: 0, eventTime: 1_700_000_000_000 },
    ]);
  });

  test('text matchers are checked before JSON.parse', () => {
    const x = adapter({ fields: { symbol: 's', price: 'p', time: 't' }, pong: { text: 'pong' }, heartbeat: { text: 'hb' } });
    assert.deepEqual(x.parse('pong'), [{ kind: 'pong' }]);
    assert.deepEqual(x.parse('hb'), [{ kind: 'heartbeat' }]);
  });

  const examples = [POLYGON, ALPACA, FINNHUB, SEQ_FEED].map(adapter);

  hostileFixturesTest(fx, examples);

  neverThrowsProperty(fx, 'property: parse never throws; errors have known types; trades are finite and positive', {
    adapters: examples,
    invariant: (e) => {
      if (e.kind === 'trade') {
        assert.ok(e.price > 0 && e.price < Infinity && e.size >= 0 && e.eventTime > 0 && e.eventTime < Infinity);
        if (e.seq !== undefined) assert.ok(Number.isSafeInteger(e.seq));
      }
    },
    runs: 300,
    mutations: [{ fixture: 'seq-feed-trade', at: ['data'], keys: ['sym', 'px', 'qty', 'ts', 'seq'], numRuns: 500 }],
  });
});

describe('generic adapter: option validation', () => {
  const msg = (ps: OptionProblem[]) => ps.map((p) => `${p.path.join('.')}: ${p.message}`);

  test('the documented examples are valid', () => {
    for (const o of [POLYGON, ALPACA, FINNHUB, SEQ_FEED]) assert.deepEqual(problems(o), []);
  });

  test('a generic feed needs a url and field paths', () => {
    assert.deepEqual(msg(problems({}, {})), [
      "url: missing; a generic feed has no default endpoint, expected the vendor's ws:// or wss:// URL",
      'options.fields: missing; expected a mapping of field paths with at least symbol, price and time',
    ]);
  });

  test('each missing field is named', () => {
    assert.deepEqual(msg(problems({ fields: { size: 's' } })), [
      'options.fields.symbol: missing; expected a field path like p or data.price',
      'options.fields.price: missing; expected a field path like p or data.price',
      'options.fields.time: missing; expected a field path like p or data.price',
    ]);
  });

  test('unknown keys get a suggestion', () => {
    assert.deepEqual(msg(problems({ fields: { symbol: 's', price: 'p', time: 't', timeunit: 'ms' }, fillter: {} })), [
      "options.fillter: unknown key; did you mean 'filter'?",
      "options.fields.timeunit: unknown key; did you mean 'timeUnit'?",
    ]);
  });

  test('bad values say what was expected and what came', () => {
    const ps = msg(
      problems({
        fields: { symbol: 'data..s', price: 5, time: 't', timeUnit: 'millis' },
        subscribe: { template: '{"action":"subscribe"}', perFrame: 0 },
        filter: { path: 'ev' },
        ping: { frame: 'ping', interval: '10ms' },
      }),
    );
    assert.deepEqual(ps, [
      'options.subscribe.template: expected {{symbol}}, {{symbols}} or {{symbolsJson}} in the frame',
      'options.subscribe.perFrame: expected an integer >= 1 (symbols per subscribe frame), got 0',
      'options.filter.value: expected a value (string, number or true/false) or a list of them, got nothing',
      'options.fields.symbol: expected a field path like p or data.price, got "data..s"',
      'options.fields.price: expected a field path like p or data.price, got 5',
      'options.fields.timeUnit: expected one of ms, s, us, ns, iso, got "millis"',
      'options.ping.interval: expected a duration of at least 100ms, like 20s, got "10ms"',
    ]);
  });

  test('a template with both kinds of placeholder is refused', () => {
    assert.deepEqual(msg(problems({ ...FINNHUB, subscribe: { template: '{"s":"{{symbol}}","all":"{{symbols}}"}' } })), [
      'options.subscribe.template: use {{symbol}} (one frame per symbol) or {{symbols}}/{{symbolsJson}} (one frame for many), not both',
    ]);
  });

  test('a matcher takes text, or path and value, not both', () => {
    assert.deepEqual(msg(problems({ ...FINNHUB, heartbeat: { text: 'hb', path: 'type', value: 'hb' } })), [
      'options.heartbeat: give either text, or path and value, not both',
    ]);
  });

  test('a time unit in the wrong case gets the right spelling suggested', () => {
    assert.deepEqual(msg(problems({ fields: { symbol: 's', price: 'p', time: 't', timeUnit: 'MS' } })), [
      "options.fields.timeUnit: expected one of ms, s, us, ns, iso, got \"MS\"; did you mean 'ms'?",
    ]);
  });

  test('options that are not a mapping', () => {
    assert.deepEqual(msg(problems(['x'])), ['options: expected a mapping, got a list']);
  });

  test('hostile YAML values anywhere in the options are reported, never thrown', () => {
    for (const o of [POLYGON, ALPACA, SEQ_FEED]) {
      for (const variant of hostileVariants(JSON.stringify(o))) {
        const options = JSON.parse(variant) as Record<string, unknown>;
        assert.doesNotThrow(() => problems(options), variant);
      }
    }
  });

  test('readGenericOptions keeps only what the parser reads', () => {
    const { spec } = readGenericOptions(POLYGON, URL_OK);
    assert.deepEqual(Object.keys(spec!.filter!).sort(), ['path', 'values']);
    assert.deepEqual(Object.keys(spec!.error!).sort(), ['message', 'path', 'values']);
  });
});

test('createGenericAdapter without subscribe sends nothing (the URL selects the stream)', () => {
  const { spec } = readGenericOptions({ fields: { symbol: 's', price: 'p', time: 't' } }, URL_OK);
  assert.deepEqual(createGenericAdapter(spec!).subscribeFrames(['A'], ['trades']), []);
});

fixtureCoverageTest(fx);
