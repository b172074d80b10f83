/**
 * Binance spot klines: GET /api/v3/klines?symbol&interval&startTime&endTime&limit (limit up to
 * 1000). Answer: oldest first, `[openTime, "open", "high", "low", "close", "volume", closeTime,
 * "quoteVolume", trades, "takerBase", "takerQuote", "ignore"]`. Weight 2 per request against
 * 6,000 per minute per IP; errors are `{code, msg}` with a 4xx status, 429 when over the limit,
 * 418 when banned for ignoring 429 (Retry-After says for how long).
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, SEC, type RestVenue } from './rest.js';

const INTERVALS = intervalTable([
  [SEC, '1s'], [MIN, '1m'], [3 * MIN, '3m'], [5 * MIN, '5m'], [15 * MIN, '15m'], [30 * MIN, '30m'],
  [HOUR, '1h'], [2 * HOUR, '2h'], [4 * HOUR, '4h'], [6 * HOUR, '6h'], [8 * HOUR, '8h'], [12 * HOUR, '12h'],
  [DAY, '1d'], [3 * DAY, '3d'], [7 * DAY, '1w'],
]);

export const binanceRest: RestVenue = {
  venue: 'binance',
  defaultBaseUrl: 'https://api.binance.com',
  maxBars: 1000,
  pace: { weight: 2, budget: 3000, windowMs: MIN },
  intervalCode: INTERVALS,
  url(base, symbol, intervalMs, from, to) {
    const limit = Math.min(this.maxBars, Math.ceil((to - from) / intervalMs));
    const q = new URLSearchParams({ symbol, interval: INTERVALS(intervalMs)!, startTime: String(from), endTime: String(to - 1), limit: String(limit) });
    return `${base}/api/v3/klines?${q}`;
  },
  parse(body, intervalMs) {
    const j = json(body);
    if (!j.ok) return { ok: false, error: j.error, inBand: false };
    const v = j.value as { code?: unknown; msg?: unknown };
    if (v && !Array.isArray(v) && typeof v === 'object' && 'code' in v) return { ok: false, error: `binance error ${String(v.code)}: ${String(v.msg)}`, inBand: true };
    return rows(j.value, intervalMs, (r) =>
      makeBar(num(r[0]), intervalMs, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), Number.isSafeInteger(r[8]) ? (r[8] as number) : 0),
    );
  },
};
