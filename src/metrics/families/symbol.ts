/**
 * The per-symbol families: each one's definition beside the reader of its value from the market
 * state. symbol-lines.ts lays every symbol's lines out from these tables, in this order (the
 * exposition's), and reads the values through a hand-unrolled copy of the readers that a test
 * checks against them (test/metrics/families.test.ts).
 */
import type { Bar } from '../../market/bars.js';
import type { IntervalState, SymbolState } from '../../market/symbol.js';
import type { WindowStats } from '../../market/window.js';
import { def, XS, type MetricDef } from '../def.js';

/** One series per symbol; NaN: not exported (no trade or quote yet). */
export interface SymbolFamily {
  readonly def: MetricDef;
  read(s: SymbolState): number;
}
/** One series per configured interval, of its last closed bar; absent before the first closes. */
export interface BarFamily {
  readonly def: MetricDef;
  read(b: Bar): number;
}
/** One series per configured tick window; absent while the window holds no tick. */
export interface WindowFamily {
  readonly def: MetricDef;
  read(w: WindowStats): number;
}
/** One series per interval and indicator: the interval's values by their place in the symbol's `indicatorNames`. */
export interface IndicatorFamily {
  readonly def: MetricDef;
  read(iv: IntervalState): Float64Array;
}

const XSI = [...XS, 'interval'] as const;
const XSW = [...XS, 'window'] as const;

export const SYMBOL_FAMILIES = {
  price: { def: def('market_price', 'gauge', XS, 'Last traded price (quote currency).'), read: (s: SymbolState) => s.price },
  bid: { def: def('market_bid_price', 'gauge', XS, 'Best bid price.'), read: (s: SymbolState) => s.bid },
  ask: { def: def('market_ask_price', 'gauge', XS, 'Best ask price.'), read: (s: SymbolState) => s.ask },
  spread: { def: def('market_spread', 'gauge', XS, 'Best ask minus best bid (quote currency).'), read: (s: SymbolState) => s.ask - s.bid },
  volume: { def: def('market_traded_volume_total', 'counter', XS, 'Traded base-currency volume.'), read: (s: SymbolState) => s.volume },
  trades: { def: def('market_trades_total', 'counter', XS, 'Trades received.'), read: (s: SymbolState) => s.trades },
  lastTrade: {
    def: def('market_last_trade_timestamp_seconds', 'gauge', XS, 'Venue event time of the last trade, Unix seconds.'),
    read: (s: SymbolState) => s.lastTradeTime / 1000,
  },
  lateTrades: {
    def: def('market_bar_late_trades_total', 'counter', XS, 'Trades that arrived after their bar had closed (not applied to bars).'),
    read: (s: SymbolState) => s.lateTrades,
  },
  symbolLastMessage: {
    def: def('market_symbol_last_update_timestamp_seconds', 'gauge', XS, 'Local time the last trade, quote, perpetual mark update or heartbeat for the symbol arrived, Unix seconds.'),
    read: (s: SymbolState) => s.lastUpdate / 1000,
  },
  seqGaps: {
    def: def('market_sequence_gaps_total', 'counter', XS, 'Sequence gaps seen (a jump forward in the venue sequence).'),
    read: (s: SymbolState) => s.seqCounts.gaps,
  },
  seqMissed: {
    def: def('market_sequence_missed_total', 'counter', XS, 'Sequence numbers skipped over by gaps (messages presumed lost).'),
    read: (s: SymbolState) => s.seqCounts.missed,
  },
  seqDuplicates: {
    def: def('market_sequence_duplicates_total', 'counter', XS, 'Messages whose sequence number was already seen.'),
    read: (s: SymbolState) => s.seqCounts.duplicates,
  },
  seqOutOfOrder: {
    def: def('market_sequence_out_of_order_total', 'counter', XS, 'Messages older than the latest seen sequence number (late, not duplicate).'),
    read: (s: SymbolState) => s.seqCounts.outOfOrder,
  },
} as const satisfies Record<string, SymbolFamily>;

export const BAR_FAMILIES = {
  barOpen: { def: def('market_bar_open', 'gauge', XSI, 'Open of the last closed bar.'), read: (b: Bar) => b.open },
  barHigh: { def: def('market_bar_high', 'gauge', XSI, 'High of the last closed bar.'), read: (b: Bar) => b.high },
  barLow: { def: def('market_bar_low', 'gauge', XSI, 'Low of the last closed bar.'), read: (b: Bar) => b.low },
  barClose: { def: def('market_bar_close', 'gauge', XSI, 'Close of the last closed bar.'), read: (b: Bar) => b.close },
  barVolume: { def: def('market_bar_volume', 'gauge', XSI, 'Base-currency volume of the last closed bar.'), read: (b: Bar) => b.volume },
  barEnd: { def: def('market_bar_end_timestamp_seconds', 'gauge', XSI, 'End time of the last closed bar, Unix seconds.'), read: (b: Bar) => b.end / 1000 },
} as const satisfies Record<string, BarFamily>;

export const WINDOW_FAMILIES = {
  windowReturn: {
    def: def('market_window_return_ratio', 'gauge', XSW, 'Price change over the trailing window, from its first to its last tick, as a ratio (0.01 = +1%).'),
    read: (w: WindowStats) => w.returnRatio,
  },
  windowHigh: { def: def('market_window_high_price', 'gauge', XSW, 'Highest tick price in the trailing window.'), read: (w: WindowStats) => w.high },
  windowLow: { def: def('market_window_low_price', 'gauge', XSW, 'Lowest tick price in the trailing window.'), read: (w: WindowStats) => w.low },
} as const satisfies Record<string, WindowFamily>;

export const INDICATOR_FAMILIES = {
  indicator: {
    def: def('market_indicator', 'gauge', [...XSI, 'indicator'], 'Technical indicator computed on closed bars (see docs/metrics.md for the indicator values).'),
    read: (iv: IntervalState) => iv.values,
  },
} as const satisfies Record<string, IndicatorFamily>;
