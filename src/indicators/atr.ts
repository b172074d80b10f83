/**
 * Average True Range (TA-Lib ATR): true range = max(high - low, |high - prev close|,
 * |low - prev close|), skipping the first bar (it has no previous close); the first ATR is the SMA
 * of the first `period` true ranges, then Wilder smoothing: (prev × (period - 1) + TR) / period.
 * technicalindicators' ATR (TrueRange + WEMA) computes exactly that.
 */
import { ATR } from 'technicalindicators';
import { identity, requirePeriod } from './period.js';

export interface HLC {
  high: number;
  low: number;
  close: number;
}

export class Atr {
  private readonly atr: ATR;

  constructor(period: number) {
    requirePeriod('atr.period', period);
    this.atr = new ATR({ period, high: [], low: [], close: [], format: identity });
  }

  /** Feed one bar; the ATR from the (period + 1)-th bar on. */
  next(bar: HLC): number | undefined {
    return this.atr.nextValue({ high: bar.high, low: bar.low, close: bar.close });
  }
}
