import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { BID } from '../../src/book/book.js';
import { BookSync } from '../../src/book/sync.js';
import { bybit, bybitLinear } from '../../src/feeds/bybit.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('bybit-book', bybit);

describe('bybit orderbook.50', () => {
  test('subscribe frame in the documented op shape; spot and linear alike', () => {
    assert.deepEqual(bybit.book!.subscribeFrames(['BTCUSDT'], 50).map((f) => JSON.parse(f)), [JSON.parse(fx.frame('orderbook-subscribe-request'))]);
    assert.equal(bybitLinear.book, bybit.book);
    assert.deepEqual([...bybit.book!.depths!], [50]);
  });

  test('snapshot and delta with their update id; u = 1 is a snapshot whatever its type says', () => {
    assert.deepEqual(fx.one('orderbook-snapshot'), { kind: 'book', symbol: 'BTCUSDT', snapshot: true, bids: [16493.5, 0.006, 16493, 0.1], asks: [16611, 0.029, 16612, 0.213], lastId: 18521288 });
    const d = fx.one('orderbook-delta') as BookEvent;
    assert.deepEqual([d.snapshot, d.lastId, d.bids], [false, 18521289, [16493.5, 0, 16490, 1.5]]);
    assert.equal((fx.one('orderbook-delta-restart') as BookEvent).snapshot, true);
    const linear = bybitLinear.parse(fx.frame('orderbook-snapshot-linear'))[0] as BookEvent;
    assert.deepEqual([linear.symbol, linear.bids.length, linear.asks.length, linear.lastId], ['ETHUSDT', 8, 8, 177400507]);
  });

  test('kept in a book: deltas apply, a replayed one is ignored, a restart snapshot overwrites', () => {
    const s = new BookSync(bybit.book!, 50, [10]);
    s.onEvent(fx.one('orderbook-snapshot') as BookEvent);
    s.onEvent(fx.one('orderbook-delta') as BookEvent);
    assert.deepEqual(Array.from(s.book.px[BID].subarray(0, s.book.len[BID])), [16493, 16490]);
    assert.equal(s.book.bestAskSize, 0.1);
    const replay = { ...(fx.one('orderbook-delta') as BookEvent), bids: [16000, 9] };
    s.onEvent(replay);
    assert.equal(s.book.len[BID], 2, 'a delta whose u does not advance is not applied');
    s.onEvent(fx.one('orderbook-delta-restart') as BookEvent);
    assert.deepEqual([s.book.bestBid, s.book.bestAsk, s.book.len[BID]], [16500, 16501, 1]);
    assert.equal(s.updates, 3);
  });

  errorCaseTests(fx, [
    ['malformed-orderbook-missing-u', 'malformed_frame'],
    ['malformed-orderbook-bad-level', 'invalid_price'],
  ]);
  hostileFixturesTest(fx);
});

fixtureCoverageTest(fx);
