/**
 * A preload for an exporter under the bench: logs every garbage collection of at least 5 ms and
 * every event-loop stall of at least 15 ms, with RSS, to `gc-<pid>.log` in $GC_LOG_DIR (default
 * the working directory). A scrape's stalls can then be matched with the collections inside them.
 *
 *   npm run build && GC_LOG_DIR=/tmp/gc npm run bench -- --only metrics --quick \
 *     --node-args="--import ./dist/bench/gc-log.js"
 *
 * GC `flags` are V8's GCCallbackFlags: 32 (collect all external memory) marks a collection forced
 * by external memory such as large Buffers.
 *
 * Every $GC_LOG_HEAP_MS (default 10,000) it also logs RSS, typed-array bytes and each V8 heap
 * space as committed/used MiB, so a peak in RSS can be put down to a part of the heap.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const dir = process.env.GC_LOG_DIR ?? '.';
mkdirSync(dir, { recursive: true });
const file = join(dir, `gc-${process.pid}.log`);
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const MIN_GC_MS = 5;
const MIN_STALL_MS = 15;
const TICK_MS = 2;
const t0 = performance.now();
const at = (t: number) => `${((t - t0) / 1000).toFixed(2)}s`;

// Kept in a global: an observer nothing refers to is collected, and logs nothing from then on.
(globalThis as { gcLogObserver?: PerformanceObserver }).gcLogObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const d = (e as { detail?: { kind?: number; flags?: number } }).detail;
    if (e.duration >= MIN_GC_MS) appendFileSync(file, `${at(e.startTime)} gc ${KINDS[d?.kind ?? -1] ?? d?.kind} ${e.duration.toFixed(1)} ms flags ${d?.flags}\n`);
  }
});
(globalThis as { gcLogObserver?: PerformanceObserver }).gcLogObserver!.observe({ entryTypes: ['gc'] });

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const stall = now - last - TICK_MS;
  if (stall >= MIN_STALL_MS) appendFileSync(file, `${at(now)} stall ${stall.toFixed(1)} ms rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MiB\n`);
  last = now;
}, TICK_MS).unref();

const MiB = 2 ** 20;
const mib = (n: number) => (n / MiB).toFixed(1);
setInterval(() => {
  const spaces = getHeapSpaceStatistics()
    .filter((sp) => sp.space_size > 0)
    .map((sp) => `${sp.space_name.replace(/_space$/, '')} ${mib(sp.space_size)}/${mib(sp.space_used_size)}`);
  const m = process.memoryUsage();
  appendFileSync(file, `${at(performance.now())} heap rss ${mib(m.rss)} arrayBuffers ${mib(m.arrayBuffers)} MiB; committed/used MiB: ${spaces.join(', ')}\n`);
}, Number(process.env.GC_LOG_HEAP_MS ?? 10_000)).unref();
