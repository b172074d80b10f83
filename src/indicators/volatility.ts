/**
 * Realised volatility: the sample standard deviation (n - 1 denominator) of the last `period` log
 * returns ln(close / previous close), from the (period + 1)-th close on. Per bar, NOT annualised:
 * scale by sqrt(bars per year) in PromQL if needed (it depends on the interval label).
 *
 * Not a TA-Lib function (its STDDEV is the population deviation). Two-pass over a ring of returns:
 * exact, and a flat market gives returns of exactly 0, so a volatility of exactly 0.
 */
import { native, period } from './kernel.js';

const SEEN = 0;
const POS = 1;
const PREV = 2;
const RING = 3;

export const volatility = native({
  key: 'volatility',
  summary: 'Realised volatility of log returns',
  params: { period: period(20, 2, 'a sample deviation needs two returns') },
  outputs: [{ name: 'volatility', meaning: 'Sample stddev of log returns of closes over the period (not annualised)' }],
  kernel: ({ period: n }) => ({
    words: RING + n,
    init(s, at) {
      s.fill(0, at, at + RING + n);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const seen = s[at + SEEN]!;
      const prev = s[at + PREV]!;
      s[at + PREV] = close;
      if (seen <= n) s[at + SEEN] = seen + 1;
      if (seen === 0) return;
      const r = at + RING;
      const pos = s[at + POS]!;
      s[r + pos] = Math.log(close / prev);
      s[at + POS] = pos + 1 === n ? 0 : pos + 1;
      if (seen < n) return;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += s[r + i]!;
      const mean = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const d = s[r + i]! - mean;
        sq += d * d;
      }
      out[o] = Math.sqrt(sq / (n - 1));
    },
  }),
});
