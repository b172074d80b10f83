/** Simple moving average of closes (TA-Lib SMA), via technicalindicators' streaming SMA. */
import { SMA } from 'technicalindicators';
import { fixLinkedListLeak } from './list-leak.js';
import { identity, requirePeriod } from './period.js';

export class Sma {
  private readonly sma: SMA;

  constructor(period: number) {
    requirePeriod('sma.period', period);
    // The library's SMA keeps every shifted value alive without this (see list-leak.ts).
    fixLinkedListLeak();
    this.sma = new SMA({ period, values: [], format: identity });
  }

  /** Feed one close; the average of the last `period` closes once there are that many. */
  next(close: number): number | undefined {
    return this.sma.nextValue(close);
  }
}
