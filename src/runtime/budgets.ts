/**
 * Every time-slicing budget of the process, in one place: how long one kind of work may hold the
 * event loop before it yields, and how much of it runs between two clock reads. They work
 * together (a frame waits behind at most one stretch of each kind), so they are tuned together;
 * docs/performance.md has the measurements that led to them. The benchmarks (npm run bench) are
 * what to re-run after changing one.
 */

/**
 * Longest stretch of one kind of work per event-loop turn: socket reads (feeds/read-budget.ts)
 * and applies (pipeline.ts). One value so both halves of the pipeline yield alike: a frame waits
 * behind at most one stretch of reads and one of applies, 8 ms, inside the 20 ms the issue
 * targets for any frame's wait. Much shorter and the per-turn costs (a setImmediate, the clock
 * reads, re-entering the loop) become a larger share of the work.
 */
export const WORK_BUDGET_MS = 4;

/**
 * Longest stretch of apply work (eager apply, a drain slice, a slice of the idle-bar pass) before
 * the event loop gets a turn. Events differ a lot in cost: one that closes a bar updates every
 * indicator, and at a minute boundary thousands of symbols close bars at once, so counts alone let
 * a slice run for 250 ms (4,096 bar-closing events) and the idle-bar pass for 600 ms at 10k
 * symbols (docs/performance.md).
 */
export const APPLY_BUDGET_MS = WORK_BUDGET_MS;

/**
 * Events applied per drain slice at most, however cheap: the clock is the real limit, and this
 * bounds a slice when the clock barely moves (cheap trades on a fast machine), so a /metrics
 * request or a timer still gets a turn between slices.
 */
export const DRAIN_SLICE = 4096;

/**
 * Events applied as they arrive, per event-loop turn, before the rest wait for the drain (never
 * more than the queue's capacity). A socket read carries tens to hundreds of frames; applied at
 * once, the first need not wait for the last to be parsed (arrival-to-metrics latency fell from
 * ~0.1-0.4 ms to ~10 µs), while a larger burst still goes through the queue, which conflates past
 * its capacity. The same count as a drain slice: a turn's eager apply is worth one slice.
 */
export const EAGER_PER_TURN = DRAIN_SLICE;

/**
 * Events applied between two clock reads while draining: reading performance.now() per event
 * would cost as much as applying a cheap trade. A slice overshoots its budget by at most this
 * many events.
 */
export const APPLY_STEP = 64;

/**
 * How often idle bars close and idle tick windows expire. Bars are at least a second long (config
 * validation), so a bar of a symbol that stopped trading closes at most a second after its grace;
 * a shorter period would walk every symbol more often without closing anything sooner.
 */
export const TICK_MS = 1000;

/** Symbols ticked between two clock reads in an idle-bar pass; as APPLY_STEP for events. */
export const TICK_STEP = 64;

/**
 * Longest stretch of /metrics rendering before ingest gets a turn. A little over the apply budget:
 * a scrape at 10k symbols is tens of MB of text and every yield re-enters the render, so shorter
 * slices make the scrape longer without shortening any frame's wait below what the apply side
 * already allows.
 */
export const RENDER_SLICE_MS = 5;

/**
 * Event-loop turns a /metrics render lets pass, at most, before its next slice while ingest has work
 * waiting (socket reads deferred, events queued). Ingest comes first, so a frame need not wait
 * behind a scrape's slice at every turn of a long scrape; the render still gets one turn in
 * 1 + this many, so a scrape under a flood of frames ends.
 */
export const RENDER_GIVE_WAY_TURNS = 3;

/** Symbols whose /metrics lines are refreshed between two chances for the renderer to yield. */
export const RENDER_STEP = 64;

/**
 * Bytes of a gzipped scrape's family checksummed (CRC-32) between two turns of the event loop:
 * crc32 runs at ~5 GB/s here, so a step is under a millisecond, where a 10k-symbol scrape's
 * indicator family (~26 MB) in one call was ~5 ms.
 */
export const CRC_STEP = 4 << 20;
