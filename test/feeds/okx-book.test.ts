import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { BookSync } from '../../src/book/sync.js';
import { okx } from '../../src/feeds/okx.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('okx-book', okx);

describe('okx books5', () => {
  test('subscribe frame in the documented shape; every push is a whole 5-level book', () => {
    assert.deepEqual(okx.book!.subscribeFrames(['BTC-USDT'], 5).map((f) => JSON.parse(f)), [JSON.parse(fx.frame('books5-subscribe-request'))]);
    assert.equal(okx.book!.integrity, 'snapshot');
    assert.deepEqual([...okx.book!.depths!], [5]);
  });

  test('a push is a snapshot: price and size of each level (the deprecated and order-count fields are not sizes)', () => {
    assert.deepEqual(fx.one('books5'), { kind: 'book', symbol: 'BTC-USDT', snapshot: true, bids: [8476.97, 256], asks: [8476.98, 415] });
  });

  test('each push replaces the book', () => {
    const s = new BookSync(okx.book!, 5, [10]);
    assert.equal(s.onEvent(fx.one('books5-two-levels') as BookEvent), 'none');
    assert.equal(s.book.len[0], 2);
    assert.equal(s.onEvent(fx.one('books5') as BookEvent), 'none');
    assert.equal(s.book.len[0], 1, 'the level missing from the push is gone');
    assert.equal(s.synced, true);
    assert.equal(s.updates, 2);
    const full = new BookSync(okx.book!, 5, [10, 50]);
    full.onEvent(fx.one('books5-full') as BookEvent);
    assert.deepEqual([full.book.len[0], full.book.len[1], full.book.bestBid, full.book.bestAsk], [5, 5, 3366.1, 3366.8]);
  });

  errorCaseTests(fx, [['malformed-books5-negative-price', 'invalid_price']]);
  hostileFixturesTest(fx);
});

fixtureCoverageTest(fx);
