/**
 * The enabled indicators for one (symbol, interval), fed with closed bars. Pure and incremental:
 * a few arithmetic operations per indicator per bar, nothing per trade. One exists per (symbol,
 * interval) that has closed a bar, so its size matters: bench/indicator-footprint.ts measures it.
 */
import type { IndicatorConfig } from '../config/types.js';
import type { IndicatorName } from '../metrics/catalog.js';
import { Atr } from './atr.js';
import { Bollinger } from './bollinger.js';
import { Ema } from './ema.js';
import { Macd } from './macd.js';
import { Rsi } from './rsi.js';
import { Sma } from './sma.js';
import { Volatility } from './volatility.js';

export type IndicatorValues = Partial<Record<IndicatorName, number>>;

export class IndicatorSet {
  private readonly rsi?: Rsi;
  private readonly bollinger?: Bollinger;
  private readonly sma?: Sma;
  private readonly ema?: Ema;
  private readonly macd?: Macd;
  private readonly atr?: Atr;
  private readonly volatility?: Volatility;
  /** The SMA is the Bollinger middle band (same period): one window of closes, not two. */
  private readonly smaFromBands: boolean;

  /** Builds the enabled indicators; throws RangeError on a period the indicator cannot use. */
  constructor(cfg: IndicatorConfig) {
    if (cfg.rsi.enabled) this.rsi = new Rsi(cfg.rsi.period);
    if (cfg.bollinger.enabled) this.bollinger = new Bollinger(cfg.bollinger.period, cfg.bollinger.stdDev);
    this.smaFromBands = cfg.sma.enabled && cfg.bollinger.enabled && cfg.sma.period === cfg.bollinger.period;
    if (cfg.sma.enabled && !this.smaFromBands) this.sma = new Sma(cfg.sma.period);
    if (cfg.ema.enabled) this.ema = new Ema(cfg.ema.period);
    if (cfg.macd.enabled) this.macd = new Macd(cfg.macd.fast, cfg.macd.slow, cfg.macd.signal);
    if (cfg.atr.enabled) this.atr = new Atr(cfg.atr.period);
    if (cfg.volatility.enabled) this.volatility = new Volatility(cfg.volatility.period);
  }

  /**
   * Feed one closed bar; returns every enabled indicator that is past warm-up, written into `out`
   * when given (indicators still warming up leave their key in `out` untouched).
   */
  update(bar: { high: number; low: number; close: number }, out: IndicatorValues = {}): IndicatorValues {
    const close = bar.close;
    const rsi = this.rsi?.next(close);
    if (rsi !== undefined) out.rsi = rsi;
    const bb = this.bollinger?.next(close);
    if (bb) {
      out.bb_upper = bb.upper;
      out.bb_middle = bb.middle;
      out.bb_lower = bb.lower;
      out.bb_percent_b = bb.percentB;
      out.bb_bandwidth = bb.bandwidth;
      if (this.smaFromBands) out.sma = bb.middle;
    }
    const sma = this.sma?.next(close);
    if (sma !== undefined) out.sma = sma;
    const ema = this.ema?.next(close);
    if (ema !== undefined) out.ema = ema;
    const macd = this.macd?.next(close);
    if (macd) {
      out.macd = macd.macd;
      out.macd_signal = macd.signal;
      out.macd_histogram = macd.histogram;
    }
    const atr = this.atr?.next(bar);
    if (atr !== undefined) out.atr = atr;
    const vol = this.volatility?.next(close);
    if (vol !== undefined) out.volatility = vol;
    return out;
  }
}
