/**
 * Relative Strength Index (TA-Lib RSI): Wilder-smoothed average gain and loss, seeded with the
 * simple average of the first `period` changes, then avg = (avg × (period - 1) + x) / period;
 * RSI = 100 × gain / (gain + loss), from the (period + 1)-th close on.
 *
 * Flat-market convention: when both averages are exactly 0 (no change in the whole history, e.g.
 * a new or long-idle symbol) TA-Lib answers 0, which would fire an "oversold" alert on a flat
 * market; this answers 50, the neutral value.
 */
import { native, period } from './kernel.js';

// Slot layout: closes seen, previous close, average gain, average loss.
const SEEN = 0;
const PREV = 1;
const GAIN = 2;
const LOSS = 3;

export const rsi = native({
  key: 'rsi',
  summary: 'Relative Strength Index (Wilder)',
  params: { period: period(14) },
  outputs: [{ name: 'rsi', meaning: 'Relative Strength Index (Wilder), 0-100; 50 while the price has never moved' }],
  kernel: ({ period: n }) => ({
    words: 4,
    init(s, at) {
      s.fill(0, at, at + 4);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const seen = s[at + SEEN]!;
      s[at + SEEN] = seen + 1;
      const d = close - s[at + PREV]!;
      s[at + PREV] = close;
      if (seen === 0) return;
      const up = d > 0 ? d : 0;
      const down = d < 0 ? -d : 0;
      let g = s[at + GAIN]!;
      let l = s[at + LOSS]!;
      if (seen < n) {
        s[at + GAIN] = g + up;
        s[at + LOSS] = l + down;
        return;
      }
      if (seen === n) {
        g = (g + up) / n;
        l = (l + down) / n;
      } else {
        g = (g * (n - 1) + up) / n;
        l = (l * (n - 1) + down) / n;
      }
      s[at + GAIN] = g;
      s[at + LOSS] = l;
      const sum = g + l;
      out[o] = sum === 0 ? 50 : (100 * g) / sum;
    },
  }),
});
