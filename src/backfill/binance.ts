/**
 * Binance spot klines: GET /api/v3/klines?symbol&interval&startTime&endTime&limit (limit up to
 * 1000). Answer: oldest first, `[openTime, "open", "high", "low", "close", "volume", closeTime,
 * "quoteVolume", trades, "takerBase", "takerQuote", "ignore"]`. Weight 2 per request against
 * 6,000 per minute per IP; errors are `{code, msg}` with a 4xx status, 429 when over the limit,
 * 418 when banned for ignoring 429 (Retry-After says for how long).
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, SEC, type RestVenue } from './rest.js';

const FUTURES_INTERVALS: readonly (readonly [number, string])[] = [
  [MIN, '1m'], [3 * MIN, '3m'], [5 * MIN, '5m'], [15 * MIN, '15m'], [30 * MIN, '30m'],
  [HOUR, '1h'], [2 * HOUR, '2h'], [4 * HOUR, '4h'], [6 * HOUR, '6h'], [8 * HOUR, '8h'], [12 * HOUR, '12h'],
  [DAY, '1d'], [3 * DAY, '3d'], [7 * DAY, '1w'],
];
const INTERVALS = intervalTable([[SEC, '1s'], ...FUTURES_INTERVALS]);

/** Spot and USD-M klines share rows and errors; host, path, weight and intervals differ. */
function klines(venue: string, defaultBaseUrl: string, path: string, pace: RestVenue['pace'], intervalCode: (ms: number) => string | undefined): RestVenue {
  return {
    venue,
    defaultBaseUrl,
    maxBars: 1000,
    pace,
    intervalCode,
    url(base, symbol, intervalMs, from, to) {
      const limit = Math.min(this.maxBars, Math.ceil((to - from) / intervalMs));
      const q = new URLSearchParams({ symbol, interval: intervalCode(intervalMs)!, startTime: String(from), endTime: String(to - 1), limit: String(limit) });
      return `${base}${path}?${q}`;
    },
    parse,
  };
}

export const binanceRest: RestVenue = klines('binance', 'https://api.binance.com', '/api/v3/klines', { weight: 2, budget: 3000, windowMs: MIN }, INTERVALS);

/**
 * Binance USD-M futures: GET /fapi/v1/klines, the same rows. Weight 5 for a limit of 500 to 1000
 * against 2,400 per minute per IP; no 1s interval.
 */
export const binanceUsdmRest: RestVenue = klines(
  'binance-usdm',
  'https://fapi.binance.com',
  '/fapi/v1/klines',
  { weight: 5, budget: 1200, windowMs: MIN },
  intervalTable(FUTURES_INTERVALS),
);

function parse(body: string, intervalMs: number): ReturnType<RestVenue['parse']> {
  const j = json(body);
  if (!j.ok) return { ok: false, error: j.error, inBand: false };
  const v = j.value as { code?: unknown; msg?: unknown };
  if (v && !Array.isArray(v) && typeof v === 'object' && 'code' in v) return { ok: false, error: `binance error ${String(v.code)}: ${String(v.msg)}`, inBand: true };
  return rows(j.value, intervalMs, (r) =>
    makeBar(num(r[0]), intervalMs, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), Number.isSafeInteger(r[8]) ? (r[8] as number) : 0),
  );
}
