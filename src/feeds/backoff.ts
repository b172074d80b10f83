/** Pure reconnect timing: exponential backoff with jitter, and the HTTP Retry-After header. */
import type { BackoffConfig } from '../config/types.js';

/**
 * Delay before reconnect attempt `failures` (1 = the first retry after a loss).
 * `initialMs * multiplier^(failures-1)`, capped at `maxMs`, then jittered down into
 * `[d*(1-jitter), d]` so a fleet that lost the venue at once does not come back at once.
 * `harder` (the venue said 429/418: slow down or banned) skips two steps up the ladder.
 */
export function backoffDelay(
  failures: number,
  cfg: BackoffConfig,
  random: () => number,
  harder = false,
): number {
  const steps = Math.max(0, failures - 1) + (harder ? 2 : 0);
  const base = Math.min(cfg.maxMs, cfg.initialMs * Math.pow(cfg.multiplier, steps));
  const jitter = Math.min(1, Math.max(0, cfg.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(base * (1 - jitter * r));
}

/**
 * A Retry-After header (delta seconds or an HTTP date) as milliseconds from `now`;
 * undefined when absent or unparseable. Never negative.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // Only a date with a day or month name: Date.parse reads bare numbers like "-5" as years.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
