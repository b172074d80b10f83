import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ASK, BID, Book } from '../../src/book/book.js';

const levels = (b: Book, side: 0 | 1) => Array.from({ length: b.len[side] }, (_, i) => [b.px[side][i], b.qty[side][i]]);

describe('Book', () => {
  test('keeps bids high to low and asks low to high; qty 0 removes; absolute sizes replace', () => {
    const b = new Book(5);
    for (const p of [100, 102, 101]) b.set(BID, p, 1);
    for (const p of [105, 103, 104]) b.set(ASK, p, 2);
    b.set(BID, 101, 7);
    b.set(ASK, 104, 0);
    assert.deepEqual(levels(b, BID), [[102, 1], [101, 7], [100, 1]]);
    assert.deepEqual(levels(b, ASK), [[103, 2], [105, 2]]);
    // Removing a level the book does not hold is normal and changes nothing.
    b.set(ASK, 999, 0);
    assert.deepEqual(levels(b, ASK), [[103, 2], [105, 2]]);
  });

  test('holds at most `capacity` levels: a worse level is not kept, a better one pushes the worst out', () => {
    const b = new Book(3);
    for (const p of [10, 9, 8]) b.set(BID, p, 1);
    b.set(BID, 7, 1);
    assert.deepEqual(levels(b, BID).map(([p]) => p), [10, 9, 8]);
    b.set(BID, 11, 1);
    assert.deepEqual(levels(b, BID).map(([p]) => p), [11, 10, 9]);
    b.truncate(2);
    assert.deepEqual(levels(b, BID).map(([p]) => p), [11, 10]);
  });

  test('derived values: top sizes, spread in bps of the mid, depth within bands, imbalance', () => {
    const b = new Book(10);
    b.set(BID, 99.9, 2);
    b.set(BID, 99.5, 3);
    b.set(BID, 98, 50);
    b.set(ASK, 100.1, 1);
    b.set(ASK, 100.4, 4);
    b.set(ASK, 103, 60);
    assert.equal(b.bestBidSize, 2);
    assert.equal(b.bestAskSize, 1);
    assert.equal(b.mid, 100);
    assert.ok(Math.abs(b.spreadBps - 20) < 1e-9, `${b.spreadBps}`);
    // 10 bps of 100 is 99.9..100.1; 50 bps is 99.5..100.5.
    assert.equal(b.depthWithin(BID, 10), 2);
    assert.equal(b.depthWithin(ASK, 10), 1);
    assert.equal(b.depthWithin(BID, 50), 5);
    assert.equal(b.depthWithin(ASK, 50), 5);
    assert.ok(Math.abs(b.imbalance(10) - 1 / 3) < 1e-12);
    assert.equal(b.imbalance(50), 0);
  });

  test('one-sided or empty book: no mid, so no spread, depth or imbalance (NaN, never 0)', () => {
    const b = new Book(4);
    assert.ok(Number.isNaN(b.bestBidSize) && Number.isNaN(b.spreadBps));
    b.set(BID, 10, 1);
    assert.ok(Number.isNaN(b.mid) && Number.isNaN(b.depthWithin(BID, 10)) && Number.isNaN(b.imbalance(10)));
  });

  test('property: after any updates the book equals a reference map cut to the best `capacity` levels', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 3 })), { maxLength: 200 }), (ops) => {
        const cap = 8;
        const b = new Book(cap);
        const ref: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
        for (const [bid, p, q] of ops) {
          const side = bid ? BID : ASK;
          b.set(side, p, q);
          const m = ref[side];
          // The reference keeps only what the book would: levels within the best `cap` at the time.
          if (q === 0) m.delete(p);
          else if (m.has(p)) m.set(p, q);
          else {
            m.set(p, q);
            const kept = [...m.keys()].sort((x, y) => (side === BID ? y - x : x - y)).slice(0, cap);
            for (const k of [...m.keys()]) if (!kept.includes(k)) m.delete(k);
          }
        }
        for (const side of [BID, ASK] as const) {
          const want = [...ref[side].entries()].sort((x, y) => (side === BID ? y[0] - x[0] : x[0] - y[0]));
          assert.deepEqual(levels(b, side), want);
        }
      }),
      { numRuns: 300 },
    );
  });
});
