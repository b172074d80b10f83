/** A feed's `backfill:` as the loader reads it: its forms, defaults and the venue checks. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_BACKFILL_DEPTH } from '../../src/config/defaults.js';

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
