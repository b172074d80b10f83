import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SOAK_JUDGED_MIN_S, SOAK_WARMUP_S, soakOptions } from '../../bench/soak-options.js';

test('a soak shorter than the warm-up plus a judged minute is refused, saying the minimum', () => {
  assert.throws(() => soakOptions(['--minutes', '1']), /--minutes 1 is too short: the first 120 s are warm-up .* use --minutes 3 or more/);
  assert.throws(() => soakOptions(['--minutes', '2', '--warmup', '90']), /use --minutes 2\.5 or more/);
  assert.equal(soakOptions(['--minutes', '3']).warmup, SOAK_WARMUP_S, 'the warm-up does not shrink with a short run');
  assert.equal(soakOptions(['--minutes', '1.5', '--warmup', String(90 - SOAK_JUDGED_MIN_S)]).minutes, 1.5, 'a short warm-up asked for explicitly');
  assert.equal(soakOptions(['--help']).help, true);
});
