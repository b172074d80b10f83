/**
 * Frame to apply: every feed's frames go through one ingest step into one queue; events at the
 * queue's head are applied at once (eager apply) while the turn's budget lasts, the rest by a drain
 * that runs in slices on later event-loop turns. Beside it, the idle-bar tick closes the bars and
 * expires the windows of symbols no trade reaches. The time budgets are in runtime/budgets.ts; the
 * clock and the scheduler are injectable so tests run it on a fake clock.
 */
import type { Adapter, ErrorType } from './feeds/types.js';
import { errorFields } from './errors.js';
import { applier as stateApplier, Ingest, type FeedControl } from './ingest.js';
import type { Logger } from './log.js';
import type { FeedState } from './market/feed-state.js';
import { IngestQueue, type Applier, type ApplyProbe } from './market/queue.js';
import type { SymbolState } from './market/symbol.js';
import { APPLY_BUDGET_MS, APPLY_STEP, DRAIN_SLICE, EAGER_PER_TURN, TICK_MS, TICK_STEP } from './runtime/budgets.js';

/** What the pipeline asks of time. */
export interface PipelineClock {
  /** Monotonic milliseconds: the budgets are measured on it. */
  now(): number;
  /** Epoch milliseconds: idle bars close by it. */
  wallNow(): number;
  /** Run `fn` in a later event-loop turn, after I/O waiting now. */
  nextTurn(fn: () => void): void;
  /** Run `fn` every `ms` until the returned function is called; must not keep the process alive. */
  every(ms: number, fn: () => void): () => void;
}

export const realClock: PipelineClock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  nextTurn: (fn) => void setImmediate(fn),
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

/** What the idle-bar pass needs of a symbol. */
export interface Tickable {
  tick(now: number, graceMs: number): void;
}

export interface PipelineOptions {
  log: Logger;
  queueCapacity: number;
  /** Every symbol of every feed, walked once per idle-bar pass. */
  symbols: () => Iterator<Tickable>;
  /** How long after its end an idle bar closes; read at each pass, so a reload applies. */
  barCloseGraceMs: () => number;
  clock?: PipelineClock;
  /** The apply step (tests count or slow it); the one that writes symbol state by default. */
  applier?: Applier;
}

export class Pipeline {
  private queue: IngestQueue;
  private ingest: Ingest;
  private readonly clock: PipelineClock;
  private readonly applier: Applier;
  private drainScheduled = false;
  /** Events eager apply may still take this turn. */
  private eager: number;
  /** When this turn's eager apply must stop (0: not started this turn). */
  private eagerUntil = 0;
  /** The idle-bar pass under way, if one is: it runs in slices across event-loop turns. */
  private tickPass: { symbols: Iterator<Tickable>; now: number } | undefined;
  private stopTicker: (() => void) | undefined;
  private stopped = false;
  private probe: ApplyProbe | undefined;
  /**
   * A frame's start may be its connection's reading: connections read performance.now() (the
   * read budget's clock), as the real clock does. On another clock (a test's) ingest reads its own.
   */
  private readonly startOnConnectionClock: boolean;

  /** The clock's monotonic reading, for ingest to time frames on. */
  private readonly now = (): number => this.clock.now();

  constructor(private readonly opts: PipelineOptions) {
    this.clock = opts.clock ?? realClock;
    this.startOnConnectionClock = opts.clock === undefined;
    this.applier = opts.applier ?? stateApplier;
    this.queue = new IngestQueue(opts.queueCapacity);
    this.ingest = new Ingest(this.queue, opts.log, this.now);
    this.eager = this.eagerPerTurn();
  }

  get depth(): number {
    return this.queue.depth;
  }
  get capacity(): number {
    return this.queue.capacity;
  }

  /** Told after every applied event, for benchmarks (see Exporter.setApplyProbe). */
  setProbe(probe: ApplyProbe | undefined): void {
    this.probe = probe;
    this.queue.setProbe(probe);
  }

  /** Start the idle-bar tick. */
  start(): void {
    this.stopTicker = this.clock.every(TICK_MS, () => this.tick());
  }

  /** No more drains or idle-bar passes; queued events stay where they are. */
  stop(): void {
    this.stopped = true;
    this.stopTicker?.();
  }

  /**
   * A fresh, empty queue of `capacity` (a reload that reshapes every symbol rebuilds the feeds;
   * events queued for the old symbols must not reach the new ones).
   */
  reset(capacity: number): void {
    this.queue = new IngestQueue(capacity);
    this.queue.setProbe(this.probe);
    this.ingest = new Ingest(this.queue, this.opts.log, this.now);
    this.eager = Math.min(this.eager, this.eagerPerTurn());
  }

  /** Drop these symbols' queued events: their feed or symbol is gone. */
  forget(symbols: ReadonlySet<SymbolState>): void {
    this.queue.forget(symbols);
  }

  /**
   * Handle one text frame of a feed's connection `conn`; `startedAt` is the connection's clock
   * reading as it handed the frame on, if it has one. Never throws: it runs in ws's listener.
   */
  frame(st: FeedState, adapter: Adapter, control: FeedControl, text: string, receivedAt: number, conn: number, startedAt?: number): void {
    // A clock reading costs ~45 ns, a frame ~1.4 us: ingest starts at the connection's reading, and
    // eager apply at the reading ingest ended on.
    let now: number;
    try {
      now = this.ingest.frame(st, adapter, control, text, receivedAt, conn, this.startOnConnectionClock ? startedAt : undefined);
    } catch (e) {
      // Inside ws's listener a throw would take the process down; one frame is all it costs.
      this.ingest.drop(st, 'internal_error', (e as Error).stack ?? String(e));
      now = this.clock.now();
    }
    // FIFO either way: eager apply only takes what is at the head, so order is kept.
    if (this.eager > 0 && this.queue.depth > 0) this.applyEagerly(now);
    this.scheduleDrain();
  }

  /** Count and log what a feed's socket layer dropped. */
  drop(st: FeedState, type: ErrorType, detail: string): void {
    this.ingest.drop(st, type, detail);
  }

  private eagerPerTurn(): number {
    return Math.min(EAGER_PER_TURN, this.queue.capacity);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.stopped) return;
    this.drainScheduled = true;
    this.clock.nextTurn(() => this.drain());
  }

  private applyEagerly(now: number): void {
    if (this.eagerUntil === 0) this.eagerUntil = now + APPLY_BUDGET_MS;
    if (now >= this.eagerUntil) return void (this.eager = 0);
    try {
      this.eager -= this.queue.drain(this.applier, this.eager);
    } catch (e) {
      this.applyFailed(e);
    }
  }

  /** Applying to symbol state threw: a bug. The event is gone from the queue; log it, keep serving. */
  private applyFailed(e: unknown): void {
    this.opts.log.limited('internal_error', 'applying an event failed', errorFields(e));
  }

  private drain(): void {
    this.drainScheduled = false;
    // A new turn: eager apply gets its count and its time again.
    this.eager = this.eagerPerTurn();
    this.eagerUntil = 0;
    const until = this.clock.now() + APPLY_BUDGET_MS;
    try {
      for (let done = 0; done < DRAIN_SLICE && this.queue.depth > 0 && this.clock.now() < until; ) {
        const n = this.queue.drain(this.applier, APPLY_STEP);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      this.applyFailed(e);
    }
    if (this.queue.depth > 0) this.scheduleDrain();
  }

  /** Close idle bars and expire idle windows: one pass over every symbol, in slices. */
  private tick(): void {
    // A pass still running (a slow machine) finishes first; the next tick starts a new one.
    if (this.tickPass) return;
    this.tickPass = { symbols: this.opts.symbols(), now: this.clock.wallNow() };
    this.tickSlice();
  }

  private tickSlice(): void {
    const pass = this.tickPass;
    if (!pass || this.stopped) return void (this.tickPass = undefined);
    const until = this.clock.now() + APPLY_BUDGET_MS;
    const grace = this.opts.barCloseGraceMs();
    let n = 0;
    try {
      for (let r = pass.symbols.next(); !r.done; r = pass.symbols.next()) {
        r.value.tick(pass.now, grace);
        if (++n % TICK_STEP === 0 && this.clock.now() >= until) {
          this.clock.nextTurn(() => this.tickSlice());
          return;
        }
      }
    } catch (e) {
      // Outside any listener a throw would end the process; this pass ends, the next tick retries.
      this.applyFailed(e);
    }
    this.tickPass = undefined;
  }
}
