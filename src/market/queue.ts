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

/** Applies a queued event or a merged record to its symbol (the pipeline's apply step). */
export interface Applier {
  apply(state: SymbolState, ev: Queued): void;
  applyMerged(state: SymbolState, m: Merged): void;
}

export class IngestQueue {
  private readonly states: (SymbolState | undefined)[];
  private readonly events: (Queued | undefined)[];
  private head = 0;
  private size = 0;
  /** Symbols holding a merged record, in the order they first overflowed. */
  private readonly overflow = new Set<SymbolState>();
  conflated = 0;
  /** Arrival time stamped on the events pushed next; only kept while a probe is set. */
  arrival = 0;
  private probe: ApplyProbe | undefined;
  private arrivals: Float64Array | undefined;

  constructor(readonly capacity: number) {
    this.states = new Array(capacity);
    this.events = new Array(capacity);
  }

  /** Set (or clear) the apply probe. Off by default: then the hot path pays one field test. */
  setProbe(probe: ApplyProbe | undefined): void {
    this.probe = probe;
    // A parallel array rather than a field on each event keeps every event object the same shape.
    this.arrivals = probe ? new Float64Array(this.capacity) : undefined;
  }

  get depth(): number {
    return this.size + this.overflow.size;
  }

  /** Queue one event; returns true if it was folded into a merged record (conflated). */
  push(state: SymbolState, ev: Queued): boolean {
    if (state.merged || this.size === this.capacity) {
      this.merge(state, ev);
      this.conflated++;
      return true;
    }
    const i = (this.head + this.size) % this.capacity;
    this.states[i] = state;
    this.events[i] = ev;
    if (this.arrivals) this.arrivals[i] = this.arrival;
    this.size++;
    state.queued++;
    return false;
  }

  /**
   * Apply up to `max` queued events (merged records count as one), oldest first.
   * Returns how many were applied; call again while depth > 0.
   */
  drain(applier: Applier, max: number): number {
    let done = 0;
    // Merged records with nothing older queued can go first without reordering their symbol.
    for (const s of this.overflow) {
      if (done >= max) return done;
      if (s.queued === 0) {
        this.flush(applier, s);
        done++;
      }
    }
    while (this.size > 0 && done < max) {
      const i = this.head;
      const s = this.states[i]!;
      const ev = this.events[i];
      this.states[i] = undefined;
      this.events[i] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      s.queued--;
      if (ev) {
        applier.apply(s, ev);
        if (this.probe) this.probe(this.arrivals![i]!);
      } // else forget() removed its symbol
      done++;
      if (s.queued === 0 && s.merged) this.flush(applier, s);
    }
    return done;
  }

  /** Forget everything queued for these symbols (they were removed by a config reload). */
  forget(removed: ReadonlySet<SymbolState>): void {
    for (let n = 0; n < this.size; n++) {
      const i = (this.head + n) % this.capacity;
      if (removed.has(this.states[i]!)) this.events[i] = undefined;
    }
    for (const s of removed) this.overflow.delete(s);
  }

  private flush(applier: Applier, s: SymbolState): void {
    const m = s.merged!;
    s.merged = undefined;
    this.overflow.delete(s);
    applier.applyMerged(s, m);
    if (this.probe) this.probe(NaN);
  }

  private merge(s: SymbolState, ev: Queued): void {
    let m = s.merged;
    if (!m) {
      m = { price: NaN, high: -Infinity, low: Infinity, size: 0, trades: 0, eventTime: NaN, bid: NaN, ask: NaN, last: NaN, events: 0 };
      s.merged = m;
      this.overflow.add(s);
    }
    m.events++;
    if (ev.kind === 'trade') {
      m.price = ev.price;
      if (ev.price > m.high) m.high = ev.price;
      if (ev.price < m.low) m.low = ev.price;
      m.size += ev.size;
      m.trades++;
      m.eventTime = ev.eventTime;
    } else {
      if (ev.bid === ev.bid) m.bid = ev.bid;
      if (ev.ask === ev.ask) m.ask = ev.ask;
      if (ev.last === ev.last) m.last = ev.last;
    }
  }
}
