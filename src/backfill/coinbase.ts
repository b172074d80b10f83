/**
 * Coinbase Exchange candles (the API our ws-feed adapter speaks): GET
 * /products/{product_id}/candles?granularity&start&end, at most 300 candles per request.
 * Answer: newest first, `[time (s), low, high, open, close, volume]`, numbers. Minutes with no
 * trade have no candle. Public endpoints allow 10 requests per second per IP (bursts of 15).
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, type RestVenue } from './rest.js';

const INTERVALS = intervalTable([[MIN, '60'], [5 * MIN, '300'], [15 * MIN, '900'], [HOUR, '3600'], [6 * HOUR, '21600'], [DAY, '86400']]);

export const coinbaseRest: RestVenue = {
  venue: 'coinbase',
  defaultBaseUrl: 'https://api.exchange.coinbase.com',
  maxBars: 300,
  pace: { weight: 1, budget: 5, windowMs: 1_000 },
  intervalCode: INTERVALS,
  url(base, symbol, intervalMs, from, to) {
    const q = new URLSearchParams({ granularity: INTERVALS(intervalMs)!, start: new Date(from).toISOString(), end: new Date(to - 1).toISOString() });
    return `${base}/products/${encodeURIComponent(symbol)}/candles?${q}`;
  },
  parse(body, intervalMs) {
    const j = json(body);
    if (!j.ok) return { ok: false, error: j.error, inBand: false };
    const v = j.value as { message?: unknown };
    if (v && !Array.isArray(v) && typeof v === 'object' && 'message' in v) return { ok: false, error: `coinbase error: ${String(v.message)}`, inBand: true };
    return rows(j.value, intervalMs, (r) => makeBar(num(r[0]) * 1000, intervalMs, num(r[3]), num(r[2]), num(r[1]), num(r[4]), num(r[5]), 0));
  },
};
