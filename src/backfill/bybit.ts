/**
 * Bybit v5 kline: GET /v5/market/kline?category&symbol&interval&start&end&limit (limit up to
 * 1000). Answer `{"retCode":0,"retMsg":"OK","result":{"category","symbol","list":[[startTime,
 * open, high, low, close, volume, turnover], ...]},"time":...}` newest first, every field a
 * string. 600 requests per 5 s per IP; retCode 10006 says too many requests.
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, type RestVenue } from './rest.js';

const INTERVALS = intervalTable([
  [MIN, '1'], [3 * MIN, '3'], [5 * MIN, '5'], [15 * MIN, '15'], [30 * MIN, '30'], [HOUR, '60'],
  [2 * HOUR, '120'], [4 * HOUR, '240'], [6 * HOUR, '360'], [12 * HOUR, '720'], [DAY, 'D'], [7 * DAY, 'W'],
]);

function bybitRest(venue: string, category: 'spot' | 'linear'): RestVenue {
  return {
    venue,
    defaultBaseUrl: 'https://api.bybit.com',
    maxBars: 1000,
    pace: { weight: 1, budget: 300, windowMs: 5_000 },
    intervalCode: INTERVALS,
    url(base, symbol, intervalMs, from, to) {
      const limit = Math.min(this.maxBars, Math.ceil((to - from) / intervalMs));
      const q = new URLSearchParams({ category, symbol, interval: INTERVALS(intervalMs)!, start: String(from), end: String(to - 1), limit: String(limit) });
      return `${base}/v5/market/kline?${q}`;
    },
    parse(body, intervalMs) {
      const j = json(body);
      if (!j.ok) return { ok: false, error: j.error, inBand: false };
      const v = j.value as { retCode?: unknown; retMsg?: unknown; result?: { list?: unknown } };
      if (!v || typeof v !== 'object' || typeof v.retCode !== 'number') return { ok: false, error: 'expected {retCode, retMsg, result}', inBand: false };
      if (v.retCode !== 0) return { ok: false, error: `bybit error ${v.retCode}: ${String(v.retMsg)}`, inBand: true, rateLimited: v.retCode === 10006 };
      return rows(v.result?.list, intervalMs, (r) => makeBar(num(r[0]), intervalMs, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), 0));
    },
  };
}

export const bybitSpotRest = bybitRest('bybit', 'spot');
export const bybitLinearRest = bybitRest('bybit-linear', 'linear');
