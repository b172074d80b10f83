/**
 * Bollinger Bands (TA-Lib BBANDS with an SMA): middle = SMA(period), upper/lower = middle ±
 * stdDev × the population standard deviation of the same closes; also %B = (close - lower) /
 * (upper - lower) and bandwidth = (upper - lower) / middle. From the `period`-th close on.
 *
 * The deviation is two-pass over the window at every bar (mean, then squared distances), not
 * TA-Lib's running sums of x and x²: at a price of 1e9 with a spread of cents those cancel to
 * noise, and %B divides by the result.
 *
 * Flat-market convention: when every close in the window is equal the bands collapse and %B is
 * 0/0; it is reported as 0.5, the close sitting on the middle, so a flat market never looks like
 * a breakout. Equality is tested on the closes themselves, so a flat stretch after a move gives
 * exactly that too rather than a deviation made of rounding.
 */
import { native, period } from './kernel.js';

const SEEN = 0;
const POS = 1;
const RING = 2;

export const bollinger = native({
  key: 'bollinger',
  summary: 'Bollinger Bands on an SMA of closes',
  params: {
    period: period(20, 2, 'a deviation needs two bars'),
    stdDev: { default: 2, min: 0, minExclusive: true, max: 100, integer: false },
  },
  outputs: [
    { name: 'bb_upper', meaning: 'Bollinger upper band: SMA + k x population stddev' },
    { name: 'bb_middle', meaning: 'Bollinger middle band: SMA of closes' },
    { name: 'bb_lower', meaning: 'Bollinger lower band: SMA - k x population stddev' },
    { name: 'bb_percent_b', meaning: 'Bollinger %B: (close - lower) / (upper - lower); 0.5 when the window is flat' },
    { name: 'bb_bandwidth', meaning: 'Bollinger bandwidth: (upper - lower) / middle' },
  ],
  kernel: ({ period: n, stdDev: k }) => ({
    words: RING + n,
    init(s, at) {
      s.fill(0, at, at + RING + n);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const r = at + RING;
      const pos = s[at + POS]!;
      s[r + pos] = close;
      s[at + POS] = pos + 1 === n ? 0 : pos + 1;
      const seen = s[at + SEEN]!;
      if (seen < n) {
        s[at + SEEN] = seen + 1;
        if (seen + 1 < n) return;
      }
      let sum = 0;
      let flat = true;
      for (let i = 0; i < n; i++) {
        const x = s[r + i]!;
        sum += x;
        flat &&= x === close;
      }
      let middle = close;
      let dev = 0;
      if (!flat) {
        middle = sum / n;
        let sq = 0;
        for (let i = 0; i < n; i++) {
          const d = s[r + i]! - middle;
          sq += d * d;
        }
        dev = Math.sqrt(sq / n) * k;
      }
      const upper = middle + dev;
      const lower = middle - dev;
      const width = upper - lower;
      out[o] = upper;
      out[o + 1] = middle;
      out[o + 2] = lower;
      out[o + 3] = width === 0 ? 0.5 : (close - lower) / width;
      out[o + 4] = width / middle;
    },
  }),
});
