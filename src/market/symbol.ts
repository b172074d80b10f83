/**
 * Everything the exporter knows about one configured symbol of one feed. Pure: plain fields that the
 * hot path writes and the renderer reads at scrape time (no metric library calls per trade).
 */
import type { Config } from '../config/types.js';
import { IndicatorBank, updateExtras, type ExtraPlan } from '../indicators/bank.js';
import type { ExtraInstance } from '../indicators/extra.js';
import { BarBuilder, type Bar } from './bars.js';
import type { PerpState } from './perp.js';
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
  /** Bar length, ms. */
  readonly ms: number;
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
  /**
   * While a backfill of the bars missed in a disconnect is under way, the bars this interval
   * closes wait here instead of reaching the indicators, so the backfilled ones can take the
   * place of the flat fills in time order (see backfill()). Undefined: not held.
   */
  held?: Bar[];
}

/** Held bars past this are released without waiting for the backfill (a hold must stay bounded). */
export const MAX_HELD_BARS = 2_000;
/** Flat bars made at most for one hole in backfilled history (as BarBuilder caps its fills). */
const MAX_BACKFILL_FILL = 1_000;

/** A bar the builder made for an interval without trades. */
const isFill = (b: Bar) => b.trades === 0 && b.volume === 0;

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
  /**
   * Bumped whenever closeBars, the only writer of any interval's `lastBar` and `values`, changes
   * them: the renderer reads a symbol's bars and indicators again only when this moved
   * (metrics/symbol-lines.ts), since between bar closes they are most of its lines.
   */
  barChanges = 0;
  readonly seq = new SequenceTracker();
  readonly seqCounts: SeqCounts = { gaps: 0, missed: 0, duplicates: 0, outOfOrder: 0 };
  readonly intervals: IntervalState[];
  readonly windows: WindowState[];
  /** Events of this symbol waiting in the ingest queue (see queue.ts). */
  queued = 0;
  merged: Merged | undefined;
  /** Mark, index and funding of a perpetual, made at its first mark event (perp.ts); spot symbols never have one. */
  perp: PerpState | undefined = undefined;
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
      ms: iv.ms,
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

  /** Hold the bars each interval with history closes until backfill() (a session ended: a gap may follow). */
  hold(): void {
    for (const iv of this.intervals) if (iv.lastBar || iv.bars.current) iv.held ??= [];
  }

  /**
   * Merge closed bars fetched from the venue into interval `i` and release its hold. A fetched bar
   * is used only where the indicators have nothing yet (after the last bar they saw, before the
   * bar still open) and no live trade made a bar of that time: it takes the place of a flat fill,
   * or of a bar never built, never of a live bar. Flat bars cover the venue's own holes, so the
   * indicators still see one bar per interval, in time order. Returns the fetched bars used.
   */
  backfill(i: number, fetched: readonly Bar[]): number {
    const iv = this.intervals[i];
    if (!iv) return 0;
    const held = iv.held ?? [];
    iv.held = undefined;
    const fedUntil = iv.lastBar?.end ?? -Infinity;
    const open = iv.bars.current;
    const frontier = open ? open.start : Infinity;
    const byStart = new Map<number, Bar>();
    for (const b of held) byStart.set(b.start, b);
    let used = 0;
    for (const b of fetched) {
      if (b.start < fedUntil || b.end > frontier || b.end - b.start !== iv.ms) continue;
      const live = byStart.get(b.start);
      if (live && !isFill(live)) continue;
      byStart.set(b.start, b);
      used++;
    }
    const merged = [...byStart.values()].sort((a, b) => a.start - b.start);
    const last = merged[merged.length - 1];
    if (last && !open) iv.bars.seed(last);
    const out: Bar[] = [];
    let prev = iv.lastBar;
    for (const b of merged) {
      if (prev) flatBetween(prev, b.start, iv.ms, out);
      out.push(b);
      prev = b;
    }
    if (prev && open && used > 0) flatBetween(prev, open.start, iv.ms, out);
    this.closeBars(iv, out);
    return used;
  }

  private closeBars(iv: IntervalState, closed: readonly Bar[]): void {
    if (iv.held && closed.length > 0) {
      iv.held.push(...closed);
      if (iv.held.length < MAX_HELD_BARS) return;
      closed = iv.held;
      iv.held = undefined;
    }
    if (closed.length > 0) this.barChanges++;
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

/** Flat bars at `prev`'s close for the empty intervals from its end to `nextStart` (the latest ones, capped). */
function flatBetween(prev: Bar, nextStart: number, ms: number, out: Bar[]): void {
  const n = Math.min(Math.round((nextStart - prev.end) / ms), MAX_BACKFILL_FILL);
  const c = prev.close;
  for (let k = n; k >= 1; k--) {
    const start = nextStart - k * ms;
    out.push({ start, end: start + ms, open: c, high: c, low: c, close: c, volume: 0, trades: 0 });
  }
}
