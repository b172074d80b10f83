/**
 * Bollinger Bands (TA-Lib BBANDS with an SMA): middle = SMA(period), upper/lower = middle ±
 * stdDev × the population standard deviation of the same closes. Also %B = (close - lower) /
 * (upper - lower) and bandwidth = (upper - lower) / middle.
 *
 * When the bands collapse (every close in the window equal) %B is 0/0; it is reported as 0.5,
 * the close sitting on the middle, so a flat market never looks like a breakout.
 *
 * technicalindicators' BollingerBands is an SMA and an SD (which runs an SMA of its own) with the
 * arithmetic above; this keeps only the SD and takes the middle from the SD's SMA (see
 * internals.ts), so the window is held twice instead of three times, and the SMA indicator of the
 * same period can share it (see set.ts). Closes are finite and > 0 (ingest rejects the rest); on a
 * window whose mean is 0 or NaN the library repeats its previous bands, this reports none.
 */
import { SD, type SMA } from 'technicalindicators';
import { clearLastSmaCall, EMPTY, lastSmaCalled, lastSmaValue, LibraryChangedError, shed, step, watchSmaCalls } from './internals.js';
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
  private readonly sd: SD;
  /** The SMA inside `sd`, found on the first update. */
  private mean: SMA | undefined;

  constructor(
    period: number,
    private readonly stdDev: number,
  ) {
    requirePeriod('bollinger.period', period);
    if (!Number.isFinite(stdDev) || stdDev <= 0) throw new RangeError(`bollinger.stdDev must be positive, got ${stdDev}`);
    // SD and its SMA keep every shifted value alive without this (see list-leak.ts).
    fixLinkedListLeak();
    watchSmaCalls();
    this.sd = shed(new SD({ period, values: EMPTY, format: identity }));
  }

  /** Feed one close; the bands from the `period`-th close on. */
  next(close: number): BollingerValues | undefined {
    clearLastSmaCall();
    const dev = step(this.sd, close);
    const sma = lastSmaCalled();
    if (sma !== this.mean) {
      if (this.mean !== undefined || sma === undefined) throw new LibraryChangedError('technicalindicators SD no longer computes its mean with one SMA');
      this.mean = shed(sma);
      // Its format is a closure of its own that returns its argument: share ours.
      sma.format = identity;
    }
    const middle = lastSmaValue();
    // BollingerBands' own test (`if (calcSMA)`): no bands on a falsy mean (warm-up, 0, NaN).
    if (!middle || dev === undefined) return undefined;
    const upper = middle + dev * this.stdDev;
    const lower = middle - dev * this.stdDev;
    const width = upper - lower;
    return { upper, middle, lower, percentB: width === 0 ? 0.5 : (close - lower) / width, bandwidth: width / middle };
  }
}
