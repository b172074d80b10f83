/**
 * A time budget for socket reads, per event-loop turn, shared by every connection of the process.
 *
 * After any pause (a GC, the OS descheduling us) each socket holds a backlog, and Node hands every
 * readable socket's data to `ws` in one poll phase, which emits each frame synchronously: without
 * a limit, twenty backlogged connections hold the loop for hundreds of milliseconds and a /metrics
 * scrape waits behind them. Connections charge the time their frame handling took; once the turn's
 * budget is spent they pause their socket and defer the rest to a later turn. Deferred work runs
 * first thing in the next turn (setImmediate), in FIFO order, so backlogged connections take turns
 * rather than the same one always going first.
 *
 * A turn starts at the first charge or deferral after the previous turn's callback: the budget then
 * covers one check phase (deferred work) and the poll phase after it (fresh reads).
 * Pure apart from the clock and the scheduler it is given.
 */
import { performance } from 'node:perf_hooks';
import { WORK_BUDGET_MS } from '../runtime/budgets.js';

export interface ReadBudgetOptions {
  /** Read time per turn, ms (default WORK_BUDGET_MS). */
  budgetMs?: number;
  /** Milliseconds, monotonic (default performance.now). */
  clock?: () => number;
  /** Runs a callback at the start of the next turn (default setImmediate). */
  nextTurn?: (fn: () => void) => void;
}

export class ReadBudget {
  readonly budgetMs: number;
  private readonly clock: () => number;
  private readonly nextTurn: (fn: () => void) => void;
  private spent = 0;
  private turnScheduled = false;
  private waiting: (() => void)[] = [];

  constructor(opts: ReadBudgetOptions = {}) {
    this.budgetMs = opts.budgetMs ?? WORK_BUDGET_MS;
    this.clock = opts.clock ?? (() => performance.now());
    this.nextTurn = opts.nextTurn ?? ((fn) => void setImmediate(fn));
  }

  /** Time spent in this turn so far, ms. */
  get spentMs(): number {
    return this.spent;
  }

  /** This turn's budget is used up: defer further reads. */
  get exhausted(): boolean {
    return this.spent >= this.budgetMs;
  }

  /** Callbacks waiting for a later turn. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /**
   * The budget's clock: a reading to hand back to end(). Connections time liveness on it too, so
   * one reading a frame serves both.
   */
  now(): number {
    return this.clock();
  }

  /** Charge the time since `startedAt` (from now()) to this turn. */
  end(startedAt: number): void {
    this.charge(this.clock() - startedAt);
  }

  /** Charge `ms` of read work to this turn. */
  charge(ms: number): void {
    this.spent += ms;
    this.scheduleTurn();
  }

  /**
   * Run `fn` at the start of a later turn, after everything deferred before it. A callback that
   * defers itself again goes to the back of the line: that is what makes the service round-robin.
   */
  defer(fn: () => void): void {
    this.waiting.push(fn);
    this.scheduleTurn();
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    this.nextTurn(this.turn);
  }

  private readonly turn = (): void => {
    this.turnScheduled = false;
    this.spent = 0;
    // Only those already waiting: one deferring again is served next turn, behind the others.
    let n = this.waiting.length;
    try {
      // The first always runs, so every turn makes progress whatever the budget.
      for (let first = true; n > 0 && (first || !this.exhausted); n--, first = false) {
        const fn = this.waiting.shift() as () => void;
        fn();
      }
    } finally {
      // Even if a callback threw, those still waiting get their turn.
      if (this.waiting.length > 0) this.scheduleTurn();
    }
  };
}

/** The instance every connection of the process shares unless given another (tests). */
export const sharedReadBudget = new ReadBudget();
