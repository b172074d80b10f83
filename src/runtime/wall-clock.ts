/**
 * A frame's arrival time in epoch milliseconds, from the monotonic reading the connection takes for
 * it anyway. Date.now() costs as much as that reading (~45 ns on the bench machine), and at the
 * throughput run's rates reading both for every frame was a few percent of the exporter's CPU
 * (docs/performance.md, thirtieth round). So Date.now() is read again only once the monotonic clock
 * has moved WALL_REFRESH_MS past the last read, or gone back; in between, that read stands. A
 * frame's time is whole milliseconds as before, behind the true time by up to 1 + WALL_REFRESH_MS
 * ms rather than 1, and a step of the system clock shows within WALL_REFRESH_MS of it.
 */

/** How long (monotonic ms) one Date.now() reading serves. */
export const WALL_REFRESH_MS = 0.25;

export class WallClock {
  private wall = 0;
  private readAt = -Infinity;

  /** `dateNow` is looked up at each read, so a test's fake Date applies. */
  constructor(private readonly dateNow: () => number = () => Date.now()) {}

  /** Epoch ms at the monotonic reading `mono` (ms, always from the same clock). */
  at(mono: number): number {
    if (!(mono - this.readAt < WALL_REFRESH_MS && mono >= this.readAt)) {
      this.wall = this.dateNow();
      this.readAt = mono;
    }
    return this.wall;
  }
}
