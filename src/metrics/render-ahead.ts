/**
 * A full scrape's bar-close work, done once the bars have closed rather than by the next scrape.
 *
 * Every symbol's bars of an interval close at the same boundary. The first full scrape after it
 * reads, prints and deflates every bar and indicator line again, most of the exposition: at 10k
 * symbols that scrape took 200-340 ms against a median of 96 ms for the others, and at the shipped
 * 15 s it is one scrape in four (docs/performance.md, twenty-sixth round). So once a boundary's
 * bars have all closed, the full lane is rendered here as the last full scrape was (gzipped or
 * not) and the bytes are dropped: the lines stay printed and the pieces deflated (render.ts keeps
 * them until a line changes), and the next scrape pays only for what changed since.
 *
 * Only while something scrapes, and only when bars close less often than it does: with bars as
 * short as the scrape period, every scrape finds new bars anyway and this would be work twice.
 */
import { errorFields } from '../errors.js';
import type { Logger } from '../log.js';
import { TICK_MS } from '../runtime/budgets.js';

/**
 * After a boundary's grace and an idle-bar tick, this much longer before its bars count as closed:
 * the idle-bar pass that closes the last of them runs in slices (pipeline.ts), ~100 ms at 10k
 * symbols.
 */
export const SETTLE_MARGIN_MS = 250;

/**
 * The first time after `now` at which every bar ending at some boundary has closed: a trade of the
 * next bar closes one at once, an idle one closes at the first idle-bar tick (every TICK_MS) from
 * its end plus the grace (bars.ts closeDue). Bars start at multiples of their length. Undefined
 * with no intervals.
 */
export function nextSettle(now: number, intervalsMs: readonly number[], graceMs: number): number | undefined {
  const after = graceMs + TICK_MS + SETTLE_MARGIN_MS;
  let next: number | undefined;
  for (const ms of intervalsMs) {
    // The boundary just past may not have settled yet; the one before it has.
    const last = Math.floor(now / ms) * ms;
    for (let b = last; ; b += ms)
      if (b + after > now) {
        if (next === undefined || b + after < next) next = b + after;
        break;
      }
  }
  return next;
}

/** The full scrapes seen: when the last two started (wall ms) and whether the last was gzipped. */
export interface ScrapesSeen {
  readonly last: number;
  readonly before: number | undefined;
  readonly gzip: boolean;
}

/**
 * Whether to render ahead for bars settled at `settled` (now, or a little later if the timer was
 * late): something scrapes (a full scrape within two of its periods), bars are longer than its
 * period, and no scrape has started since they settled (it did the work).
 */
export function worthRendering(now: number, settled: number, shortestBarMs: number, seen: ScrapesSeen | undefined): boolean {
  if (!seen || seen.before === undefined) return false;
  const period = seen.last - seen.before;
  return period > 0 && shortestBarMs > period && now - seen.last <= 2 * period && seen.last < settled;
}

/** What RenderAhead asks of time: wall milliseconds, and a timer that keeps no process alive. */
export interface AheadClock {
  now(): number;
  after(ms: number, fn: () => void): () => void;
}

const realClock: AheadClock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

export interface RenderAheadOptions {
  /** The bar intervals' lengths and the grace of an idle bar; read at every boundary, so a reload applies. */
  intervalsMs(): readonly number[];
  graceMs(): number;
  /** Render the full lane, gzipped or not, and drop the bytes. */
  render(gzip: boolean): Promise<void>;
  log: Logger;
  clock?: AheadClock;
}

/** The shell: a timer at each boundary's settle time, told of every full scrape's start. */
export class RenderAhead {
  private readonly clock: AheadClock;
  private seen: ScrapesSeen | undefined;
  private cancel: (() => void) | undefined;
  private rendering: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The settle time last fired for: the wall clock may step back (NTP), and a boundary renders once. */
  private fired = -Infinity;

  constructor(private readonly o: RenderAheadOptions) {
    this.clock = o.clock ?? realClock;
  }

  /** A full scrape started now. */
  scraped(gzip: boolean): void {
    this.seen = { last: this.clock.now(), before: this.seen?.last, gzip };
  }

  start(): void {
    this.schedule();
  }

  /** No more renders; resolves once one under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.rendering;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const settled = nextSettle(Math.max(now, this.fired), this.o.intervalsMs(), this.o.graceMs());
    if (settled === undefined) return;
    // Judged by the bars it was scheduled for: a reload meanwhile counts from the next boundary.
    const shortest = Math.min(...this.o.intervalsMs());
    this.cancel = this.clock.after(settled - now, () => this.fire(settled, shortest));
  }

  private fire(settled: number, shortestBarMs: number): void {
    this.fired = settled;
    const now = this.clock.now();
    const seen = this.seen;
    if (worthRendering(now, settled, shortestBarMs, seen)) {
      const t0 = performance.now();
      this.rendering = this.o.render(seen!.gzip).then(
        () => this.o.log.debug('rendered /metrics ahead: the bars closed', { ms: Math.round(performance.now() - t0), gzip: seen!.gzip }),
        (e: unknown) => this.o.log.warn('rendering /metrics ahead failed; the next scrape renders it', errorFields(e)),
      );
      // The next boundary once this one's render is done: a render never overlaps the next.
      void this.rendering.then(() => this.schedule());
    } else this.schedule();
  }
}
