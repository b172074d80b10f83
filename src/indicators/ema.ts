/**
 * Exponential moving average of closes (TA-Lib EMA): seeded with the SMA of the first `period`
 * closes, then k = 2 / (period + 1). technicalindicators' EMA seeds the same way.
 */
import { EMA } from 'technicalindicators';
import { identity, requirePeriod } from './period.js';

export class Ema {
  private readonly ema: EMA;

  constructor(period: number) {
    requirePeriod('ema.period', period);
    this.ema = new EMA({ period, values: [], format: identity });
  }

  /** Feed one value; the EMA from the `period`-th value on. */
  next(value: number): number | undefined {
    // Typed `number` upstream, but it is undefined during warm-up.
    const v: number | undefined = this.ema.nextValue(value);
    return v;
  }
}
