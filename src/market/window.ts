/**
 * A rolling window over ticks (1m, 5m): first, last, high and low, so a spike between two scrapes
 * is still visible at the next scrape. Pure and timer-free; O(1) amortised per tick.
 *
 * Time: a tick's time is the venue event time. The window slides with the newest time seen (the
 * "horizon": the max over tick times and evict() times). A tick older than horizon - length is
 * ignored. A slightly out-of-order tick is accepted and counted at the horizon (its effective time
 * is the max time seen), so ticks stay in arrival order and eviction is a pop from the front.
 * `last` is the most recently accepted tick, `first` the oldest one still in the window.
 *
 * Memory: ticks are merged into slots of `resolutionMs` (default length / SLOTS_PER_WINDOW: 240 ms
 * for 1m, 1.2 s for 5m) by effective time. A slot keeps its first price, high and low, so first/high/low
 * stay exact over the ticks kept; a slot is evicted once all of it is older than
 * horizon - length, so the window spans at least `length` and at most `length + resolution`.
 * That bounds a window to length / resolution + 2 slots (252 by default) whatever the tick rate,
 * where a plain tick queue would hold 300,000 ticks for 5 minutes of a 1,000/s burst.
 */

/**
 * Default slots per window. The window's edge is exact to 0.4% of its length (240 ms of a minute),
 * far finer than any scrape interval, for ~4 kB a busy window. A 1000th of the length cost 16 kB a
 * window: 32 MB at 1,000 busy symbols with two windows, a quarter of the memory target.
 */
export const SLOTS_PER_WINDOW = 250;

export interface WindowStats {
  first: number;
  last: number;
  high: number;
  low: number;
  /** last / first - 1. */
  returnRatio: number;
}

/**
 * A growable ring-buffer deque of number pairs, kept side by side in one Float64Array: no
 * Array.shift, no per-push allocation. Pairs, because every deque of a window moves two numbers in
 * lockstep (a slot's start and first price; a slot number and its extreme), and each typed array
 * costs ~200 bytes of JS heap for itself and its ArrayBuffer: at 10k symbols six single deques per
 * window were 120k of each, a quarter of the heap the collector walks.
 */
class PairDeque {
  private buf = new Float64Array(16);
  private head = 0;
  length = 0;

  pushBack(a: number, b: number): void {
    if (this.length * 2 === this.buf.length) this.grow();
    const i = this.index(this.length);
    this.buf[i] = a;
    this.buf[i + 1] = b;
    this.length++;
  }
  popBack(): void {
    this.length--;
  }
  popFront(): void {
    this.head = (this.head + 1) & ((this.buf.length >> 1) - 1);
    this.length--;
  }
  /** Where the i-th pair from the front starts (0 = front); the caller keeps i within length. */
  private index(i: number): number {
    return ((this.head + i) & ((this.buf.length >> 1) - 1)) << 1;
  }
  frontA(): number {
    return this.buf[this.index(0)] as number;
  }
  frontB(): number {
    return this.buf[this.index(0) + 1] as number;
  }
  backA(): number {
    return this.buf[this.index(this.length - 1)] as number;
  }
  backB(): number {
    return this.buf[this.index(this.length - 1) + 1] as number;
  }
  private grow(): void {
    // Capacity stays a power of two so indexing is a mask.
    const next = new Float64Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) {
      const at = this.index(i);
      next[2 * i] = this.buf[at] as number;
      next[2 * i + 1] = this.buf[at + 1] as number;
    }
    this.buf = next;
    this.head = 0;
  }
}

export class TickWindow {
  private readonly lengthMs: number;
  private readonly resolutionMs: number;
  private horizon = -Infinity;
  private last = NaN;
  /**
   * The front slot's first price (NaN when empty), kept beside `last`: the fast lane reads the
   * return of every window every second, and from the deque that was three more pointers to
   * follow (deque, array, its memory), cold in the CPU cache.
   */
  private first = NaN;
  // Slots in arrival order as (start, first price); slot number `seq` sits at index seq - headSeq.
  // Only the back slot's high and low are kept: older slots matter only through the monotonic deques.
  private readonly slotsOf = new PairDeque();
  private backHigh = NaN;
  private backLow = NaN;
  private headSeq = 0;
  // Monotonic deques of (slot number, extreme): highs decreasing, lows increasing, front = the
  // extreme of the window. The back slot is always the last entry of both.
  private readonly maxes = new PairDeque();
  private readonly mins = new PairDeque();

  /** `resolutionMs`: slot width for merging ticks (default lengthMs / SLOTS_PER_WINDOW); see the module doc. */
  constructor(lengthMs: number, opts?: { resolutionMs?: number }) {
    if (!Number.isFinite(lengthMs) || lengthMs <= 0) throw new RangeError(`lengthMs must be positive, got ${lengthMs}`);
    const res = opts?.resolutionMs ?? lengthMs / SLOTS_PER_WINDOW;
    if (!Number.isFinite(res) || res <= 0) throw new RangeError(`resolutionMs must be positive, got ${res}`);
    this.lengthMs = lengthMs;
    this.resolutionMs = res;
  }

  /** Add a tick at event time t (epoch ms); evicts what fell out of the window. Inputs must be finite. */
  add(price: number, t: number): void {
    if (!Number.isFinite(price) || !Number.isFinite(t)) throw new RangeError(`tick must be finite: price=${price} t=${t}`);
    if (t < this.horizon - this.lengthMs) return;
    if (t > this.horizon) {
      this.horizon = t;
      this.evictOld();
    }
    this.last = price;
    const slot = Math.floor(this.horizon / this.resolutionMs) * this.resolutionMs;
    const n = this.slotsOf.length;
    if (n > 0 && this.slotsOf.backA() === slot) {
      // The common case under load: another tick in the current slot. Deques change only when
      // it sets a new high or low for the slot.
      const seq = this.headSeq + n - 1;
      if (price > this.backHigh) {
        this.backHigh = price;
        this.pushMax(seq, price);
      }
      if (price < this.backLow) {
        this.backLow = price;
        this.pushMin(seq, price);
      }
      return;
    }
    const seq = this.headSeq + n;
    if (n === 0) this.first = price;
    this.slotsOf.pushBack(slot, price);
    this.backHigh = this.backLow = price;
    this.pushMax(seq, price);
    this.pushMin(seq, price);
  }

  /** Slide the window to `now` without a tick (idle symbols). */
  evict(now: number): void {
    if (!Number.isFinite(now)) throw new RangeError(`now must be finite, got ${now}`);
    if (now > this.horizon) {
      this.horizon = now;
      this.evictOld();
    }
  }

  /** Slots held (each merges the ticks of one resolution step): the memory in use. */
  get slots(): number {
    return this.slotsOf.length;
  }

  /** First, last, high, low and return over the window; undefined when it holds no tick. */
  stats(): WindowStats | undefined {
    if (this.slotsOf.length === 0) return undefined;
    const first = this.first;
    const last = this.last;
    return { first, last, high: this.maxes.frontB(), low: this.mins.frontB(), returnRatio: last / first - 1 };
  }

  /**
   * stats().returnRatio alone, NaN when the window holds no tick: what the fast lane reads every
   * second, without touching the high and low deques (at 10k symbols, cold in the CPU cache, they
   * were most of a fast-lane scrape's reading).
   */
  returnRatio(): number {
    return this.last / this.first - 1;
  }

  /** The back slot's high rose to `v` (or the slot is new): entries it dominates go. */
  private pushMax(seq: number, v: number): void {
    while (this.maxes.length > 0 && this.maxes.backB() <= v) this.maxes.popBack();
    this.maxes.pushBack(seq, v);
  }

  private pushMin(seq: number, v: number): void {
    while (this.mins.length > 0 && this.mins.backB() >= v) this.mins.popBack();
    this.mins.pushBack(seq, v);
  }

  private evictOld(): void {
    const cutoff = this.horizon - this.lengthMs;
    const res = this.resolutionMs;
    while (this.slotsOf.length > 0 && this.slotsOf.frontA() + res <= cutoff) {
      this.slotsOf.popFront();
      if (this.maxes.frontA() === this.headSeq) this.maxes.popFront();
      if (this.mins.frontA() === this.headSeq) this.mins.popFront();
      this.headSeq++;
    }
    this.first = this.slotsOf.length > 0 ? this.slotsOf.frontB() : NaN;
  }
}
