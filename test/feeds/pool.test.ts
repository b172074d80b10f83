import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planConnections } from '../../src/feeds/pool.js';

const syms = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `S${from + i}`);

describe('planConnections', () => {
  test('fills connections in order up to the streams limit (symbols × channels)', () => {
    assert.deepEqual(planConnections(syms(5), ['trade', 'quote'], 4), [
      ['S0', 'S1'],
      ['S2', 'S3'],
      ['S4'],
    ]);
    assert.deepEqual(planConnections(syms(3), ['trade'], 1024), [['S0', 'S1', 'S2']]);
  });

  test('no symbols, no connections', () => {
    assert.deepEqual(planConnections([], ['trade'], 10), []);
  });

  test('a limit that is not a multiple of the channel count rounds down per connection', () => {
    // 3 channels, limit 7: two symbols (6 streams) per connection.
    const plan = planConnections(syms(5), ['a', 'b', 'c'], 7);
    assert.deepEqual(plan.map((g) => g.length), [2, 2, 1]);
  });

  test('a symbol costs at least one stream even with no channels', () => {
    assert.deepEqual(planConnections(syms(3), [], 2), [['S0', 'S1'], ['S2']]);
  });

  test('duplicates are kept once, at their first position', () => {
    assert.deepEqual(planConnections(['A', 'B', 'A', 'C'], ['trade'], 2), [['A', 'B'], ['C']]);
  });

  test("throws when one symbol's channels exceed the limit", () => {
    assert.throws(() => planConnections(['A'], ['trade', 'quote', 'book'], 2), /one symbol needs 3 streams .* at most 2/);
  });

  test('rejects a non-positive or fractional limit', () => {
    assert.throws(() => planConnections(['A'], ['trade'], 0), RangeError);
    assert.throws(() => planConnections(['A'], ['trade'], 1.5), RangeError);
  });

  const arbPlan = fc.record({
    symbols: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }),
    channels: fc.uniqueArray(fc.constantFrom('trade', 'quote', 'book', 'ticker'), { minLength: 1 }),
    limit: fc.integer({ min: 4, max: 40 }),
  });

  test('property: every group is within the limit, order and membership preserved, all but the last full', () => {
    fc.assert(
      fc.property(arbPlan, ({ symbols, channels, limit }) => {
        const plan = planConnections(symbols, channels, limit);
        assert.deepEqual(plan.flat(), symbols);
        const per = Math.floor(limit / channels.length);
        plan.forEach((g, i) => {
          assert.ok(g.length >= 1 && g.length * channels.length <= limit);
          if (i < plan.length - 1) assert.equal(g.length, per);
        });
        assert.equal(plan.length, Math.ceil(symbols.length / per));
      }),
    );
  });

  test('property: deterministic, and appending symbols never moves an existing one', () => {
    fc.assert(
      fc.property(arbPlan, fc.integer({ min: 1, max: 30 }), ({ symbols, channels, limit }, extra) => {
        const before = planConnections(symbols, channels, limit);
        assert.deepEqual(planConnections(symbols, channels, limit), before);
        const added = Array.from({ length: extra }, (_, i) => `new-${i}`);
        const after = planConnections([...symbols, ...added], channels, limit);
        before.forEach((g, i) => assert.deepEqual(after[i]?.slice(0, g.length), g));
      }),
    );
  });
});
