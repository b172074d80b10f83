/**
 * Every time-slicing budget of the process, in one place: how long one kind of work may hold the
 * event loop before it yields, and how much of it goes between two clock reads. They are tuned
 * together (one value shared by reads and applies, a render slice a little longer than either), so
 * they sit together; docs/performance.md has the measurements behind them.
 */

/**
 * Longest stretch of one kind of work per event-loop turn: socket reads (feeds/read-budget.ts)
 * and applies (pipeline.ts). One value so both halves of the pipeline yield alike. 4 ms: a frame
 * that arrives behind a full stretch of reads and one of applies still waits under 10 ms, and at
 * 10k symbols a stretch is long enough that the per-turn overhead (setImmediate, a clock read)
 * stays under a few per cent of the work.
 */
export const WORK_BUDGET_MS = 4;

/**
 * Longest stretch of apply work (eager apply, a drain slice, a slice of the idle-bar pass) before
 * the event loop gets a turn. Events differ a lot in cost: one that closes a bar updates every
 * indicator, and at a minute boundary thousands of symbols close bars at once, so counts alone let
 * a slice run for hundreds of milliseconds at 10k symbols.
 */
export const APPLY_BUDGET_MS = WORK_BUDGET_MS;

/**
 * Events applied per drain slice at most, even when they are cheap: the clock is the real limit,
 * this bounds a slice on a clock that did not advance (a coarse timer) so timers and /metrics
 * still get turns. 4096 events of a trade each cost well under the time budget on this machine.
 */
export const DRAIN_SLICE = 4096;

/**
 * Events applied as they arrive, per event-loop turn, before the rest wait for the drain (never
 * more than the queue's capacity). A socket read carries tens to hundreds of frames; applied at
 * once, the first need not wait for the last to be parsed (arrival-to-metrics latency stays in
 * microseconds), while a larger burst still goes through the queue, which conflates past its
 * capacity. The same count as a drain slice: a turn of eager apply is worth one slice.
 */
export const EAGER_PER_TURN = DRAIN_SLICE;

/**
 * Events applied between two clock reads while draining: a clock read costs about as much as
 * applying a cheap event, so reading it every 64 keeps its cost near 1% while overshooting the
 * budget by at most 64 events.
 */
export const APPLY_STEP = 64;

/**
 * How often idle bars close and idle tick windows expire. Bars are per interval of at least a
 * second (config validation), so a second's tick closes an idle bar at most a second after its
 * grace; a shorter tick would walk every symbol more often for nothing.
 */
export const TICK_MS = 1000;

/** Symbols ticked between two clock reads in an idle-bar pass; the same trade-off as APPLY_STEP. */
export const TICK_STEP = 64;

/**
 * Longest stretch of /metrics rendering before ingest gets a turn. A little over the apply budget:
 * a 10k-symbol scrape is ~50 MB of text, and each yield re-enters the render loop, so a slice
 * much shorter makes the scrape slower without making any frame wait less than the apply side's
 * own budget does.
 */
export const RENDER_SLICE_MS = 5;
