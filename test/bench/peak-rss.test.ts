import { test } from 'vitest';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHwm, peakRss, resetPeakRss, statusBytes } from '../../bench/peak-rss.js';

// A collection on demand, to free the test's buffer (a flag set at run time reaches new contexts).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1 << 20;

test('VmHWM is read from a status text, in bytes; NaN without the line', () => {
  assert.equal(parseHwm('Name:\tnode\nVmPeak:\t 1200 kB\nVmHWM:\t   40476 kB\nVmRSS:\t   40232 kB\n'), 40476 * 1024);
  assert.ok(Number.isNaN(parseHwm('Name:\tnode\nVmRSS:\t 1 kB\n')));
});

test('any kB field of a status text, in bytes; NaN without it', () => {
  const status = 'VmRSS:\t   40232 kB\nRssAnon:\t   12000 kB\nRssFile:\t   28000 kB\n';
  assert.equal(statusBytes(status, 'RssAnon'), 12000 * 1024);
  assert.equal(statusBytes(status, 'RssFile'), 28000 * 1024);
  assert.ok(Number.isNaN(statusBytes(status, 'RssShmem')));
});

test('the peak holds what was touched and freed, and a reset starts a new one below it', async () => {
  // Judged against the RSS while the buffer is held, not against the RSS before it: V8 sweeps
  // and frees other files' garbage on its own threads, so the RSS can fall while the test
  // touches its 64 MiB (once a 64 MiB touch raised the peak by only 36 MiB over the reset).
  resetPeakRss();
  // Touched and dropped inside a call, so the collection below frees it.
  const touch = () => {
    const big = Buffer.alloc(64 * MiB, 1);
    return { held: process.memoryUsage.rss(), last: big[big.length - 1] };
  };
  const { held, last } = touch();
  assert.equal(last, 1);
  gc();
  // Array buffers are freed by a background sweeper, so the RSS comes down a little after the
  // collection; the test waits for it rather than read the peak before the free.
  let now = process.memoryUsage.rss();
  for (let i = 0; i < 250 && now > held - 48 * MiB; i++) {
    await sleep(20);
    now = process.memoryUsage.rss();
  }
  assert.ok(now <= held - 48 * MiB, `the RSS ${now} did not come down from ${held} after the 64 MiB were freed`);
  const high = peakRss();
  assert.ok(high >= held - MiB, `peak ${high} below the RSS ${held} while the 64 MiB were held`);
  resetPeakRss();
  const after = process.memoryUsage.rss();
  const fresh = peakRss();
  assert.ok(fresh < high - 32 * MiB, `after a reset the peak ${fresh} is still the old ${high} (RSS now ${after})`);
  assert.ok(fresh >= after - MiB, `peak ${fresh} below the RSS now, ${after}`);
});
