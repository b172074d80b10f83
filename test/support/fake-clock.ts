/** A PipelineClock for tests: nothing runs until the test says so. */
import type { PipelineClock } from '../../src/pipeline.js';

/** Time moves only when the test (or the work it fakes) moves it; a turn runs when the test says. */
export class FakeClock implements PipelineClock {
  t = 0;
  wall = 1_718_000_000_000;
  private turns: (() => void)[] = [];
  private timers: { ms: number; fn: () => void; on: boolean }[] = [];
  now = (): number => this.t;
  wallNow = (): number => this.wall;
  nextTurn = (fn: () => void): void => void this.turns.push(fn);
  every(ms: number, fn: () => void): () => void {
    const timer = { ms, fn, on: true };
    this.timers.push(timer);
    return () => void (timer.on = false);
  }
  get pendingTurns(): number {
    return this.turns.length;
  }
  /** One event-loop turn: what was scheduled before it, not what it schedules. */
  turn(): void {
    for (const fn of this.turns.splice(0)) fn();
  }
  /** Run turns until nothing is scheduled; returns how many it took. */
  settle(max = 10_000): number {
    let n = 0;
    for (; this.turns.length > 0 && n < max; n++) this.turn();
    return n;
  }
  /** Every live interval timer of `ms` fires once. */
  fire(ms: number): number {
    const due = this.timers.filter((x) => x.on && x.ms === ms);
    for (const x of due) x.fn();
    return due.length;
  }
}
