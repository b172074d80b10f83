/** The pure parts of backfill: the missing range, its pages, the weight pacer. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Pacer } from '../../src/backfill/pacer.js';
import { missingRange, pages } from '../../src/backfill/plan.js';

const MIN = 60_000;
const T = 1_700_000_040_000; // a minute boundary

test('start: depth bars ending with the last bucket closed by now - grace', () => {
  assert.deepEqual(missingRange(T + 1_000, 2_000, MIN, 10, undefined), { from: T - 11 * MIN, to: T - MIN });
  assert.deepEqual(missingRange(T + 3_000, 2_000, MIN, 10, undefined), { from: T - 10 * MIN, to: T });
});

test('after a gap: from the end of the last bar the indicators saw; nothing when nothing is missing', () => {
  assert.deepEqual(missingRange(T + 3_000, 2_000, MIN, 200, T - 3 * MIN), { from: T - 3 * MIN, to: T });
  assert.equal(missingRange(T + 3_000, 2_000, MIN, 200, T), undefined);
  assert.deepEqual(missingRange(T + 3_000, 2_000, MIN, 1000, undefined, 720), { from: T - 720 * MIN, to: T });
});

test('pages cover the range exactly, oldest first, at most maxBars each', () => {
  const p = pages(0, 2500 * MIN, MIN, 1000);
  assert.deepEqual(p, [
    { from: 0, to: 1000 * MIN },
    { from: 1000 * MIN, to: 2000 * MIN },
    { from: 2000 * MIN, to: 2500 * MIN },
  ]);
  assert.deepEqual(pages(5, 5, MIN, 10), []);
});

test('pacer: the budget goes at once, then refills at its rate; a pause spends nothing before its end', () => {
  const p = new Pacer(10, 1_000, 0);
  for (let i = 0; i < 5; i++) assert.equal(p.take(2, 0), 0);
  assert.equal(p.take(2, 0), 200);
  assert.equal(p.take(2, 200), 0);
  p.pauseUntil(5_000);
  assert.equal(p.take(1, 4_000), 1_100);
  assert.equal(p.take(1, 5_100), 0);
  assert.throws(() => new Pacer(0, 1, 0), /positive/);
});
