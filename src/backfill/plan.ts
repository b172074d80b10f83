/**
 * What to ask a venue for, pure: the range of closed bars one (symbol, interval) is missing, and
 * the pages that cover it.
 */
import type { RestVenue } from './rest.js';

/**
 * The bars to fetch: from the end of the last bar the indicators saw (or `depth` bars back) to the
 * start of the bucket still open at `now - graceMs`, the same grace after which the exporter
 * itself closes an idle bar. Undefined when nothing is missing.
 */
export function missingRange(
  now: number,
  graceMs: number,
  intervalMs: number,
  depth: number,
  fedUntil: number | undefined,
  maxDepth = Infinity,
): { from: number; to: number } | undefined {
  const to = Math.floor((now - graceMs) / intervalMs) * intervalMs;
  let from = to - Math.min(depth, maxDepth) * intervalMs;
  if (fedUntil !== undefined && fedUntil > from) from = fedUntil;
  return from < to ? { from, to } : undefined;
}

/** [from, to) cut into windows of at most `venue.maxBars` bars, oldest first. */
export function pages(from: number, to: number, intervalMs: number, maxBars: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  const step = maxBars * intervalMs;
  for (let f = from; f < to; f += step) out.push({ from: f, to: Math.min(to, f + step) });
  return out;
}

/** Requests one feed's backfill of `bars` bars costs, in the venue's weight (for docs and pacing checks). */
export function requestsFor(venue: RestVenue, bars: number): number {
  return Math.ceil(Math.min(bars, venue.maxDepth ?? Infinity) / venue.maxBars);
}
