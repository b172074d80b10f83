/**
 * The indicators as technicalindicators gives them when used plainly: one library object per
 * indicator, `new X({ period, values: [] })` then `nextValue`, composed to report what
 * IndicatorSet reports (RSI from AverageGain/AverageLoss because the library's RSI rounds, MACD
 * from three EMAs aligned like TA-Lib, the flat-market conventions). The differential oracle of
 * set.test.ts: the native kernels must agree with it to 1e-9 relative.
 *
 * Volatility is not from the library; this keeps the implementation it had (a Float64Array ring).
 */
import { ATR, AverageGain, AverageLoss, BollingerBands, EMA, SMA } from 'technicalindicators';
import type { IndicatorConfig } from '../../src/config/types.js';
import type { IndicatorValues } from '../../src/indicators/set.js';

const identity = (v: number): number => v;

type Bar = { high: number; low: number; close: number };

function volatility(period: number): (close: number) => number | undefined {
  const returns = new Float64Array(period);
  let count = 0;
  let pos = 0;
  let prevClose: number | undefined;
  return (close) => {
    const prev = prevClose;
    prevClose = close;
    if (prev === undefined) return undefined;
    returns[pos] = Math.log(close / prev);
    pos = (pos + 1) % period;
    if (count < period) count++;
    if (count < period) return undefined;
    let sum = 0;
    for (let i = 0; i < period; i++) sum += returns[i]!;
    const mean = sum / period;
    let sq = 0;
    for (let i = 0; i < period; i++) sq += (returns[i]! - mean) ** 2;
    return Math.sqrt(sq / (period - 1));
  };
}

/** A function fed one bar at a time, answering what IndicatorSet.update answers. */
export function plainSet(cfg: IndicatorConfig): (bar: Bar) => IndicatorValues {
  const gain = new AverageGain({ period: cfg.rsi.period, values: [], format: identity });
  const loss = new AverageLoss({ period: cfg.rsi.period, values: [], format: identity });
  const bb = new BollingerBands({ period: cfg.bollinger.period, stdDev: cfg.bollinger.stdDev, values: [], format: identity });
  const sma = new SMA({ period: cfg.sma.period, values: [], format: identity });
  const ema = new EMA({ period: cfg.ema.period, values: [], format: identity });
  const fast = new EMA({ period: cfg.macd.fast, values: [], format: identity });
  const slow = new EMA({ period: cfg.macd.slow, values: [], format: identity });
  const signal = new EMA({ period: cfg.macd.signal, values: [], format: identity });
  let fastDelay = cfg.macd.slow - cfg.macd.fast;
  const atr = new ATR({ period: cfg.atr.period, high: [], low: [], close: [], format: identity });
  const vol = volatility(cfg.volatility.period);

  return (bar) => {
    const out: IndicatorValues = {};
    const close = bar.close;
    if (cfg.rsi.enabled) {
      const g = gain.nextValue(close);
      const l = loss.nextValue(close);
      if (g !== undefined && l !== undefined) out.rsi = g + l === 0 ? 50 : (100 * g) / (g + l);
    }
    if (cfg.bollinger.enabled) {
      const r = bb.nextValue(close);
      if (r) {
        const width = r.upper - r.lower;
        out.bb_upper = r.upper;
        out.bb_middle = r.middle;
        out.bb_lower = r.lower;
        out.bb_percent_b = width === 0 ? 0.5 : (close - r.lower) / width;
        out.bb_bandwidth = width / r.middle;
      }
    }
    if (cfg.sma.enabled) {
      const v = sma.nextValue(close);
      if (v !== undefined) out.sma = v;
    }
    if (cfg.ema.enabled) {
      const v: number | undefined = ema.nextValue(close);
      if (v !== undefined) out.ema = v;
    }
    if (cfg.macd.enabled) {
      const s: number | undefined = slow.nextValue(close);
      let f: number | undefined;
      if (fastDelay > 0) fastDelay--;
      else f = fast.nextValue(close);
      if (f !== undefined && s !== undefined) {
        const line = f - s;
        const sig: number | undefined = signal.nextValue(line);
        if (sig !== undefined) {
          out.macd = line;
          out.macd_signal = sig;
          out.macd_histogram = line - sig;
        }
      }
    }
    if (cfg.atr.enabled) {
      const v = atr.nextValue({ high: bar.high, low: bar.low, close });
      if (v !== undefined) out.atr = v;
    }
    if (cfg.volatility.enabled) {
      const v = vol(close);
      if (v !== undefined) out.volatility = v;
    }
    return out;
  };
}
