import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ASK, BID, Book } from '../../src/book/book.js';
import { checksumDigits, checksumText, krakenChecksum } from '../../src/book/kraken-checksum.js';
import { BookSync } from '../../src/book/sync.js';
import { kraken } from '../../src/feeds/kraken.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { fixtureText } from '../support/fixtures.js';

const bookEvent = (name: string): BookEvent => {
  const [ev] = kraken.parse(fixtureText('kraken-book', name));
  assert.equal(ev?.kind, 'book', JSON.stringify(ev));
  return ev as BookEvent;
};

describe('Kraken book checksum', () => {
  test('digits as the v2 guide shows them: "45285.2" -> "452852", "0.00100000" -> "100000"', () => {
    assert.equal(checksumDigits(45285.2, 1), '452852');
    assert.equal(checksumDigits(0.001, 8), '100000');
    assert.equal(checksumDigits(0.05005, 5), '5005');
    assert.equal(checksumDigits(0.000005, 8), '500');
  });

  test("the book of Kraken's documented example hashes to its documented checksum 974947235", () => {
    // The levels of the docs' example ("Book checksum", v1 guide; v2 hashes the same digits).
    const ev = bookEvent('book-snapshot');
    assert.equal(ev.checksum, 974947235);
    assert.equal(ev.priceDecimals, 5, 'read from the text: 0.05005');
    assert.equal(ev.qtyDecimals, 8, 'read from the text: 0.00000500 (a float parse says 0.000005)');
    const b = new Book(10);
    for (let i = 0; i < ev.bids.length; i += 2) b.set(BID, ev.bids[i]!, ev.bids[i + 1]!);
    for (let i = 0; i < ev.asks.length; i += 2) b.set(ASK, ev.asks[i]!, ev.asks[i + 1]!);
    assert.ok(checksumText(b, 5, 8).startsWith('5005500'), 'asks first, low to high');
    assert.equal(krakenChecksum(b, 5, 8), 974947235);
    assert.notEqual(krakenChecksum(b, 5, 6), 974947235, 'the precision is part of the hash');
  });

  test('only the top 10 levels count', () => {
    const b = new Book(25);
    for (let i = 0; i < 20; i++) {
      b.set(BID, 100 - i, 1);
      b.set(ASK, 101 + i, 1);
    }
    const top = krakenChecksum(b, 1, 8);
    b.set(BID, 50, 3);
    b.set(ASK, 150, 3);
    assert.equal(krakenChecksum(b, 1, 8), top);
    b.set(BID, 95, 2);
    assert.notEqual(krakenChecksum(b, 1, 8), top);
  });

  test('a book kept from the snapshot through updates matches each update checksum; a wrong one fails', () => {
    const sync = new BookSync(kraken.book!, 10, [10, 50]);
    assert.equal(sync.onEvent(bookEvent('book-snapshot')), 'none');
    assert.equal(sync.onEvent(bookEvent('book-update')), 'none');
    assert.equal(sync.onEvent(bookEvent('book-update-remove')), 'none');
    assert.equal(sync.checksumFailures, 0);
    assert.equal(sync.book.len[ASK], 10, 'the inserted ask pushed the 11th out (truncated to the subscribed depth)');
    assert.equal(sync.onEvent(bookEvent('book-update-bad-checksum')), 'resubscribe');
    assert.equal(sync.checksumFailures, 1);
    assert.equal(sync.resyncs, 1);
    assert.equal(sync.synced, false);
  });
});
