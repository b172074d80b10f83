/**
 * Bollinger Bands (TA-Lib BBANDS with an SMA): middle = SMA(period), upper/lower = middle ±
 * stdDev × the population standard deviation of the same closes. Also %B = (close - lower) /
 * (upper - lower) and bandwidth = (upper - lower) / middle.
 *
 * When the bands collapse (every close in the window equal) %B is 0/0; it is reported as 0.5,
 * the close sitting on the middle, so a flat market never looks like a breakout.
 */
import { BollingerBands } from 'technicalindicators';
import { fixLinkedListLeak } from './list-leak.js';
import { identity, requirePeriod } from './period.js';

export interface BollingerValues {
  upper: number;
  middle: number;
  lower: number;
  percentB: number;
  bandwidth: number;
}

export class Bollinger {
  private readonly bb: BollingerBands;

  constructor(period: number, stdDev: number) {
    requirePeriod('bollinger.period', period);
    if (!Number.isFinite(stdDev) || stdDev <= 0) throw new RangeError(`bollinger.stdDev must be positive, got ${stdDev}`);
    // SMA and SD inside BollingerBands keep every shifted value alive without this (see list-leak.ts).
    fixLinkedListLeak();
    this.bb = new BollingerBands({ period, stdDev, values: [], format: identity });
  }

  /** Feed one close; the bands from the `period`-th close on. */
  next(close: number): BollingerValues | undefined {
    const r = this.bb.nextValue(close);
    if (!r) return undefined;
    const { upper, middle, lower } = r;
    const width = upper - lower;
    return {
      upper,
      middle,
      lower,
      percentB: width === 0 ? 0.5 : (close - lower) / width,
      bandwidth: width / middle,
    };
  }
}
