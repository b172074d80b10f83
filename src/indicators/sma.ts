/**
 * Simple moving average of closes (TA-Lib SMA), via technicalindicators' streaming SMA. An
 * IndicatorSet whose Bollinger bands have the same period reads their middle band instead.
 */
import { SMA } from 'technicalindicators';
import { EMPTY, shed, step } from './internals.js';
import { fixLinkedListLeak } from './list-leak.js';
import { identity, requirePeriod } from './period.js';

export class Sma {
  private readonly sma: SMA;

  constructor(period: number) {
    requirePeriod('sma.period', period);
    // The library's SMA keeps every shifted value alive without this (see list-leak.ts).
    fixLinkedListLeak();
    this.sma = shed(new SMA({ period, values: EMPTY, format: identity }));
  }

  /** Feed one close; the average of the last `period` closes once there are that many. */
  next(close: number): number | undefined {
    return step(this.sma, close);
  }
}
