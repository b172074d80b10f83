import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ASK, BID } from '../../src/book/book.js';
import { BOOK_BUFFER_LIMIT, BookSync } from '../../src/book/sync.js';
import { binance } from '../../src/feeds/binance.js';
import { kraken } from '../../src/feeds/kraken.js';
import type { BookEvent } from '../../src/feeds/types.js';

const upd = (first: number, last: number, bids: number[] = [], asks: number[] = []): BookEvent => ({ kind: 'book', symbol: 'X', snapshot: false, bids, asks, firstId: first, lastId: last });
const snap = (id: number, bids: number[], asks: number[]): BookEvent => ({ kind: 'book', symbol: 'X', snapshot: true, bids, asks, firstId: id, lastId: id });

describe('BookSync, sequence (Binance spot diff depth)', () => {
  test('buffers until a snapshot, asks for one once, drops what the snapshot covers, replays the rest', () => {
    const s = new BookSync(binance.book!, 100, [10]);
    assert.equal(s.onEvent(upd(150, 155, [1, 9])), 'fetch_snapshot');
    assert.equal(s.onEvent(upd(156, 160, [2, 9])), 'none', 'already asked');
    assert.equal(s.onEvent(upd(161, 163, [3, 9])), 'none');
    assert.equal(s.synced, false);
    // lastUpdateId 158: 150-155 is covered; 156-160 straddles it (U <= 159 <= u) and applies.
    assert.equal(s.onSnapshot(snap(158, [1, 5], [4, 5])), 'none');
    assert.equal(s.synced, true);
    assert.deepEqual(Array.from(s.book.px[BID].subarray(0, s.book.len[BID])), [3, 2, 1]);
    assert.equal(s.book.qty[BID][2], 5, 'the snapshot, not the dropped update, set level 1');
    assert.equal(s.onEvent(upd(164, 164, [], [4, 0])), 'none');
    assert.equal(s.book.len[ASK], 0);
    assert.equal(s.sequenceBreaks, 0);
  });

  test('an update older than the book is ignored; one that skips ids is a break that refetches', () => {
    const s = new BookSync(binance.book!, 100, [10]);
    s.onEvent(upd(1, 1));
    s.onSnapshot(snap(10, [1, 1], [2, 1]));
    assert.equal(s.onEvent(upd(5, 9, [1, 7])), 'none');
    assert.equal(s.book.qty[BID][0], 1, 'stale update not applied');
    assert.equal(s.onEvent(upd(11, 12)), 'none');
    assert.equal(s.onEvent(upd(15, 16)), 'fetch_snapshot');
    assert.equal(s.sequenceBreaks, 1);
    assert.equal(s.resyncs, 1);
    assert.equal(s.synced, false);
    assert.equal(s.book.len[BID], 0, 'the broken book is discarded');
    assert.equal(s.onSnapshot(snap(16, [1, 2], [2, 2])), 'none');
    assert.equal(s.synced, true);
    assert.equal(s.onEvent(upd(17, 17)), 'none');
  });

  test('a snapshot older than the first buffered update asks again (docs: "go back to step 2")', () => {
    const s = new BookSync(binance.book!, 100, [10]);
    s.onEvent(upd(100, 105));
    assert.equal(s.onSnapshot(snap(90, [1, 1], [2, 1])), 'fetch_snapshot');
    assert.equal(s.synced, false);
    assert.equal(s.awaitingSnapshot, true);
    assert.equal(s.onSnapshot(snap(101, [1, 1], [2, 1])), 'none');
    assert.equal(s.synced, true);
  });

  test('a snapshot nobody asked for (its session ended on the way) is ignored', () => {
    const s = new BookSync(binance.book!, 100, [10]);
    s.onEvent(upd(1, 2));
    s.reset();
    assert.equal(s.onSnapshot(snap(5, [1, 1], [2, 1])), 'none');
    assert.equal(s.synced, false);
    assert.equal(s.updates, 0);
  });

  test('the buffer is bounded', () => {
    const s = new BookSync(binance.book!, 100, [10]);
    for (let i = 0; i < BOOK_BUFFER_LIMIT + 50; i++) s.onEvent(upd(i * 2 + 1, i * 2 + 2));
    // The oldest 50 went: a snapshot from before them cannot bridge.
    assert.equal(s.onSnapshot(snap(10, [1, 1], [2, 1])), 'fetch_snapshot');
  });
});

describe('BookSync, checksum (Kraken)', () => {
  test('updates before the first snapshot, and after a mismatch until the next snapshot, are not applied', () => {
    const s = new BookSync(kraken.book!, 10, [10]);
    const ev: BookEvent = { kind: 'book', symbol: 'X', snapshot: false, bids: [1, 1], asks: [], checksum: 1 };
    assert.equal(s.onEvent(ev), 'none');
    assert.equal(s.updates, 0);
    assert.equal(s.checksumFailures, 0);
  });
});
