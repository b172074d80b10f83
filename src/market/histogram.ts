/**
 * A histogram as plain numbers: observe() is a short scan and two additions, no label hashing,
 * so it can sit on the per-frame path. State only: src/metrics/families/feed.ts renders it, with
 * cumulative buckets.
 */
export class BucketHistogram {
  /** Non-cumulative counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(v: number): void {
    if (v !== v) return; // NaN would poison _sum for good
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}
