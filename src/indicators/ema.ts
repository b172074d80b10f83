/**
 * Exponential moving average of closes (TA-Lib EMA): seeded with the SMA of the first `period`
 * closes, then k = 2 / (period + 1). technicalindicators' EMA seeds the same way; the SMA it seeds
 * from is released once seeded (see internals.ts).
 */
import { EMA } from 'technicalindicators';
import { EMPTY, shed, step, stepSeeding } from './internals.js';
import { identity, requirePeriod } from './period.js';

export class Ema {
  private readonly ema: EMA;
  private seeded = false;

  constructor(period: number) {
    requirePeriod('ema.period', period);
    this.ema = shed(new EMA({ period, values: EMPTY, format: identity }));
  }

  /** Feed one value; the EMA from the `period`-th value on. */
  next(value: number): number | undefined {
    if (this.seeded) return step(this.ema, value);
    const v = stepSeeding(this.ema, value);
    this.seeded = v !== undefined;
    return v;
  }
}
