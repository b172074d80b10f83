/**
 * Exponential moving average of closes (TA-Lib EMA, its default compatibility): seeded with the
 * SMA of the first `period` closes, then ema += (close - ema) × k with k = 2 / (period + 1).
 */
import { native, period } from './kernel.js';

/**
 * One EMA in 3 words from `at`: inputs seen, the seed sum, the average. Feeds `x`; returns the
 * EMA once seeded, else NaN. MACD runs three of these.
 */
export function emaStep(s: Float64Array, at: number, n: number, x: number): number {
  const seen = s[at]! + 1;
  if (seen > n) return (s[at + 2] = (x - s[at + 2]!) * (2 / (n + 1)) + s[at + 2]!);
  s[at] = seen;
  const sum = (s[at + 1] = s[at + 1]! + x);
  return seen === n ? (s[at + 2] = sum / n) : NaN;
}

export const ema = native({
  key: 'ema',
  summary: 'Exponential moving average of closes',
  params: { period: period(20) },
  outputs: [{ name: 'ema', meaning: 'Exponential moving average of closes (seeded with the SMA)' }],
  kernel: ({ period: n }) => ({
    words: 3,
    init(s, at) {
      s.fill(0, at, at + 3);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const v = emaStep(s, at, n, close);
      if (v === v) out[o] = v;
    },
  }),
});
