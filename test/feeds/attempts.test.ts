import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AttemptWindow } from '../../src/feeds/attempts.js';

describe('AttemptWindow', () => {
  test('lets `count` attempts through at once, then books the next slot a window later', () => {
    const w = new AttemptWindow(2, 1000);
    assert.deepEqual([w.reserve(0), w.reserve(0), w.reserve(0), w.reserve(0), w.reserve(0)], [0, 0, 1000, 1000, 2000]);
  });

  test('forgets attempts older than the window', () => {
    const w = new AttemptWindow(1, 100);
    assert.equal(w.reserve(0), 0);
    assert.equal(w.reserve(50), 50);
    assert.equal(w.reserve(500), 0);
  });

  test('rejects a nonsensical budget', () => {
    assert.throws(() => new AttemptWindow(0, 1000), RangeError);
  });

  test('property: no half-open window of windowMs ever holds more than count bookings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }),
        (count, windowMs, gaps) => {
          const w = new AttemptWindow(count, windowMs);
          let now = 0;
          const slots: number[] = [];
          for (const g of gaps) {
            now += g;
            const wait = w.reserve(now);
            assert.ok(wait >= 0);
            slots.push(now + wait);
          }
          for (const s of slots) assert.ok(slots.filter((t) => t >= s && t < s + windowMs).length <= count);
        },
      ),
    );
  });
});
