/**
 * The memory floor tool end to end, tiny: the simulator and the floor client (bench/ceiling-child
 * `with-deps`) as real processes on loopback. Checks what it reports holds together, never sizes.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { measureFloor } from '../../bench/rss-floor.js';

test('the floor parses the offered frames and reports its peak, anonymous and file pages', async () => {
  const r = await measureFloor(20, 400, 1.5);
  assert.equal(r.offeredFps, 800, 'trades and book tickers');
  // The simulator sends what it is asked for; a floor that parsed little measured little.
  assert.ok(r.framesParsed >= 600 && r.framesParsed <= 2_000, `${r.framesParsed} frames in 1.5 s at 800 a second`);
  // The peak since the reset is at least the RSS at the end (anonymous + file, rounded by the kernel to pages).
  assert.ok(r.peakRssMiB >= r.anonMiB + r.fileMiB - 1, `peak ${r.peakRssMiB} against ${r.anonMiB} + ${r.fileMiB} MiB`);
  // Node's own executable is most of the file pages; express and the rest loaded shows in the heap.
  assert.ok(r.fileMiB > 20 && r.anonMiB > 5, `file ${r.fileMiB}, anonymous ${r.anonMiB} MiB`);
}, 60_000);
