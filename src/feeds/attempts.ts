/** Pacing connection attempts under a venue's "N attempts per window per IP" rule. No timers. */

/**
 * A sliding-window budget of connection attempts. `reserve(now)` books the earliest slot that
 * keeps every window of `windowMs` at or under `count` attempts and returns how long to wait
 * for it. Booking (rather than asking again later) means connections that wait together do not
 * wake together and race for the same slot.
 */
export class AttemptWindow {
  private readonly booked: number[] = [];

  constructor(
    private readonly count: number,
    private readonly windowMs: number,
  ) {
    if (!(count >= 1) || !(windowMs >= 0)) throw new RangeError(`bad attempt window: ${count} per ${windowMs}ms`);
  }

  /** Book one attempt; returns the delay in ms (0 = go now) until the booked slot. */
  reserve(now: number): number {
    while (this.booked.length > 0 && (this.booked[0] as number) <= now - this.windowMs) this.booked.shift();
    let at = now;
    const n = this.booked.length;
    if (n >= this.count) at = Math.max(at, (this.booked[n - this.count] as number) + this.windowMs);
    // Keep the log sorted: a later booking never lands before an earlier one.
    if (n > 0) at = Math.max(at, this.booked[n - 1] as number);
    this.booked.push(at);
    return at - now;
  }
}
