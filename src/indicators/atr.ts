/**
 * Average True Range (TA-Lib ATR): true range = max(high - low, |high - prev close|, |low - prev
 * close|), from the second bar (the first has no previous close); the first ATR is the mean of the
 * first `period` true ranges, then Wilder smoothing: (prev × (period - 1) + TR) / period.
 */
import { native, period } from './kernel.js';

// Slot layout: bars seen (capped past warm-up), previous close, seed sum or the ATR.
const SEEN = 0;
const PREV = 1;
const ATR = 2;

export const atr = native({
  key: 'atr',
  summary: 'Average True Range (Wilder)',
  params: { period: period(14) },
  outputs: [{ name: 'atr', meaning: 'Average True Range (Wilder)' }],
  kernel: ({ period: n }) => ({
    words: 3,
    init(s, at) {
      s.fill(0, at, at + 3);
    },
    update(s, at, bar, out, o) {
      const high = bar[0]!;
      const low = bar[1]!;
      const close = bar[2]!;
      const seen = s[at + SEEN]!;
      const pc = s[at + PREV]!;
      s[at + PREV] = close;
      if (seen <= n) s[at + SEEN] = seen + 1;
      if (seen === 0) return;
      const tr = Math.max(high - low, Math.abs(high - pc), Math.abs(low - pc));
      let a = s[at + ATR]!;
      if (seen < n) {
        s[at + ATR] = a + tr;
        return;
      }
      a = seen === n ? (a + tr) / n : (a * (n - 1) + tr) / n;
      s[at + ATR] = a;
      out[o] = a;
    },
  }),
});
