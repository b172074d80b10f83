import { test } from 'vitest';
import assert from 'node:assert/strict';
import { frameWait, lagBuckets } from '../../bench/frame-wait.js';

const body = (counts: [string, number][], feed = 'sim') =>
  counts.map(([le, n]) => `market_feed_lag_seconds_bucket{exchange="${feed}",le="${le}"} ${n}`).join('\n') + '\nmarket_feed_lag_seconds_count{exchange="sim"} 1\n';

test('the frames between two scrapes, how many waited over 10, 20 and 100 ms, and the bucket of the longest', () => {
  const a = lagBuckets(body([['0.01', 5], ['0.02', 5], ['0.025', 5], ['0.1', 6], ['0.25', 6], ['+Inf', 6]]));
  const b = lagBuckets(body([['0.01', 105], ['0.02', 107], ['0.025', 108], ['0.1', 110], ['0.25', 111], ['+Inf', 111]]));
  assert.deepEqual(frameWait(a, b), { frames: 105, over10ms: 5, over20ms: 3, over100ms: 1, floorS: 0.1, ceilS: 0.25 });
});

test('feeds are summed; no frame counted gives NaN bounds; beyond the last bound is Infinity', () => {
  const two = lagBuckets(body([['0.01', 1], ['+Inf', 2]]) + body([['0.01', 3], ['+Inf', 3]], 'other'));
  assert.equal(two.get(0.01), 4);
  assert.equal(two.get(Infinity), 5);
  const none = frameWait(two, two);
  assert.equal(none.frames, 0);
  assert.ok(Number.isNaN(none.ceilS));
  const later = lagBuckets(body([['0.01', 1], ['+Inf', 4]]) + body([['0.01', 3], ['+Inf', 3]], 'other'));
  assert.deepEqual(frameWait(two, later), { frames: 2, over10ms: 2, over20ms: 2, over100ms: 2, floorS: 0.01, ceilS: Infinity });
});
