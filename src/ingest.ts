/**
 * The per-frame path: parse with the feed's adapter, validate, track sequence and lag (exact, at
 * arrival), then queue market events for apply. Pure apart from the clock it is handed: no sockets,
 * no timers. Anything it cannot use is counted by type and logged at a bounded rate.
 */
import type { Adapter, ErrorType, MarketEvent, ReconnectReason } from './feeds/types.js';
import type { Logger } from './log.js';
import type { FeedState } from './market/feed-state.js';
import type { Applier, IngestQueue, Queued } from './market/queue.js';
import { PerpState, validMark } from './market/perp.js';
import type { Merged, SymbolState } from './market/symbol.js';

/** What the ingest step asks of the connection layer. */
export interface FeedControl {
  noteAlive(conn: number): void;
  reconnect(conn: number, reason: ReconnectReason, detail: string): void;
  /** Drop and re-request one symbol's book on connection `conn` (checksum venues). */
  resubscribeBook?(conn: number, symbol: string): void;
  /** Fetch a REST snapshot of one symbol's book (sequence venues); BookSync.onSnapshot takes it. */
  fetchBookSnapshot?(symbol: string): void;
}

/** Venue clocks may run ahead of ours, but not by this much: beyond it a timestamp is wrong. */
export const MAX_FUTURE_MS = 5 * 60_000;

/**
 * The most of anything one trade can move: a billion billion units, past any token's trade (and a
 * size in wei, a generic feed's likely misconfiguration). Below it the volume counters stay finite
 * for any run the exporter sees, where two trades of 1e308 would make them +Inf.
 */
export const MAX_TRADE_SIZE = 1e18;

const valid = (v: number | undefined): v is number => typeof v === 'number' && v > 0 && v < Infinity;

export class Ingest {
  /** `now`: monotonic milliseconds, the pipeline's clock: a frame's processing time is taken on it. */
  constructor(
    private readonly queue: IngestQueue,
    private readonly log: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Handle one text frame from connection `conn` of a feed, timed from `t0` (a reading of this
   * clock when the frame was handed on; read here if not given). Returns the clock's reading
   * at the end: the caller's next step needs the time too.
   */
  frame(f: FeedState, adapter: Adapter, control: FeedControl, text: string, receivedAt: number, conn: number, t0 = this.now()): number {
    this.queue.arrival = t0;
    f.messages++;
    f.bytes += text.length;
    f.lastMessage = receivedAt;
    let events: MarketEvent[];
    try {
      events = adapter.parse(text);
    } catch (e) {
      // Adapters promise not to throw; if one does, the frame is counted, never fatal.
      this.drop(f, 'malformed_frame', `parser threw: ${(e as Error).message}`);
      return this.now();
    }
    for (let i = 0; i < events.length; i++) this.event(f, control, events[i]!, receivedAt, conn);
    const t1 = this.now();
    f.processing.observe((t1 - t0) / 1000);
    return t1;
  }

  /** Count and log a dropped frame or event. */
  drop(f: FeedState, type: ErrorType, detail: string): void {
    f.errors[type]++;
    this.log.limited(type, 'dropped', { exchange: f.name, type, detail: detail.slice(0, 200) });
  }

  private event(f: FeedState, control: FeedControl, ev: MarketEvent, receivedAt: number, conn: number): void {
    switch (ev.kind) {
      case 'trade': {
        const s = this.symbol(f, ev.symbol);
        if (!s) return;
        if (!valid(ev.price) || !(ev.size >= 0 && ev.size <= MAX_TRADE_SIZE))
          return this.drop(f, 'invalid_price', `${ev.symbol} price=${ev.price} size=${ev.size}`);
        // Bars are keyed by event time: one trade from the far future would move the open bar
        // there, make every later trade "late" and park the last-trade time ahead of the clock.
        if (!(ev.eventTime <= receivedAt + MAX_FUTURE_MS))
          return this.drop(f, 'invalid_timestamp', `${ev.symbol} time=${ev.eventTime}`);
        this.sequence(s, ev.seq);
        this.lag(f, ev.eventTime, receivedAt);
        s.lastUpdate = receivedAt;
        f.noteData(conn, receivedAt);
        if (this.queue.pushTrade(s, ev.price, ev.size, ev.eventTime)) f.conflated++;
        return;
      }
      case 'quote': {
        const s = this.symbol(f, ev.symbol);
        if (!s) return;
        const bid = ev.bid ?? NaN;
        const ask = ev.ask ?? NaN;
        const last = ev.last ?? NaN;
        if ((ev.bid !== undefined && !valid(bid)) || (ev.ask !== undefined && !valid(ask)) || (ev.last !== undefined && !valid(last)))
          return this.drop(f, 'invalid_price', `${ev.symbol} bid=${ev.bid} ask=${ev.ask} last=${ev.last}`);
        this.sequence(s, ev.seq);
        if (ev.eventTime !== undefined) this.lag(f, ev.eventTime, receivedAt);
        s.lastUpdate = receivedAt;
        f.noteData(conn, receivedAt);
        if (this.queue.pushQuote(s, bid, ask, last, ev.eventTime ?? receivedAt)) f.conflated++;
        return;
      }
      case 'mark': {
        const s = this.symbol(f, ev.symbol);
        if (!s) return;
        if (!validMark(ev))
          return this.drop(f, 'invalid_price', `${ev.symbol} mark=${ev.markPrice} index=${ev.indexPrice} funding=${ev.fundingRate} next=${ev.nextFundingTime}`);
        if (ev.eventTime !== undefined) this.lag(f, ev.eventTime, receivedAt);
        s.lastUpdate = receivedAt;
        f.noteData(conn, receivedAt);
        // Applied here rather than queued: a few fields overwritten at about one event a second
        // per symbol, independent of the trades and quotes whose order the queue keeps.
        (s.perp ??= new PerpState()).apply(ev, receivedAt);
        return;
      }
      case 'book': {
        const b = f.books.get(ev.symbol);
        // A book the config does not name: never a new series.
        if (!b) return this.drop(f, 'unknown_symbol', `book ${ev.symbol}`);
        const s = f.symbols.get(ev.symbol);
        if (s) s.lastUpdate = receivedAt;
        f.noteData(conn, receivedAt);
        const action = b.onEvent(ev);
        if (action === 'resubscribe') {
          this.log.limited('book_checksum', 'book checksum mismatch: resubscribing', { exchange: f.name, symbol: ev.symbol });
          control.resubscribeBook?.(conn, ev.symbol);
        } else if (action === 'fetch_snapshot') control.fetchBookSnapshot?.(ev.symbol);
        return;
      }
      case 'heartbeat': {
        f.heartbeats++;
        if (ev.symbol !== undefined) {
          const s = this.symbol(f, ev.symbol);
          if (!s) return;
          this.sequence(s, ev.seq);
          s.lastUpdate = receivedAt;
        }
        return;
      }
      case 'pong': {
        control.noteAlive(conn);
        if (ev.sentAt !== undefined) {
          f.pingRtt = Math.max(0, receivedAt - ev.sentAt) / 1000;
          // NTP-style: the venue stamped its clock halfway through the round trip.
          if (ev.serverTime !== undefined) f.clockSkew = (ev.serverTime - (ev.sentAt + receivedAt) / 2) / 1000;
        }
        return;
      }
      case 'subscribed':
        if (!ev.ok) {
          this.drop(f, 'subscribe_failed', ev.message ?? 'subscription refused');
          control.reconnect(conn, 'subscribe_failed', ev.message ?? 'subscription refused');
        }
        return;
      case 'error':
        this.drop(f, ev.type, ev.message);
        if (ev.reconnect) control.reconnect(conn, ev.reconnect, ev.message);
        return;
      case 'notice':
        this.log.warn('venue notice', { exchange: f.name, notice: ev.message.slice(0, 300) });
        if (ev.reconnect) control.reconnect(conn, ev.reconnect, ev.message);
        return;
      case 'venue_status':
        // Venues repeat their state on every connect: only a change is worth a line.
        if (f.venue.apply(ev, receivedAt)) {
          const fields = { exchange: f.name, status: ev.status, detail: ev.message.slice(0, 300) };
          if (ev.status === 'online') this.log.info('venue status', fields);
          else this.log.warn('venue status', fields);
        }
        return;
    }
  }

  private symbol(f: FeedState, symbol: string): SymbolState | undefined {
    const s = f.symbols.get(symbol);
    // Never a new series for a symbol the config does not name: cardinality stays bounded.
    if (!s) this.drop(f, 'unknown_symbol', symbol);
    return s;
  }

  private sequence(s: SymbolState, seq: number | undefined): void {
    if (seq === undefined) return;
    const r = s.seq.check(seq);
    switch (r.kind) {
      case 'gap':
        s.seqCounts.gaps++;
        s.seqCounts.missed += r.missed;
        return;
      case 'duplicate':
        s.seqCounts.duplicates++;
        return;
      case 'out_of_order':
        s.seqCounts.outOfOrder++;
        return;
    }
  }

  private lag(f: FeedState, eventTime: number, receivedAt: number): void {
    // A venue clock ahead of ours gives a negative lag: count it as zero, skew is reported apart.
    f.lag.observe(Math.max(0, receivedAt - eventTime) / 1000);
  }
}

/** The apply step: queued events and merged records into symbol state. */
export const applier: Applier = {
  apply(s: SymbolState, ev: Queued): void {
    if (ev.kind === 'trade') s.applyTrade(ev.price, ev.size, ev.eventTime);
    else {
      s.applyQuote(ev.bid, ev.ask);
      if (ev.last === ev.last) s.price = ev.last;
    }
  },
  applyMerged(s: SymbolState, m: Merged): void {
    if (m.trades > 0) s.applyTrade(m.price, m.size, m.eventTime, m.trades, m.high, m.low);
    s.applyQuote(m.bid, m.ask);
    // A ticker's last price only stands if no trade came after it in the merged run.
    if (m.trades === 0 && m.last === m.last) s.price = m.last;
  },
};
