import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay, parseRetryAfter } from '../../src/feeds/backoff.js';
import type { BackoffConfig } from '../../src/config/types.js';

const cfg: BackoffConfig = { initialMs: 500, maxMs: 60_000, multiplier: 2, jitter: 0.3, resetAfterMs: 60_000 };

describe('backoffDelay', () => {
  test('doubles from initialMs to the cap without jitter', () => {
    const d = [1, 2, 3, 4, 8, 20, 1000].map((n) => backoffDelay(n, cfg, () => 0));
    assert.deepEqual(d, [500, 1000, 2000, 4000, 60_000, 60_000, 60_000]);
  });

  test('jitter scales down into [d*(1-jitter), d]', () => {
    assert.equal(backoffDelay(1, cfg, () => 1), 350);
    assert.equal(backoffDelay(1, cfg, () => 0.5), 425);
  });

  test('harder skips two steps, still capped', () => {
    assert.equal(backoffDelay(1, cfg, () => 0, true), 2000);
    assert.equal(backoffDelay(10, cfg, () => 0, true), 60_000);
  });

  test('property: within [initial*(1-jitter), max] and non-decreasing in failures for a fixed draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 80 }),
        (initialMs, extra, multiplier, jitter, r, n) => {
          const c = { initialMs, maxMs: initialMs + extra, multiplier, jitter, resetAfterMs: 1 };
          const a = backoffDelay(n, c, () => r);
          const b = backoffDelay(n + 1, c, () => r);
          assert.ok(a <= b, `${a} > ${b}`);
          assert.ok(a >= Math.floor(initialMs * (1 - jitter)) && b <= c.maxMs);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  test('delta seconds', () => {
    assert.equal(parseRetryAfter('120', 0), 120_000);
    assert.equal(parseRetryAfter(' 1 ', 0), 1_000);
    assert.equal(parseRetryAfter(['3', '9'], 0), 3_000);
  });

  test('an HTTP date, relative to now, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  });

  test('absent or garbage: undefined', () => {
    assert.equal(parseRetryAfter(undefined, 0), undefined);
    assert.equal(parseRetryAfter('', 0), undefined);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter('-5', 0), undefined);
  });
});
