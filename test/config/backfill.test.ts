/** A feed's `backfill:` as the loader reads it: its forms, defaults and the venue checks. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_BACKFILL_DEPTH } from '../../src/config/defaults.js';
import { DEFAULT_REQUESTS_PER_MINUTE } from '../../src/backfill/generic.js';

const feed = (backfill: string, venue = 'binance', symbols = '[BTCUSDT]', extra = '') =>
  parseConfig(`${extra}feeds:\n  - venue: ${venue}\n    symbols: ${symbols}\n    backfill: ${backfill}\n`, 't.yml').feeds[0]!;

test('true: on with the default depth and the venue\'s own host; false and enabled: false: off', () => {
  assert.deepEqual(feed('true').backfill, { depth: DEFAULT_BACKFILL_DEPTH });
  assert.equal(feed('false').backfill, undefined);
  assert.equal(feed('{enabled: false, depth: 10}').backfill, undefined);
  assert.equal(parseConfig('feeds:\n  - venue: binance\n    symbols: [BTCUSDT]\n', 't.yml').feeds[0]!.backfill, undefined, 'off by default');
});

test('a mapping: depth and url (a trailing slash dropped)', () => {
  assert.deepEqual(feed('{depth: 720, url: "http://127.0.0.1:8080/"}', 'kraken', '[BTC/USD]').backfill, { depth: 720, url: 'http://127.0.0.1:8080' });
});

test('a venue without a REST candles API is refused by name', () => {
  const text =
    'feeds:\n  - venue: generic\n    url: wss://x.example/ws\n    symbols: [AAPL]\n    options:\n      subscribe: {template: \'{"s":"{{symbol}}"}\'}\n      fields: {symbol: s, price: p, size: v, time: t}\n    backfill: true\n';
  assert.throws(() => parseConfig(text, 't.yml'), /feeds\[0\]\.backfill: venue generic has no REST candles API to backfill from/);
});

test('an interval the venue does not serve is named; each venue by its own table', () => {
  assert.throws(() => feed('true', 'coinbase', '[BTC-USD]', 'intervals: [1m, 3m]\n'), /coinbase serves no 3m bars over REST/);
  assert.doesNotThrow(() => feed('true', 'okx', '[BTC-USDT]', 'intervals: [1m, 1h, 1d]\n'));
  assert.throws(() => feed('{depth: 5001}'), /depth: expected an integer from 1 to 5000/);
  assert.throws(() => feed('{dpth: 5}'), /backfill\.dpth: unknown key; did you mean 'depth'\?/);
});

describe('a generic feed describes its REST API: url is a template, the answer\'s shape beside it', () => {
  const GENERIC = 'feeds:\n  - venue: generic\n    url: wss://x.example/ws\n    symbols: [AAPL]\n    options:\n      subscribe: {template: \'{"s":"{{symbol}}"}\'}\n      fields: {symbol: s, price: p, size: v, time: t}\n    backfill:\n';
  const TEMPLATE = 'http://127.0.0.1:8080/candles?symbol={symbol}&interval={interval}&from={start}&to={end}&limit={limit}';
  const GOOD: Record<string, string> = {
    url: `"${TEMPLATE}"`,
    fields: '{start: 0, open: 1, high: 2, low: 3, close: 4, volume: 5}',
    intervals: '{1m: "1m", 5m: "5"}',
    maxBars: '500',
  };
  /** A generic feed's backfill with GOOD's keys, some replaced (undefined: left out) or added. */
  const generic = (keys: Record<string, string | undefined> = {}, extra = '') => {
    const all = { ...GOOD, ...keys };
    const body = Object.entries(all).filter(([, v]) => v !== undefined).map(([k, v]) => `      ${k}: ${v}\n`).join('');
    return parseConfig(`${extra}${GENERIC}${body}`, 't.yml').feeds[0]!;
  };

  test('the minimal description: defaults for rows (the answer is the list), timeUnit and requestsPerMinute', () => {
    assert.deepEqual(generic().backfill, {
      depth: DEFAULT_BACKFILL_DEPTH,
      generic: {
        template: TEMPLATE,
        fields: { start: ['0'], open: ['1'], high: ['2'], low: ['3'], close: ['4'], volume: ['5'] },
        timeUnit: 'ms',
        intervals: [[60_000, '1m'], [300_000, '5']],
        maxBars: 500,
        requestsPerMinute: DEFAULT_REQUESTS_PER_MINUTE,
      },
    });
    assert.equal(generic({ enabled: 'false' }).backfill, undefined, 'enabled: false keeps the description and turns it off');
  });

  const CASES: [what: string, keys: Record<string, string | undefined>, message: RegExp][] = [
    ['no url', { url: undefined }, /backfill\.url: missing; expected a URL template with \{symbol\}, \{interval\} and \{start\}/],
    ['an unknown placeholder, with a guess', { url: '"http://h/c?s={symbol}&i={interval}&from={strat}"' }, /backfill\.url: unknown placeholder \{strat\}; did you mean \{start\}\?/],
    ['the websocket template\'s double braces', { url: '"http://h/c?s={{symbol}}&i={interval}&from={start}"' }, /backfill\.url: placeholders here take single braces, like \{symbol\}/],
    ['no {start}', { url: '"http://h/c?s={symbol}&i={interval}"' }, /backfill\.url: the template has no \{start\}; expected \{symbol\}, \{interval\} and \{start\} in it/],
    ['no {symbol} nor {interval}', { url: '"http://h/c?from={start}"' }, /backfill\.url: the template has no \{symbol\}, \{interval\};/],
    ['not http', { url: '"wss://h/c?s={symbol}&i={interval}&from={start}"' }, /backfill\.url: expected a URL template like https:\/\/api\.example\.com/],
    ['a bad rows path', { rows: '"data..list"' }, /backfill\.rows: expected a field path like p or data\.price to the list of rows/],
    ['no fields', { fields: undefined }, /backfill\.fields: missing; expected a mapping of start, open, high, low, close/],
    ['a required field left out', { fields: '{start: 0, open: 1, high: 2, low: 3}' }, /backfill\.fields\.close: missing; expected an index into an array row/],
    ['a misspelt field', { fields: '{start: 0, open: 1, high: 2, low: 3, close: 4, volum: 5}' }, /backfill\.fields\.volum: unknown key; did you mean 'volume'\?/],
    ['a negative index', { fields: '{start: -1, open: 1, high: 2, low: 3, close: 4}' }, /backfill\.fields\.start: expected an index into an array row \(0, 1, \.\.\.\) or a field path/],
    ['a time unit it does not take', { timeUnit: 'us' }, /backfill\.timeUnit: expected ms or s \(epoch milliseconds or seconds\), got "us"/],
    ['no intervals', { intervals: undefined }, /backfill\.intervals: missing; expected a mapping of each configured interval/],
    ['an interval key that is no duration', { intervals: '{1m: "1", fast: "5"}' }, /backfill\.intervals\.fast: not an interval; expected a duration like 1m/],
    ['an empty spelling', { intervals: '{1m: "", 5m: "5"}' }, /backfill\.intervals\.1m: expected the API's spelling of this interval/],
    ['a configured interval not listed', { intervals: '{1m: "1"}' }, /backfill\.intervals: no spelling for 5m; list every configured interval with the API's spelling of it, like \{5m: "5m"\}/],
    ['no maxBars', { maxBars: undefined }, /backfill\.maxBars: missing; expected the most bars one request returns/],
    ['maxBars 0', { maxBars: '0' }, /backfill\.maxBars: expected an integer from 1 to 100000/],
    ['requestsPerMinute not a count', { requestsPerMinute: '"fast"' }, /backfill\.requestsPerMinute: expected an integer from 1 to 6000, got "fast"/],
  ];
  for (const [what, keys, message] of CASES) test(`refused: ${what}`, () => assert.throws(() => generic(keys), message));

  test('each mistake is its own problem; none also says the venue has no API', () => {
    assert.throws(
      () => generic({ maxBars: undefined, timeUnit: 'us' }),
      (e: Error) => {
        const lines = e.message.split('\n');
        assert.equal(lines.length, 2, e.message);
        assert.ok(!e.message.includes('has no REST candles API'));
        return true;
      },
    );
  });

  test('a substituted secret in the template is not echoed', () => {
    const text = `${GENERIC}      url: "wss://h/c?key=\${KEY}&s={symbol}&i={interval}&from={start}"\n      fields: ${GOOD.fields}\n      intervals: ${GOOD.intervals}\n      maxBars: 500\n`;
    assert.throws(() => parseConfig(text, 't.yml', { env: { KEY: 'sekr3t-value' } }), (e: Error) => /backfill\.url: expected a URL template/.test(e.message) && !e.message.includes('sekr3t-value'));
  });

  test('a named venue keeps its built-in API: the describing keys are refused by name, a template as its base URL too', () => {
    assert.throws(() => feed('{maxBars: 500}'), /backfill\.maxBars: only a venue without a REST API of its own \(generic\) describes one; binance's is built in, leave maxBars out/);
    assert.throws(() => feed(`{url: "${TEMPLATE}"}`), /backfill\.url: expected an http:\/\/ or https:\/\/ URL \(the venue's REST base, without a path\)/);
  });
});
