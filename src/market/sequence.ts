/**
 * Per-symbol sequence checking (trade ids, venue sequence numbers). Pure: the pipeline turns each
 * result into a counter increment.
 *
 * - `first`: the first number after construction or reset() (a reconnect starts a new session,
 *   so nothing before it can be judged).
 * - `next`: seq === last + 1.
 * - `gap`: seq > last + 1; `missed` = seq - last - 1 numbers were skipped; last := seq.
 * - `duplicate`: seq <= last and seq is among the last `recent` numbers accepted.
 * - `out_of_order`: seq <= last and not seen recently: a late arrival.
 *
 * A late arrival that fills an earlier gap is counted as `out_of_order`; the gap and its `missed`
 * count stay as they were, because they feed Prometheus counters, which only go up. So
 * `missed - out_of_order` is the better estimate of what was really lost.
 */

export type SeqResult =
  | { kind: 'first' }
  | { kind: 'next' }
  | { kind: 'gap'; missed: number }
  | { kind: 'duplicate' }
  | { kind: 'out_of_order' };

const FIRST: SeqResult = Object.freeze({ kind: 'first' });
const NEXT: SeqResult = Object.freeze({ kind: 'next' });
const DUPLICATE: SeqResult = Object.freeze({ kind: 'duplicate' });
const OUT_OF_ORDER: SeqResult = Object.freeze({ kind: 'out_of_order' });

export class SequenceTracker {
  private readonly capacity: number;
  /**
   * The last `capacity` accepted numbers, as runs of consecutive numbers in the order they were
   * accepted: run i covers starts[i] .. starts[i] + lens[i] - 1. A healthy feed is one run, so a
   * symbol costs a few dozen bytes where a ring plus a Set of 1024 numbers cost ~50 kB.
   */
  private starts = new Float64Array(2);
  private lens = new Float64Array(2);
  private head = 0;
  private runs = 0;
  private remembered = 0;
  /**
   * NaN until the first number. Always a number, so V8 keeps the field as a double written in
   * place: with `undefined` as "none" it boxed every number past 2^30 (a venue's trade ids, in the
   * billions on busy symbols) in a new heap object, and at 10k symbols each lived until the
   * symbol's next trade, past young collections, and filled the old generation.
   */
  private last = NaN;

  /** `recent`: how many accepted numbers are remembered to tell a duplicate from a late arrival. */
  constructor(opts?: { recent?: number }) {
    const recent = opts?.recent ?? 1024;
    if (!Number.isInteger(recent) || recent < 1) throw new RangeError(`recent must be a positive integer, got ${recent}`);
    this.capacity = recent;
  }

  /** Classify one sequence number (a finite number; the adapters guarantee it). */
  check(seq: number): SeqResult {
    if (!Number.isFinite(seq)) throw new RangeError(`sequence number must be finite, got ${seq}`);
    const last = this.last;
    if (last !== last) {
      this.remember(seq);
      this.last = seq;
      return FIRST;
    }
    if (seq === last + 1) {
      this.remember(seq);
      this.last = seq;
      return NEXT;
    }
    if (seq > last) {
      this.remember(seq);
      this.last = seq;
      return { kind: 'gap', missed: seq - last - 1 };
    }
    if (this.seen(seq)) return DUPLICATE;
    // Remembered so that a second copy of this late message counts as a duplicate.
    this.remember(seq);
    return OUT_OF_ORDER;
  }

  /** Forget everything: the next number is `first` again. The exporter calls it when a connection's session ends (Feed onSessionEnd). */
  reset(): void {
    this.last = NaN;
    this.head = this.runs = this.remembered = 0;
  }

  /** Only on the rare path (a number at or below the last): a scan over the runs. */
  private seen(seq: number): boolean {
    const mask = this.starts.length - 1;
    for (let k = 0; k < this.runs; k++) {
      const i = (this.head + k) & mask;
      const d = seq - this.starts[i]!;
      if (d >= 0 && d < this.lens[i]!) return true;
    }
    return false;
  }

  private remember(seq: number): void {
    const mask = this.starts.length - 1;
    const tail = (this.head + this.runs - 1) & mask;
    if (this.runs > 0 && this.starts[tail]! + this.lens[tail]! === seq) this.lens[tail]!++;
    else {
      if (this.runs === this.starts.length) this.grow();
      const i = (this.head + this.runs) & (this.starts.length - 1);
      this.starts[i] = seq;
      this.lens[i] = 1;
      this.runs++;
    }
    // Accepted numbers are never already remembered, so forgetting the oldest keeps exactly the
    // last `capacity` of them: the front of the oldest run.
    if (++this.remembered > this.capacity) {
      const h = this.head;
      this.starts[h]!++;
      this.remembered--;
      if (--this.lens[h]! === 0) {
        this.head = (h + 1) & (this.starts.length - 1);
        this.runs--;
      }
    }
  }

  private grow(): void {
    // Capacity stays a power of two so indexing is a mask.
    const n = this.starts.length;
    const starts = new Float64Array(n * 2);
    const lens = new Float64Array(n * 2);
    for (let k = 0; k < this.runs; k++) {
      starts[k] = this.starts[(this.head + k) & (n - 1)]!;
      lens[k] = this.lens[(this.head + k) & (n - 1)]!;
    }
    this.starts = starts;
    this.lens = lens;
    this.head = 0;
  }
}
