import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type SeqResult, SequenceTracker } from '../../src/market/sequence.js';

const kinds = (t: SequenceTracker, seqs: number[]) => seqs.map((s) => t.check(s));

describe('SequenceTracker', () => {
  test('first, then next for consecutive numbers', () => {
    assert.deepEqual(kinds(new SequenceTracker(), [41, 42, 43]), [{ kind: 'first' }, { kind: 'next' }, { kind: 'next' }]);
  });

  test('a jump forward is a gap with the count of numbers skipped', () => {
    const t = new SequenceTracker();
    assert.deepEqual(kinds(t, [10, 11, 15, 16, 17, 100]), [
      { kind: 'first' },
      { kind: 'next' },
      { kind: 'gap', missed: 3 },
      { kind: 'next' },
      { kind: 'next' },
      { kind: 'gap', missed: 82 },
    ]);
  });

  test('a number seen recently is a duplicate', () => {
    const t = new SequenceTracker();
    assert.deepEqual(kinds(t, [5, 6, 7, 7, 6, 5]), [
      { kind: 'first' },
      { kind: 'next' },
      { kind: 'next' },
      { kind: 'duplicate' },
      { kind: 'duplicate' },
      { kind: 'duplicate' },
    ]);
  });

  test('a late arrival that fills a gap is out_of_order, and its copy a duplicate', () => {
    const t = new SequenceTracker();
    assert.deepEqual(kinds(t, [1, 4, 2, 3, 2, 5]), [
      { kind: 'first' },
      { kind: 'gap', missed: 2 },
      { kind: 'out_of_order' },
      { kind: 'out_of_order' },
      { kind: 'duplicate' },
      { kind: 'next' },
    ]);
  });

  test('below the first number of the session is out_of_order', () => {
    const t = new SequenceTracker();
    assert.deepEqual(kinds(t, [100, 99]), [{ kind: 'first' }, { kind: 'out_of_order' }]);
  });

  test('memory is bounded: an old number no longer remembered is out_of_order, not duplicate', () => {
    const t = new SequenceTracker({ recent: 4 });
    kinds(t, [1, 2, 3, 4, 5, 6]); // remembers 3..6
    assert.deepEqual(t.check(3), { kind: 'duplicate' });
    assert.deepEqual(t.check(2), { kind: 'out_of_order' });
    // ...and now 2 is remembered (it pushed 3 out).
    assert.deepEqual(t.check(2), { kind: 'duplicate' });
    assert.deepEqual(t.check(3), { kind: 'out_of_order' });
  });

  test('numbers of every size a venue uses: 0, past 2^30 (trade ids in the billions), up to 2^53', () => {
    assert.deepEqual(kinds(new SequenceTracker(), [0, 1, 3]), [{ kind: 'first' }, { kind: 'next' }, { kind: 'gap', missed: 1 }]);
    const big = 5_123_456_789;
    assert.deepEqual(kinds(new SequenceTracker(), [big, big + 1, big + 4, big + 2, big + 2]), [
      { kind: 'first' },
      { kind: 'next' },
      { kind: 'gap', missed: 2 },
      { kind: 'out_of_order' },
      { kind: 'duplicate' },
    ]);
    const top = Number.MAX_SAFE_INTEGER;
    assert.deepEqual(kinds(new SequenceTracker(), [top - 2, top - 1, top]), [{ kind: 'first' }, { kind: 'next' }, { kind: 'next' }]);
  });

  test('reset starts a new session (after a reconnect)', () => {
    const t = new SequenceTracker();
    kinds(t, [500, 501]);
    t.reset();
    assert.deepEqual(kinds(t, [7, 8, 501]), [{ kind: 'first' }, { kind: 'next' }, { kind: 'gap', missed: 492 }]);
    t.reset();
    assert.deepEqual(t.check(8), { kind: 'first' });
    assert.deepEqual(t.check(7), { kind: 'out_of_order' }); // 7 was forgotten by reset
  });

  test('rejects a non-finite number and a bad option', () => {
    assert.throws(() => new SequenceTracker().check(Number.NaN), RangeError);
    assert.throws(() => new SequenceTracker({ recent: 0 }), RangeError);
  });

  test('matches an unbounded reference when every number stays within `recent`', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 200 }), (seqs) => {
        const t = new SequenceTracker({ recent: 256 });
        const seen = new Set<number>();
        let last: number | undefined;
        for (const s of seqs) {
          let want: SeqResult;
          if (last === undefined) want = { kind: 'first' };
          else if (s === last + 1) want = { kind: 'next' };
          else if (s > last) want = { kind: 'gap', missed: s - last - 1 };
          else if (seen.has(s)) want = { kind: 'duplicate' };
          else want = { kind: 'out_of_order' };
          seen.add(s);
          if (last === undefined || s > last) last = s;
          assert.deepEqual(t.check(s), want);
        }
      }),
      { numRuns: 300 },
    );
  });
});
