import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ASK, BID } from '../../src/book/book.js';
import { BookSync } from '../../src/book/sync.js';
import { coinbase } from '../../src/feeds/coinbase.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('coinbase-book', coinbase);
const side = (s: BookSync, i: typeof BID | typeof ASK) => Array.from(s.book.px[i].subarray(0, s.book.len[i]));

describe('coinbase level2_batch', () => {
  test('subscribe frame names level2_batch for the book symbols only; snapshot integrity, 16 MiB frames', () => {
    assert.deepEqual(coinbase.book!.subscribeFrames(['BTC-USD'], 25).map((f) => JSON.parse(f)), [JSON.parse(fx.frame('level2-subscribe-request'))]);
    const many = Array.from({ length: 151 }, (_, i) => `P${i}-USD`);
    assert.deepEqual(coinbase.book!.subscribeFrames(many, 25).map((f) => (JSON.parse(f) as { product_ids: string[] }).product_ids.length), [150, 1]);
    assert.equal(coinbase.book!.integrity, 'snapshot');
    assert.equal(coinbase.book!.depths, undefined, 'level2_batch takes no depth: any held depth');
    assert.equal(coinbase.book!.minFrameBytes, 16 * 1024 * 1024);
    assert.ok(!coinbase.channels.includes('level2_batch') && !coinbase.defaultChannels.includes('level2_batch'), 'books are opt-in with book:, not a channel');
  });

  test('snapshot -> a snapshot event; l2update -> a delta with buy as bids, sell as asks, "0" kept as a removal', () => {
    assert.deepEqual(fx.one('snapshot'), {
      kind: 'book',
      symbol: 'BTC-USD',
      snapshot: true,
      bids: [10101.1, 0.4505414, 10101, 1.5, 10100.5, 2],
      asks: [10102.55, 0.57753524, 10103, 0.25],
    });
    assert.deepEqual(fx.one('l2update'), { kind: 'book', symbol: 'BTC-USD', snapshot: false, bids: [10101.1, 0, 10101.05, 0.3], asks: [10102.55, 1] });
  });

  test('kept in a book: an update before the snapshot is ignored, the snapshot is cut to depth, updates set and remove levels', () => {
    const s = new BookSync(coinbase.book!, 2, [10]);
    s.onEvent(fx.one('l2update') as BookEvent);
    assert.equal(s.synced, false);
    assert.equal(s.book.len[BID], 0, 'no book before its snapshot');
    s.onEvent(fx.one('snapshot') as BookEvent);
    assert.equal(s.synced, true);
    assert.deepEqual(side(s, BID), [10101.1, 10101], 'the whole book arrives; the best 2 are held');
    s.onEvent(fx.one('l2update') as BookEvent);
    assert.deepEqual(side(s, BID), [10101.05, 10101]);
    assert.deepEqual(side(s, ASK), [10102.55, 10103]);
    assert.equal(s.book.bestAskSize, 1);
    assert.equal(s.updates, 2);
    const batch = fx.one('l2update-batch') as BookEvent;
    assert.deepEqual([batch.bids.length / 2, batch.asks.length / 2], [12, 12], 'one 50 ms batch carries many changes');
    s.onEvent(batch);
    assert.deepEqual(side(s, BID), [10101.05, 10101], 'levels worse than the held depth are not kept');
    assert.equal(s.updates, 3);
    s.reset();
    assert.equal(s.synced, false, 'a new session waits for its snapshot');
  });

  errorCaseTests(fx, [
    ['malformed-l2update-bad-price', 'invalid_price'],
    ['malformed-l2update-bad-side', 'malformed_frame'],
    ['malformed-snapshot-bad-level', 'invalid_price'],
  ]);

  test('a snapshot or l2update without product_id or changes is malformed', () => {
    for (const f of ['{"type":"snapshot","bids":[],"asks":[]}', '{"type":"l2update","product_id":"BTC-USD"}', '{"type":"l2update","product_id":"BTC-USD","changes":[["buy","1"]]}']) {
      const evs = coinbase.parse(f);
      assert.equal(evs.length, 1);
      assert.equal(evs[0]!.kind === 'error' && evs[0]!.type, 'malformed_frame', f);
    }
  });
  hostileFixturesTest(fx);
});

fixtureCoverageTest(fx);
