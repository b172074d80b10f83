/**
 * The contract of a venue's public REST candles endpoint, as backfill reads it. Pure: a URL for a
 * symbol, bar length and time range, and a parse of the documented answer into bars. The shell
 * (runner.ts) owns fetch, pacing and retries.
 */
import type { Bar } from '../market/bars.js';

/** What a request costs and how much of it we allow ourselves per window (a share of the venue's limit). */
export interface RestPace {
  /** Weight one candles request costs (Binance: 2; venues that count requests: 1). */
  weight: number;
  /** Weight we spend per window: at most half the venue's documented per-IP limit, so live traffic
   * and other clients of the same IP keep the rest. */
  budget: number;
  windowMs: number;
}

export type ParseResult =
  | { ok: true; bars: Bar[] }
  /** `rateLimited`: the venue said so in a 200 answer (OKX 50011, Bybit 10006). */
  | { ok: false; error: string; inBand: boolean; rateLimited?: boolean };

export interface RestVenue {
  /** The adapter key (src/feeds/index.ts) this describes. */
  readonly venue: string;
  readonly defaultBaseUrl: string;
  /** Bars one request may return (the venue's `limit` maximum). */
  readonly maxBars: number;
  /** Bars reachable back from now at all (Kraken: 720); undefined: as many as asked. */
  readonly maxDepth?: number;
  readonly pace: RestPace;
  /** The venue's spelling of a bar length, or undefined when it serves none of that length. */
  intervalCode(ms: number): string | undefined;
  /** The request for the bars starting in [from, to) (at most maxBars of them); epoch ms. */
  url(base: string, symbol: string, intervalMs: number, from: number, to: number, now: number): string;
  /** Every bar of the answer, oldest first; the shell keeps only closed ones in range. */
  parse(body: string, intervalMs: number): ParseResult;
}

/** The bar lengths a venue serves, by their length in ms. */
export function intervalTable(entries: readonly (readonly [ms: number, code: string])[]): (ms: number) => string | undefined {
  const m = new Map(entries);
  return (ms) => m.get(ms);
}

export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A price or size as venues send it (a decimal string or a number); NaN when it is neither. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

/**
 * A bar from its fields, or a reason it is not one: every price positive and finite, high the
 * highest, volume not negative, start a whole multiple of the bar length.
 */
export function makeBar(start: number, intervalMs: number, open: number, high: number, low: number, close: number, volume: number, trades: number): Bar | string {
  if (!Number.isSafeInteger(start) || start % intervalMs !== 0) return `bar start ${start} is not on a ${intervalMs}ms boundary`;
  for (const p of [open, high, low, close]) if (!(Number.isFinite(p) && p > 0)) return `bad price ${p}`;
  if (!(high >= low && high >= open && high >= close && low <= open && low <= close)) return `high/low do not bound open/close`;
  if (!(Number.isFinite(volume) && volume >= 0)) return `bad volume ${volume}`;
  return { start, end: start + intervalMs, open, high, low, close, volume, trades };
}

/** JSON.parse that says what went wrong instead of throwing. */
export function json(body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
}

/** Rows (arrays) into bars through `row`; the first bad row fails the whole answer. */
export function rows(list: unknown, intervalMs: number, row: (r: unknown[]) => Bar | string): ParseResult {
  if (!Array.isArray(list)) return { ok: false, error: 'expected a list of candles', inBand: false };
  const bars: Bar[] = [];
  for (const r of list) {
    if (!Array.isArray(r)) return { ok: false, error: 'a candle is not a list', inBand: false };
    const b = row(r);
    if (typeof b === 'string') return { ok: false, error: b, inBand: false };
    bars.push(b);
  }
  bars.sort((a, b) => a.start - b.start);
  void intervalMs;
  return { ok: true, bars };
}
