/**
 * Relative Strength Index (TA-Lib RSI): Wilder-smoothed average gain and loss, seeded with the
 * simple average of the first `period` changes; RSI = 100 * gain / (gain + loss).
 *
 * Built from technicalindicators' AverageGain/AverageLoss because its RSI rounds to 2 decimals.
 * One deliberate difference from TA-Lib: when both averages are exactly 0 (no price change in the
 * whole history, e.g. a new or long-idle symbol) TA-Lib answers 0, which would fire an "oversold"
 * alert on a flat market; this answers 50, the neutral value.
 */
import { AverageGain, AverageLoss } from 'technicalindicators';
import { EMPTY, shed, step } from './internals.js';
import { identity, requirePeriod } from './period.js';

export class Rsi {
  private readonly gain: AverageGain;
  private readonly loss: AverageLoss;

  constructor(period: number) {
    requirePeriod('rsi.period', period);
    this.gain = shed(new AverageGain({ period, values: EMPTY, format: identity }));
    this.loss = shed(new AverageLoss({ period, values: EMPTY, format: identity }));
  }

  /** Feed one close; RSI in [0, 100] from the (period + 1)-th close on. */
  next(close: number): number | undefined {
    const g = step(this.gain, close);
    const l = step(this.loss, close);
    if (g === undefined || l === undefined) return undefined;
    const sum = g + l;
    return sum === 0 ? 50 : (100 * g) / sum;
  }
}
