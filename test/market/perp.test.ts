import { test } from 'vitest';
import assert from 'node:assert/strict';
import { PerpState, validMark } from '../../src/market/perp.js';

test('each field keeps its last value until an event carries a new one; every event stamps updatedAt', () => {
  const p = new PerpState();
  assert.ok([p.mark, p.index, p.funding, p.nextFunding, p.updatedAt].every(Number.isNaN), 'nothing before the first event');
  p.apply({ kind: 'mark', symbol: 'X', markPrice: 100, indexPrice: 99, fundingRate: 0.0001, nextFundingTime: 5_000 }, 1_000);
  p.apply({ kind: 'mark', symbol: 'X', fundingRate: -0.0002 }, 2_000);
  assert.deepEqual([p.mark, p.index, p.funding, p.nextFunding, p.updatedAt], [100, 99, -0.0002, 5_000, 2_000]);
});

test('validMark: prices above zero, a finite rate of either sign, a positive time', () => {
  const ok = { kind: 'mark', symbol: 'X' } as const;
  assert.ok(validMark({ ...ok }));
  assert.ok(validMark({ ...ok, markPrice: 1, indexPrice: 1, fundingRate: -0.01, nextFundingTime: 1 }));
  for (const bad of [{ markPrice: 0 }, { markPrice: NaN }, { indexPrice: -1 }, { indexPrice: Infinity }, { fundingRate: NaN }, { fundingRate: -Infinity }, { nextFundingTime: 0 }, { nextFundingTime: NaN }])
    assert.equal(validMark({ ...ok, ...bad }), false, JSON.stringify(bad));
});
