/**
 * MACD (TA-Lib MACD): line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line, histogram =
 * line - signal; every EMA seeded with the SMA of its first inputs and k = 2 / (n + 1).
 *
 * As TA-Lib does, the fast EMA is seeded on the `fast` closes that end where the slow EMA's seed
 * ends (bar slow - 1), so both start together (seeding it on the first `fast` closes, as
 * technicalindicators' MACD does, differs for ~100 bars). Values come once the signal exists (bar
 * slow + signal - 2, TA-Lib's lookback), all three together.
 */
import { emaStep } from './ema.js';
import { native, period } from './kernel.js';

// Slot layout: closes seen, then three EMAs of 3 words each (see emaStep).
const SEEN = 0;
const FAST = 1;
const SLOW = 4;
const SIGNAL = 7;

export const macd = native({
  key: 'macd',
  summary: 'Moving average convergence/divergence',
  params: { fast: period(12), slow: period(26), signal: period(9) },
  outputs: [
    { name: 'macd', meaning: 'MACD line: EMA(fast) - EMA(slow)' },
    { name: 'macd_signal', meaning: 'MACD signal: EMA(signal) of the MACD line' },
    { name: 'macd_histogram', meaning: 'MACD histogram: line - signal' },
  ],
  check: (p, inFile) => {
    if (p.fast < p.slow) return undefined;
    return inFile('fast') || !inFile('slow') ? { param: 'fast', expected: `less than slow (${p.slow})` } : { param: 'slow', expected: `more than fast (${p.fast})` };
  },
  kernel: ({ fast, slow, signal }) => ({
    words: 10,
    init(s, at) {
      s.fill(0, at, at + 10);
    },
    update(s, at, bar, out, o) {
      const close = bar[2]!;
      const seen = s[at + SEEN]!;
      if (seen < slow) s[at + SEEN] = seen + 1;
      const sl = emaStep(s, at + SLOW, slow, close);
      if (seen < slow - fast) return;
      const f = emaStep(s, at + FAST, fast, close);
      if (sl !== sl) return;
      const line = f - sl;
      const sig = emaStep(s, at + SIGNAL, signal, line);
      if (sig !== sig) return;
      out[o] = line;
      out[o + 1] = sig;
      out[o + 2] = line - sig;
    },
  }),
});
