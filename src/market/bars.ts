/**
 * OHLCV bars from trades, keyed by the venue's event time. Pure and timer-free: the caller passes
 * time in, so a fast replay of recorded trades yields exactly the bars a live run yields.
 *
 * Semantics:
 * - A trade belongs to bucket floor(eventTime / interval) * interval; a bar spans [start, end)
 *   with end = start + interval.
 * - A trade in a later bucket closes the open bar and, for every empty interval in between, emits
 *   a flat fill bar (open = high = low = close = the previous close, volume 0, trades 0), so
 *   indicators see one bar per interval. At most `maxFill` fills are emitted per gap: the ones
 *   right before the new bar (older ones are skipped), so bar times stay contiguous with the new
 *   bar and window indicators still see a flat history.
 * - Within the open bar, trades may arrive out of order: high, low, volume and trades take every
 *   trade; open is the price with the earliest event time and close the one with the latest (on
 *   equal event times, arrival order decides: the first arrival stays open, the last becomes
 *   close).
 * - A trade for a bucket older than the open bar, or for a bar already closed by closeDue(), is
 *   late: it is reported (`late: true`) and not applied.
 * - closeDue() only closes the open bar of an idle symbol; fills for the idle intervals are
 *   emitted when the next trade arrives. Live (closeDue between trades) and replay (no closeDue)
 *   therefore emit the same bars, as long as closeDue's clock does not run ahead of trades that
 *   are still to come for the open bar (those would then be late).
 */

export interface Bar {
  /** Bucket start, epoch ms. */
  start: number;
  /** start + intervalMs (exclusive). */
  end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

/** Read-only: when nothing closed, one shared frozen instance is returned (no allocation per trade). */
export interface BarUpdate {
  /** Bars this trade closed, oldest first: the previous open bar, then any fills. */
  closed: Bar[];
  /** The trade was for a bar that is already closed and was not applied. */
  late: boolean;
}

/**
 * Several trades folded into one record (the ingest queue conflates under load): how many there
 * were and the extremes they reached. `price` and `eventTime` are the latest trade's.
 */
export interface TradeBurst {
  trades: number;
  high: number;
  low: number;
}

const NOTHING: BarUpdate = Object.freeze({ closed: Object.freeze([]) as unknown as Bar[], late: false });
const LATE: BarUpdate = Object.freeze({ closed: Object.freeze([]) as unknown as Bar[], late: true });

export class BarBuilder {
  private readonly intervalMs: number;
  private readonly maxFill: number;
  private bar: Bar | undefined;
  /** Event times of the trades that set the open bar's open and close. */
  private openTime = 0;
  private closeTime = 0;
  /** The last bar closed by closeDue() while no bar is open: the base for fills and lateness. */
  private lastClosed: Bar | undefined;

  /** `maxFill`: cap on flat fill bars emitted for one run of empty intervals (default 1000). */
  constructor(intervalMs: number, opts?: { maxFill?: number }) {
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
    const maxFill = opts?.maxFill ?? 1000;
    if (!Number.isInteger(maxFill) || maxFill < 0) throw new RangeError(`maxFill must be a non-negative integer, got ${maxFill}`);
    this.intervalMs = intervalMs;
    this.maxFill = maxFill;
  }

  /** The open bar, or undefined. A copy: later trades do not change it. */
  get current(): Bar | undefined {
    return this.bar && { ...this.bar };
  }

  /**
   * Apply a trade keyed by the venue's event time (epoch ms). Returns the bars this trade closed,
   * oldest first. Price, size and time must be finite (the adapters guarantee it). `burst`, for a
   * merged record, counts its trades and widens high/low, all applied at `eventTime`.
   */
  add(price: number, size: number, eventTime: number, burst?: TradeBurst): BarUpdate {
    if (!Number.isFinite(price) || !Number.isFinite(size) || !Number.isFinite(eventTime)) {
      throw new RangeError(`trade must be finite: price=${price} size=${size} eventTime=${eventTime}`);
    }
    const start = Math.floor(eventTime / this.intervalMs) * this.intervalMs;
    const bar = this.bar;
    if (bar) {
      if (start === bar.start) {
        this.apply(bar, price, size, eventTime, burst);
        return NOTHING;
      }
      if (start < bar.start) return LATE;
      const closed = [bar];
      this.fill(bar, start, closed);
      this.open(start, price, size, eventTime, burst);
      return { closed, late: false };
    }
    const prev = this.lastClosed;
    if (prev) {
      if (start < prev.end) return LATE;
      const closed: Bar[] = [];
      this.fill(prev, start, closed);
      this.lastClosed = undefined;
      this.open(start, price, size, eventTime, burst);
      return closed.length ? { closed, late: false } : NOTHING;
    }
    this.open(start, price, size, eventTime, burst);
    return NOTHING;
  }

  /**
   * Make `bar`, a closed bar from elsewhere (a backfill), the base for fills and lateness when no
   * bar is open and it is not older than the base: the next trade fills from it, and a trade for
   * its bucket or an older one is late. Returns whether it was taken.
   */
  seed(bar: Bar): boolean {
    if (this.bar || (this.lastClosed && bar.start < this.lastClosed.end)) return false;
    if (bar.end - bar.start !== this.intervalMs) return false;
    this.lastClosed = { ...bar };
    return true;
  }

  /**
   * Close the open bar if now >= its end + graceMs (idle symbol). Returns it, or a shared empty
   * array: the idle pass asks every interval of every symbol each second (20,000 at 10k symbols).
   */
  closeDue(now: number, graceMs: number): readonly Bar[] {
    const bar = this.bar;
    if (!bar || !(now >= bar.end + graceMs)) return NOTHING.closed;
    this.bar = undefined;
    this.lastClosed = bar;
    return [bar];
  }

  private open(start: number, price: number, size: number, eventTime: number, burst?: TradeBurst): void {
    this.bar = {
      start,
      end: start + this.intervalMs,
      open: price,
      high: burst && burst.high > price ? burst.high : price,
      low: burst && burst.low < price ? burst.low : price,
      close: price,
      volume: size,
      trades: burst ? burst.trades : 1,
    };
    this.openTime = eventTime;
    this.closeTime = eventTime;
  }

  private apply(bar: Bar, price: number, size: number, eventTime: number, burst?: TradeBurst): void {
    const high = burst && burst.high > price ? burst.high : price;
    const low = burst && burst.low < price ? burst.low : price;
    if (high > bar.high) bar.high = high;
    if (low < bar.low) bar.low = low;
    bar.volume += size;
    bar.trades += burst ? burst.trades : 1;
    if (eventTime < this.openTime) {
      bar.open = price;
      this.openTime = eventTime;
    }
    if (eventTime >= this.closeTime) {
      bar.close = price;
      this.closeTime = eventTime;
    }
  }

  /** Push flat bars for the empty intervals between `prev` and the bucket starting at `nextStart`. */
  private fill(prev: Bar, nextStart: number, out: Bar[]): void {
    const iv = this.intervalMs;
    // Counted, not iterated: a bad clock could put nextStart years ahead.
    const empty = Math.round((nextStart - prev.end) / iv);
    const n = Math.min(empty, this.maxFill);
    const c = prev.close;
    for (let i = n; i >= 1; i--) {
      const start = nextStart - i * iv;
      out.push({ start, end: start + iv, open: c, high: c, low: c, close: c, volume: 0, trades: 0 });
    }
  }
}
