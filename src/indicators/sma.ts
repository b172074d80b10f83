/**
 * Simple moving average of closes (TA-Lib SMA), from the `period`-th close on.
 *
 * A running sum, as TA-Lib keeps one, but summed again from the window each time the ring wraps:
 * an add and a subtract per bar would otherwise carry their rounding for the life of the process.
 */
import { native, period } from './kernel.js';

// Slot layout: closes seen (capped at period), ring position, running sum, then the ring.
const SEEN = 0;
const POS = 1;
const SUM = 2;
const RING = 3;

export const sma = native({
  key: 'sma',
  summary: 'Simple moving average of closes',
  params: { period: period(20) },
  outputs: [{ name: 'sma', meaning: 'Simple moving average of closes' }],
  kernel: ({ period: n }) => ({
    words: RING + n,
    init(s, at) {
      s.fill(0, at, at + RING + n);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const r = at + RING;
      const pos = s[at + POS]!;
      const old = s[r + pos]!;
      s[r + pos] = close;
      const next = pos + 1 === n ? 0 : pos + 1;
      s[at + POS] = next;
      const seen = s[at + SEEN]!;
      if (seen < n) s[at + SEEN] = seen + 1;
      let sum: number;
      if (next === 0) {
        sum = 0;
        for (let i = 0; i < n; i++) sum += s[r + i]!;
      } else sum = s[at + SUM]! + close - (seen < n ? 0 : old);
      s[at + SUM] = sum;
      if (seen + 1 >= n) out[o] = sum / n;
    },
  }),
});
