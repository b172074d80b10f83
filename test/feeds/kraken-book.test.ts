import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { KRAKEN_BOOK_DEPTHS, kraken } from '../../src/feeds/kraken.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('kraken-book', kraken);

describe('kraken book channel (v2 `book`)', () => {
  test('subscribe frame in the documented shape, with the depth and a snapshot', () => {
    assert.deepEqual(kraken.book!.subscribeFrames(['BTC/USD'], 10).map((f) => JSON.parse(f)), [JSON.parse(fx.frame('book-subscribe-request'))]);
    assert.deepEqual([...KRAKEN_BOOK_DEPTHS], [10, 25, 100, 500, 1000]);
    assert.equal(kraken.book!.integrity, 'checksum');
  });

  test('resubscribing one book: unsubscribe, then subscribe with a snapshot', () => {
    const [un, sub] = kraken.book!.resubscribeFrames!('ETH/USD', 25).map((f) => JSON.parse(f));
    assert.deepEqual(un.params, { channel: 'book', symbol: ['ETH/USD'], depth: 25 });
    assert.equal(un.method, 'unsubscribe');
    assert.deepEqual(sub.params, { channel: 'book', symbol: ['ETH/USD'], depth: 25, snapshot: true });
  });

  test('snapshot: levels flat, decimals read from the text, checksum kept', () => {
    const ev = fx.one('book-snapshot') as BookEvent;
    assert.equal(ev.kind, 'book');
    assert.equal(ev.snapshot, true);
    assert.equal(ev.symbol, 'BTC/USD');
    assert.deepEqual(ev.bids.slice(0, 4), [0.05, 0.000005, 0.04995, 0.000005]);
    assert.equal(ev.asks.length, 20);
    assert.equal(ev.checksum, 974947235);
  });

  test("update (the docs' example): qty 0 and an empty side are fine", () => {
    const ev = fx.one('book-update-documented') as BookEvent;
    assert.deepEqual(ev, { kind: 'book', symbol: 'MATIC/USD', snapshot: false, bids: [0.5657, 1098.3947558], asks: [], checksum: 2114181697, priceDecimals: 4, qtyDecimals: 7 });
    const rm = fx.one('book-update-remove') as BookEvent;
    assert.deepEqual(rm.bids, [0.04995, 0]);
    for (const n of ['book-update', 'book-update-bad-checksum']) assert.equal(fx.one(n).kind, 'book');
  });

  errorCaseTests(fx, [['malformed-book-negative-price', 'invalid_price']]);
  hostileFixturesTest(fx);
});

fixtureCoverageTest(fx);
