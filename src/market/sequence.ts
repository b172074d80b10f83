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
  /** The last `capacity` accepted numbers, oldest overwritten first; `seen` mirrors it for lookups. */
  private readonly ring: number[] = [];
  private ringPos = 0;
  private readonly seen = new Set<number>();
  private last: number | undefined;

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
    if (last === undefined) {
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
    if (this.seen.has(seq)) return DUPLICATE;
    // Remembered so that a second copy of this late message counts as a duplicate.
    this.remember(seq);
    return OUT_OF_ORDER;
  }

  /** Forget everything: the next number is `first` again. Call after a reconnect. */
  reset(): void {
    this.last = undefined;
    this.ring.length = 0;
    this.ringPos = 0;
    this.seen.clear();
  }

  private remember(seq: number): void {
    if (this.ring.length < this.capacity) {
      this.ring.push(seq);
    } else {
      // Only accepted numbers enter the ring and duplicates never do, so each value is in it once.
      this.seen.delete(this.ring[this.ringPos] as number);
      this.ring[this.ringPos] = seq;
      this.ringPos = (this.ringPos + 1) % this.capacity;
    }
    this.seen.add(seq);
  }
}
