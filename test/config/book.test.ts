import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { buildConfig } from '../../src/config/load.js';
import { DEFAULT_BOOK_BANDS, DEFAULT_BOOK_DEPTH } from '../../src/config/validate.js';
import { ExporterError } from '../../src/errors.js';

const feed = (venue: string, symbols: string[], book: unknown) => ({ feeds: [{ venue, symbols, book }] });
const problem = (raw: unknown): string => {
  try {
    buildConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ExporterError);
    return e.message;
  }
  assert.fail('accepted');
};

describe('feeds[].book', () => {
  test('defaults: bands [10, 50] bps, depth 25 (Kraken: 25 is one of its depths); none without book', () => {
    const c = buildConfig(feed('binance', ['BTCUSDT', 'ETHUSDT'], { symbols: ['ETHUSDT'] }));
    assert.deepEqual(c.feeds[0]!.book, { symbols: ['ETHUSDT'], bands: DEFAULT_BOOK_BANDS, depth: DEFAULT_BOOK_DEPTH });
    assert.deepEqual(DEFAULT_BOOK_BANDS, [10, 50]);
    const k = buildConfig(feed('kraken', ['BTC/USD'], { symbols: ['BTC/USD'], bands: [5, 20, 100], depth: 100 }));
    assert.deepEqual(k.feeds[0]!.book, { symbols: ['BTC/USD'], bands: [5, 20, 100], depth: 100 });
    assert.equal(buildConfig({ feeds: [{ venue: 'binance', symbols: ['BTCUSDT'] }] }).feeds[0]!.book, undefined);
  });

  test('binance: restUrl is http(s); any depth from 1 to 1000', () => {
    const c = buildConfig(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], depth: 200, restUrl: 'http://127.0.0.1:8080' }));
    assert.equal(c.feeds[0]!.book?.restUrl, 'http://127.0.0.1:8080');
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], restUrl: 'ws://x' })), /feeds\[0\]\.book\.restUrl: expected an http:\/\/ or https:\/\/ URL, got "ws:\/\/x"/);
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], depth: 5000 })), /feeds\[0\]\.book\.depth: expected an integer from 1 to 1000, got 5000/);
  });

  test("kraken: only the depths its book channel takes; no restUrl (it resyncs over the socket)", () => {
    assert.match(
      problem(feed('kraken', ['BTC/USD'], { symbols: ['BTC/USD'], depth: 20 })),
      /feeds\[0\]\.book\.depth: expected one of 10, 25, 100, 500, 1000 \(the depths kraken subscribes\), got 20/,
    );
    assert.match(problem(feed('kraken', ['BTC/USD'], { symbols: ['BTC/USD'], restUrl: 'https://api.kraken.com' })), /restUrl applies only to venues that fetch REST snapshots/);
  });

  test('missing symbols, too many bands, unknown keys', () => {
    assert.match(problem(feed('binance', ['BTCUSDT'], {})), /feeds\[0\]\.book\.symbols: missing/);
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], bands: [1, 2, 3, 4, 5] })), /feeds\[0\]\.book\.bands: expected 1 to 4 bands/);
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], band: [1] })), /feeds\[0\]\.book\.band: unknown key; did you mean 'bands'\?/);
  });
});
