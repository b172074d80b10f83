import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { WALL_REFRESH_MS, WallClock } from '../../src/runtime/wall-clock.js';

function counted(start = 1_718_000_000_000) {
  const d = { now: start, reads: 0 };
  const clock = new WallClock(() => (d.reads++, d.now));
  return { d, clock };
}

describe('WallClock', () => {
  test('one Date.now() serves readings until the monotonic clock has moved WALL_REFRESH_MS', () => {
    const { d, clock } = counted();
    assert.equal(clock.at(100), 1_718_000_000_000);
    d.now += 7; // the system clock moves; within the window the first read stands
    assert.equal(clock.at(100), 1_718_000_000_000);
    assert.equal(clock.at(100 + WALL_REFRESH_MS / 2), 1_718_000_000_000);
    assert.equal(d.reads, 1);
    assert.equal(clock.at(100 + WALL_REFRESH_MS), 1_718_000_000_007);
    assert.equal(d.reads, 2);
  });

  test('a monotonic reading behind the last read (another clock) reads again', () => {
    const { d, clock } = counted();
    clock.at(500);
    d.now += 3;
    assert.equal(clock.at(499.99), 1_718_000_000_003);
    assert.equal(d.reads, 2);
  });

  test('whole milliseconds, as Date.now() gives them; a step of the system clock shows at the next read', () => {
    const { d, clock } = counted();
    const times: number[] = [];
    for (let mono = 0; mono < 10; mono += 0.1) {
      d.now = 1_718_000_000_000 + Math.floor(mono) + (mono >= 5 ? -60_000 : 0);
      times.push(clock.at(mono));
    }
    assert.equal(times.every(Number.isInteger), true);
    // Behind the system clock by less than WALL_REFRESH_MS of monotonic time (here 0.3 ms, < 1 ms).
    assert.equal(times[49], 1_718_000_000_004);
    assert.equal(times[55], 1_717_999_940_005, 'the step back, within WALL_REFRESH_MS');
    assert.ok(d.reads < times.length / 2, `${d.reads} reads for ${times.length} readings`);
  });
});
