/**
 * MACD (TA-Lib MACD): line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line, histogram =
 * line - signal; every EMA seeded with the SMA of its first inputs and k = 2 / (n + 1).
 *
 * Composed from technicalindicators' EMA rather than its MACD class, to match TA-Lib exactly from
 * the first value: TA-Lib seeds the fast EMA on the `fast` closes that end where the slow EMA's
 * seed ends (bar slow - 1), so both start together, while the library's MACD seeds the fast EMA on
 * the first `fast` closes (a difference that only fades after ~100 bars). It also sidesteps the
 * library MACD reporting a signal of exactly 0 as undefined. Values are reported once the signal
 * exists (bar slow + signal - 2, TA-Lib's lookback), all three together.
 */
import { EMA } from 'technicalindicators';
import { identity, requirePeriod } from './period.js';

export interface MacdValues {
  macd: number;
  signal: number;
  histogram: number;
}

export class Macd {
  private readonly fast: EMA;
  private readonly slow: EMA;
  private readonly signal: EMA;
  /** Closes to skip before feeding the fast EMA (slow - fast). */
  private fastDelay: number;

  constructor(fast: number, slow: number, signal: number) {
    requirePeriod('macd.fast', fast);
    requirePeriod('macd.slow', slow);
    requirePeriod('macd.signal', signal);
    if (fast >= slow) throw new RangeError(`macd.fast (${fast}) must be below macd.slow (${slow})`);
    this.fast = new EMA({ period: fast, values: [], format: identity });
    this.slow = new EMA({ period: slow, values: [], format: identity });
    this.signal = new EMA({ period: signal, values: [], format: identity });
    this.fastDelay = slow - fast;
  }

  /** Feed one close; line, signal and histogram from bar slow + signal - 2 on. */
  next(close: number): MacdValues | undefined {
    const slow: number | undefined = this.slow.nextValue(close);
    let fast: number | undefined;
    if (this.fastDelay > 0) this.fastDelay--;
    else fast = this.fast.nextValue(close);
    if (fast === undefined || slow === undefined) return undefined;
    const macd = fast - slow;
    const signal: number | undefined = this.signal.nextValue(macd);
    if (signal === undefined) return undefined;
    return { macd, signal, histogram: macd - signal };
  }
}
