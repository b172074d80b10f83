/**
 * MACD (TA-Lib MACD): line = EMA(fast) - EMA(slow), signal = EMA(signal) of the line, histogram =
 * line - signal; every EMA seeded with the SMA of its first inputs and k = 2 / (n + 1).
 *
 * Composed from technicalindicators' EMA (through Ema) rather than its MACD class, to match TA-Lib
 * exactly from the first value: TA-Lib seeds the fast EMA on the `fast` closes that end where the
 * slow EMA's seed ends (bar slow - 1), so both start together, while the library's MACD seeds the
 * fast EMA on the first `fast` closes (a difference that only fades after ~100 bars). It also
 * sidesteps the library MACD reporting a signal of exactly 0 as undefined. Values are reported once
 * the signal exists (bar slow + signal - 2, TA-Lib's lookback), all three together.
 */
import { Ema } from './ema.js';
import { requirePeriod } from './period.js';

export interface MacdValues {
  macd: number;
  signal: number;
  histogram: number;
}

export class Macd {
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signal: Ema;
  /** Closes to skip before feeding the fast EMA (slow - fast). */
  private fastDelay: number;

  constructor(fast: number, slow: number, signal: number) {
    requirePeriod('macd.fast', fast);
    requirePeriod('macd.slow', slow);
    requirePeriod('macd.signal', signal);
    if (fast >= slow) throw new RangeError(`macd.fast (${fast}) must be below macd.slow (${slow})`);
    this.fast = new Ema(fast);
    this.slow = new Ema(slow);
    this.signal = new Ema(signal);
    this.fastDelay = slow - fast;
  }

  /** Feed one close; line, signal and histogram from bar slow + signal - 2 on. */
  next(close: number): MacdValues | undefined {
    const slow = this.slow.next(close);
    let fast: number | undefined;
    if (this.fastDelay > 0) this.fastDelay--;
    else fast = this.fast.next(close);
    if (fast === undefined || slow === undefined) return undefined;
    const macd = fast - slow;
    const signal = this.signal.next(macd);
    if (signal === undefined) return undefined;
    return { macd, signal, histogram: macd - signal };
  }
}
