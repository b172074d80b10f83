/**
 * The ingest queue between arrival (parse, sequence, lag: exact, at arrival) and apply (price, bars,
 * windows, indicators). A burst larger than the capacity never grows memory: past capacity each
 * symbol's events fold into one merged record (latest price wins; volume, trade count, high and low
 * are kept), counted as conflated.
 *
 * Order per symbol is preserved: once a symbol has a merged record, its later events fold into it,
 * and the record is applied right after the symbol's last queued event (or at once when it has none).
 * Pure: the shell decides when to drain and for how long.
 */
import type { Merged, SymbolState } from './symbol.js';

export interface QueuedTrade {
  kind: 'trade';
  price: number;
  size: number;
  eventTime: number;
}
export interface QueuedQuote {
  kind: 'quote';
  bid: number;
  ask: number;
  last: number;
  eventTime: number;
}
export type Queued = QueuedTrade | QueuedQuote;

/**
 * Told after each apply, for benchmarks: `arrivedAt` is the performance.now() the ingest step
 * stamped on the event, NaN for a merged record (it has no single arrival).
 */
export type ApplyProbe = (arrivedAt: number) => void;

/**
 * Applies a queued event or a merged record to its symbol (the pipeline's apply step). `ev` is a
 * view the queue reuses for the next event: read it during the call, never keep it.
 */
export interface Applier {
  apply(state: SymbolState, ev: Queued): void;
  applyMerged(state: SymbolState, m: Merged): void;
}

const FORGOTTEN = 0;
const TRADE = 1;
const QUOTE = 2;

export class IngestQueue {
  // A ring of events as numbers in parallel arrays rather than one object per event: at a few
  // hundred thousand events a second, objects that live until the drain are what the GC copies.
  private readonly states: (SymbolState | undefined)[];
  private readonly kinds: Uint8Array;
  /** trade: price, size, eventTime; quote: bid, ask, last, eventTime. */
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly f2: Float64Array;
  private readonly f3: Float64Array;
  private readonly tradeView: QueuedTrade = { kind: 'trade', price: 0, size: 0, eventTime: 0 };
  private readonly quoteView: QueuedQuote = { kind: 'quote', bid: 0, ask: 0, last: 0, eventTime: 0 };
  private head = 0;
  private size = 0;
  /** Symbols holding a merged record, in the order they first overflowed. */
  private readonly overflow = new Set<SymbolState>();
  conflated = 0;
  /** Arrival time stamped on the events pushed next; only kept while a probe is set. */
  arrival = 0;
  private probe: ApplyProbe | undefined;
  private arrivals: Float64Array | undefined;

  // Memory: an empty ring starts again at slot 0 (drain), and `states` grows as slots are first
  // used, so only as many slots as the deepest backlog are ever touched. The typed arrays' other
  // pages are never written and take no RAM: ~4 MB of a 100,000-slot queue at 50k frames/s, where
  // events are mostly applied as they arrive and the backlog stays a few thousand deep.
  constructor(readonly capacity: number) {
    this.states = [];
    this.kinds = new Uint8Array(capacity);
    this.f0 = new Float64Array(capacity);
    this.f1 = new Float64Array(capacity);
    this.f2 = new Float64Array(capacity);
    this.f3 = new Float64Array(capacity);
  }

  /** Set (or clear) the apply probe. Off by default: then the hot path pays one field test. */
  setProbe(probe: ApplyProbe | undefined): void {
    this.probe = probe;
    this.arrivals = probe ? new Float64Array(this.capacity) : undefined;
  }

  get depth(): number {
    return this.size + this.overflow.size;
  }

  /** Queue one event; returns true if it was folded into a merged record (conflated). */
  push(state: SymbolState, ev: Queued): boolean {
    return ev.kind === 'trade' ? this.pushTrade(state, ev.price, ev.size, ev.eventTime) : this.pushQuote(state, ev.bid, ev.ask, ev.last, ev.eventTime);
  }

  /** push() for a trade, without an event object. */
  pushTrade(state: SymbolState, price: number, size: number, eventTime: number): boolean {
    if (state.merged || this.size === this.capacity) {
      foldTrade(this.merged(state), price, size, eventTime);
      this.conflated++;
      return true;
    }
    const i = this.slot(state);
    this.kinds[i] = TRADE;
    this.f0[i] = price;
    this.f1[i] = size;
    this.f2[i] = eventTime;
    return false;
  }

  /** push() for a quote (NaN for the fields it lacks), without an event object. */
  pushQuote(state: SymbolState, bid: number, ask: number, last: number, eventTime: number): boolean {
    if (state.merged || this.size === this.capacity) {
      const m = this.merged(state);
      m.events++;
      if (bid === bid) m.bid = bid;
      if (ask === ask) m.ask = ask;
      if (last === last) m.last = last;
      this.conflated++;
      return true;
    }
    const i = this.slot(state);
    this.kinds[i] = QUOTE;
    this.f0[i] = bid;
    this.f1[i] = ask;
    this.f2[i] = last;
    this.f3[i] = eventTime;
    return false;
  }

  /**
   * Apply up to `max` queued events (merged records count as one), oldest first.
   * Returns how many were applied; call again while depth > 0.
   */
  drain(applier: Applier, max: number): number {
    let done = 0;
    // Merged records with nothing older queued can go first without reordering their symbol.
    if (this.overflow.size > 0)
      for (const s of this.overflow) {
        if (done >= max) return done;
        if (s.queued === 0) {
          this.flush(applier, s);
          done++;
        }
      }
    const cap = this.capacity;
    while (this.size > 0 && done < max) {
      const i = this.head;
      const s = this.states[i]!;
      const kind = this.kinds[i];
      this.states[i] = undefined;
      this.head = i + 1 === cap ? 0 : i + 1;
      this.size--;
      s.queued--;
      if (kind === TRADE) {
        const v = this.tradeView;
        v.price = this.f0[i]!;
        v.size = this.f1[i]!;
        v.eventTime = this.f2[i]!;
        applier.apply(s, v);
      } else if (kind === QUOTE) {
        const v = this.quoteView;
        v.bid = this.f0[i]!;
        v.ask = this.f1[i]!;
        v.last = this.f2[i]!;
        v.eventTime = this.f3[i]!;
        applier.apply(s, v);
      } // else forget() removed its symbol
      if (kind !== FORGOTTEN && this.probe) this.probe(this.arrivals![i]!);
      done++;
      if (s.queued === 0 && s.merged) this.flush(applier, s);
    }
    if (this.size === 0) this.head = 0;
    return done;
  }

  /** Forget everything queued for these symbols (they were removed by a config reload). */
  forget(removed: ReadonlySet<SymbolState>): void {
    for (let n = 0; n < this.size; n++) {
      const i = (this.head + n) % this.capacity;
      if (removed.has(this.states[i]!)) this.kinds[i] = FORGOTTEN;
    }
    for (const s of removed) this.overflow.delete(s);
  }

  /** Claim the next ring slot for `state`. */
  private slot(state: SymbolState): number {
    let i = this.head + this.size;
    if (i >= this.capacity) i -= this.capacity;
    this.states[i] = state;
    if (this.arrivals) this.arrivals[i] = this.arrival;
    this.size++;
    state.queued++;
    return i;
  }

  private flush(applier: Applier, s: SymbolState): void {
    const m = s.merged!;
    s.merged = undefined;
    this.overflow.delete(s);
    applier.applyMerged(s, m);
    if (this.probe) this.probe(NaN);
  }

  /** The symbol's merged record, started (and the symbol put in line) if it has none. */
  private merged(s: SymbolState): Merged {
    let m = s.merged;
    if (!m) {
      m = { price: NaN, high: -Infinity, low: Infinity, size: 0, trades: 0, eventTime: NaN, bid: NaN, ask: NaN, last: NaN, events: 0 };
      s.merged = m;
      this.overflow.add(s);
    }
    return m;
  }
}

/** Fold a trade into a merged record: latest price wins; volume, count and extremes are kept. */
function foldTrade(m: Merged, price: number, size: number, eventTime: number): void {
  m.events++;
  m.price = price;
  if (price > m.high) m.high = price;
  if (price < m.low) m.low = price;
  m.size += size;
  m.trades++;
  m.eventTime = eventTime;
}
