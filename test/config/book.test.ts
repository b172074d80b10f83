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

  test('a venue without a book channel is refused', () => {
    assert.match(problem(feed('generic', ['BTCUSDT'], { symbols: ['BTCUSDT'] })), /feeds\[0\]\.book: generic has no book channel in this exporter/);
    // Futures books sync against /fapi/v1/depth with `pu`: spot's rules would be wrong there.
    assert.match(problem(feed('binance-usdm', ['BTCUSDT'], { symbols: ['BTCUSDT'] })), /feeds\[0\]\.book: binance-usdm has no book channel in this exporter/);
  });

  test('coinbase: its first snapshot is the whole book, so limits.maxFrameBytes must be at least 16MiB', () => {
    const cb = { venue: 'coinbase', symbols: ['BTC-USD', 'ETH-USD'], book: { symbols: ['BTC-USD'] } };
    assert.match(
      problem({ feeds: [cb] }),
      /^<built-in>: feeds\[0\]\.book: coinbase books start with a snapshot of the whole book .*set limits\.maxFrameBytes to at least 16MiB \(it is 1048576 bytes\)/,
    );
    assert.match(problem({ feeds: [cb], limits: { maxFrameBytes: '16MiB-1' } }), /limits\.maxFrameBytes/);
    assert.match(problem({ feeds: [cb], limits: { maxFrameBytes: 16 * 1024 * 1024 - 1 } }), /at least 16MiB \(it is 16777215 bytes\)/);
    const ok = buildConfig({ feeds: [cb], limits: { maxFrameBytes: '16MiB' } });
    assert.deepEqual(ok.feeds[0]!.book, { symbols: ['BTC-USD'], bands: DEFAULT_BOOK_BANDS, depth: DEFAULT_BOOK_DEPTH });
    assert.equal(ok.limits.maxFrameBytes, 16 * 1024 * 1024);
    assert.equal(buildConfig({ feeds: [{ venue: 'coinbase', symbols: ['BTC-USD'] }] }).limits.maxFrameBytes, 1024 * 1024, 'no book: the default stands');
    assert.equal(buildConfig({ feeds: [cb], limits: { maxFrameBytes: '64MiB' } }).limits.maxFrameBytes, 64 * 1024 * 1024);
  });

  test('missing symbols, too many bands, unknown keys', () => {
    assert.match(problem(feed('binance', ['BTCUSDT'], {})), /feeds\[0\]\.book\.symbols: missing/);
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], bands: [1, 2, 3, 4, 5] })), /feeds\[0\]\.book\.bands: expected 1 to 4 bands/);
    assert.match(problem(feed('binance', ['BTCUSDT'], { symbols: ['BTCUSDT'], band: [1] })), /feeds\[0\]\.book\.band: unknown key; did you mean 'bands'\?/);
  });
});
