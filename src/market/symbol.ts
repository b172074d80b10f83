/**
 * Everything the exporter knows about one configured symbol of one feed. Pure: plain fields that the
 * hot path writes and the renderer reads at scrape time (no metric library calls per trade).
 */
import type { Config } from '../config/types.js';
import { IndicatorBank, updateExtras, type ExtraPlan } from '../indicators/bank.js';
import type { ExtraInstance } from '../indicators/extra.js';
import { BarBuilder, type Bar } from './bars.js';
import { SequenceTracker } from './sequence.js';
import { TickWindow } from './window.js';

/** Counters per symbol for the sequence families. */
export interface SeqCounts {
  gaps: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
}

/** A trade or quote merged from several while the ingest queue was full (latest price wins). */
export interface Merged {
  price: number;
  high: number;
  low: number;
  size: number;
  trades: number;
  eventTime: number;
  bid: number;
  ask: number;
  /** A ticker's last price, when quotes carry one (NaN otherwise). */
  last: number;
  /** Events folded into this record, for the conflated counter. */
  events: number;
}

export interface IntervalState {
  readonly label: string;
  readonly bars: BarBuilder;
  /**
   * The interval's slot in the feed's IndicatorBank, taken at the first closed bar (-1 before):
   * a symbol that never completes a bar (an illiquid one among thousands) need not pay for one.
   */
  slot: number;
  /** Extra indicators (library objects), made with the slot when the config names any here. */
  extras: ExtraInstance[] | undefined;
  lastBar?: Bar;
  /**
   * The latest value of each indicator, by its place in the symbol's `indicatorNames`; NaN until
   * it is past warm-up. Numbers by position rather than an object by name: the renderer reads 26
   * of these per symbol per scrape, and a named lookup on objects of varying shape costs ten
   * times more.
   */
  readonly values: Float64Array;
}

export interface WindowState {
  readonly label: string;
  readonly window: TickWindow;
}

export class SymbolState {
  price = NaN;
  bid = NaN;
  ask = NaN;
  volume = 0;
  trades = 0;
  lastTradeTime = NaN;
  /** Local receive time of the last trade, quote or heartbeat (ms). */
  lastUpdate = NaN;
  lateTrades = 0;
  readonly seq = new SequenceTracker();
  readonly seqCounts: SeqCounts = { gaps: 0, missed: 0, duplicates: 0, outOfOrder: 0 };
  readonly intervals: IntervalState[];
  readonly windows: WindowState[];
  /** Events of this symbol waiting in the ingest queue (see queue.ts). */
  queued = 0;
  merged: Merged | undefined;
  /** Canonical instrument across venues (src/feeds/instrument.ts); the fleet sets it from the config. */
  instrument: string;

  /** The `indicator` label value of each place in an interval's `values` (shared by symbols alike). */
  readonly indicatorNames: readonly string[];
  private readonly plan: ExtraPlan;

  /** `bank`: the feed's, shared by its symbols (FeedState); a symbol made alone gets its own. */
  constructor(
    readonly exchange: string,
    readonly symbol: string,
    cfg: Pick<Config, 'intervals' | 'windows' | 'indicators'> & Partial<Pick<Config, 'extraIndicators'>>,
    private readonly bank: IndicatorBank = new IndicatorBank(cfg.indicators, cfg.extraIndicators),
  ) {
    this.instrument = symbol;
    this.plan = bank.planFor(exchange, symbol);
    this.indicatorNames = this.plan.names;
    this.intervals = cfg.intervals.map((iv) => ({
      label: iv.label,
      bars: new BarBuilder(iv.ms),
      slot: -1,
      extras: undefined,
      values: new Float64Array(this.plan.names.length).fill(NaN),
    }));
    this.windows = cfg.windows.map((w) => ({ label: w.label, window: new TickWindow(w.ms) }));
  }

  /** Apply one trade (or a merged burst of trades: high/low carry the extremes it saw). */
  applyTrade(price: number, size: number, eventTime: number, trades = 1, high = price, low = price): void {
    this.price = price;
    this.volume += size;
    this.trades += trades;
    if (!(eventTime <= this.lastTradeTime)) this.lastTradeTime = eventTime;
    // A merged record's extremes still reach bars and windows, so conflation never hides a spike.
    const burst = trades > 1 || high !== price || low !== price ? { trades, high, low } : undefined;
    let late = false;
    for (const iv of this.intervals) {
      const u = iv.bars.add(price, size, eventTime, burst);
      late ||= u.late;
      if (u.closed.length > 0) this.closeBars(iv, u.closed);
    }
    if (late) this.lateTrades += trades;
    for (const w of this.windows) {
      if (burst) {
        w.window.add(high, eventTime);
        w.window.add(low, eventTime);
      }
      w.window.add(price, eventTime);
    }
  }

  applyQuote(bid: number, ask: number): void {
    if (bid === bid) this.bid = bid;
    if (ask === ask) this.ask = ask;
  }

  /** Timer work for an idle symbol: close due bars, expire window ticks. */
  tick(now: number, graceMs: number): void {
    for (const iv of this.intervals) this.closeBars(iv, iv.bars.closeDue(now, graceMs));
    for (const w of this.windows) w.window.evict(now);
  }

  private closeBars(iv: IntervalState, closed: Bar[]): void {
    for (const bar of closed) {
      iv.lastBar = bar;
      if (iv.slot < 0) {
        iv.slot = this.bank.alloc();
        iv.extras = this.bank.createExtras(this.plan);
      }
      // Indicators still warming up keep their earlier values (NaN: absent) in `values`.
      this.bank.update(iv.slot, bar, iv.values);
      if (iv.extras!.length > 0) updateExtras(this.plan, iv.extras!, bar, iv.values);
    }
  }
}
