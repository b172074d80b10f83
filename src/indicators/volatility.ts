/**
 * Realised volatility: the sample standard deviation (n - 1 denominator) of the last `period`
 * log returns ln(close / previous close). Per bar, NOT annualised: scale by sqrt(bars per year)
 * in PromQL if needed (it depends on the interval label, which the indicator does not know).
 *
 * Not from technicalindicators: its SD is the population deviation, and it silently repeats the
 * previous value whenever the window's mean is exactly 0, which log returns of a flat or
 * round-tripping market hit. A ring of `period` returns and a two-pass sum is exact and cheap.
 */
import { requirePeriod } from './period.js';

export class Volatility {
  /** A plain array of doubles: a Float64Array this small costs more (a buffer object, off-heap store). */
  private readonly returns: number[];
  private count = 0;
  private pos = 0;
  private prevClose: number | undefined;

  constructor(period: number) {
    requirePeriod('volatility.period', period, 2);
    this.returns = new Array<number>(period).fill(0);
  }

  /** Feed one close (> 0); the volatility from the (period + 1)-th close on. */
  next(close: number): number | undefined {
    const prev = this.prevClose;
    this.prevClose = close;
    if (prev === undefined) return undefined;
    const n = this.returns.length;
    this.returns[this.pos] = Math.log(close / prev);
    this.pos = (this.pos + 1) % n;
    if (this.count < n) this.count++;
    if (this.count < n) return undefined;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.returns[i] as number;
    const mean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const d = (this.returns[i] as number) - mean;
      sq += d * d;
    }
    return Math.sqrt(sq / (n - 1));
  }
}
