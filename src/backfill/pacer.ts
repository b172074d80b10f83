/**
 * A token bucket of request weight: `budget` per `windowMs`, refilled continuously, so a burst
 * at start spends the budget and then runs at its rate. Pure: the caller passes time in.
 */
export class Pacer {
  private tokens: number;
  private at: number;

  constructor(
    private readonly budget: number,
    private readonly windowMs: number,
    now: number,
  ) {
    if (!(budget > 0) || !(windowMs > 0)) throw new RangeError(`pacer needs a positive budget and window, got ${budget}/${windowMs}ms`);
    this.tokens = budget;
    this.at = now;
  }

  /** Take `weight` now if the bucket holds it (0), else how long to wait before asking again (ms). */
  take(weight: number, now: number): number {
    const w = Math.min(weight, this.budget);
    // Paused: nothing refills before the pause ends.
    if (now < this.at) return this.at - now + Math.ceil(((w - this.tokens) * this.windowMs) / this.budget);
    this.refill(now);
    if (this.tokens >= w) {
      this.tokens -= w;
      return 0;
    }
    return Math.ceil(((w - this.tokens) * this.windowMs) / this.budget);
  }

  /** The venue said stop until `until` (Retry-After): nothing is spent before then. */
  pauseUntil(until: number): void {
    this.tokens = 0;
    this.at = Math.max(this.at, until);
  }

  private refill(now: number): void {
    if (now <= this.at) return;
    this.tokens = Math.min(this.budget, this.tokens + ((now - this.at) * this.budget) / this.windowMs);
    this.at = now;
  }
}
