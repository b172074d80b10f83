import { test } from 'vitest';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseHwm, peakRss, resetPeakRss } from '../../bench/peak-rss.js';

// A collection on demand, to free the test's buffer (a flag set at run time reaches new contexts).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('VmHWM is read from a status text, in bytes; NaN without the line', () => {
  assert.equal(parseHwm('Name:\tnode\nVmPeak:\t 1200 kB\nVmHWM:\t   40476 kB\nVmRSS:\t   40232 kB\n'), 40476 * 1024);
  assert.ok(Number.isNaN(parseHwm('Name:\tnode\nVmRSS:\t 1 kB\n')));
});

test('the peak holds what was touched and freed, and a reset starts a new one below it', () => {
  resetPeakRss();
  const before = peakRss();
  // Touched and dropped inside a call, so the collection below frees it.
  const touch = () => {
    const big = Buffer.alloc(64 << 20, 1);
    return { peak: peakRss(), last: big[big.length - 1] };
  };
  const { peak: high, last } = touch();
  assert.ok(high >= before + (48 << 20), `peak ${high} after touching 64 MiB from ${before}`);
  assert.equal(last, 1);
  gc();
  resetPeakRss();
  const now = process.memoryUsage.rss();
  const fresh = peakRss();
  assert.ok(fresh < high - (32 << 20), `after a reset the peak ${fresh} is still the old ${high} (RSS now ${now})`);
  assert.ok(fresh >= now - (1 << 20), `peak ${fresh} below the RSS now, ${now}`);
});
