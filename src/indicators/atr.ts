/**
 * Average True Range (TA-Lib ATR): true range = max(high - low, |high - prev close|,
 * |low - prev close|), skipping the first bar (it has no previous close); the first ATR is the SMA
 * of the first `period` true ranges, then Wilder smoothing: (prev × (period - 1) + TR) / period.
 *
 * technicalindicators' ATR computes exactly that as TrueRange fed into WEMA; this wires those two
 * the way its ATR does, without the ATR's own generator (and the object it allocates per bar), and
 * releases the WEMA's seed SMA once seeded (see internals.ts).
 */
import { TrueRange, WEMA } from 'technicalindicators';
import { EMPTY, shed, step, stepSeeding } from './internals.js';
import { identity, requirePeriod } from './period.js';

export interface HLC {
  high: number;
  low: number;
  close: number;
}

export class Atr {
  private readonly range: TrueRange;
  private readonly wema: WEMA;
  private seeded = false;

  constructor(period: number) {
    requirePeriod('atr.period', period);
    this.range = shed(new TrueRange({ high: EMPTY, low: EMPTY, close: EMPTY, format: identity }));
    this.wema = shed(new WEMA({ period, values: EMPTY, format: identity }));
  }

  /** Feed one bar; the ATR from the (period + 1)-th bar on. */
  next(bar: HLC): number | undefined {
    // TrueRange reads only high, low and close, and keeps the bar until the next one.
    const tr = step(this.range, bar);
    if (tr === undefined) return undefined;
    if (this.seeded) return step(this.wema, tr);
    const v = stepSeeding(this.wema, tr);
    this.seeded = v !== undefined;
    return v;
  }
}
