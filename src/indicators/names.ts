/**
 * The indicator label values of `market_indicator`, here rather than in src/metrics so that the
 * market state (which keeps a value per name) never imports the metrics layer; catalog.ts
 * re-exports them.
 */
/** Closed set; which are exported depends on config. */
export const INDICATOR_NAMES = [
  'rsi',
  'bb_upper',
  'bb_middle',
  'bb_lower',
  'bb_percent_b',
  'bb_bandwidth',
  'sma',
  'ema',
  'macd',
  'macd_signal',
  'macd_histogram',
  'atr',
  'volatility',
] as const;
export type IndicatorName = (typeof INDICATOR_NAMES)[number];
