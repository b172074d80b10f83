/**
 * OKX candles: GET /api/v5/market/candles (the most recent 1,440 bars, 40 requests per 2 s) and
 * /api/v5/market/history-candles (older ones, 100 per request, 20 requests per 2 s), both
 * ?instId&bar&after&before&limit, where `after` asks for bars older than a timestamp and `before`
 * for newer ones. Answer `{"code":"0","msg":"","data":[[ts, o, h, l, c, vol, volCcy,
 * volCcyQuote, confirm], ...]}` newest first; confirm "0" is the bar still open. An error is a
 * non-"0" code (50011: too many requests). Bars of 6 h and longer are asked for in UTC.
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, SEC, type RestVenue } from './rest.js';

const INTERVALS = intervalTable([
  [SEC, '1s'], [MIN, '1m'], [3 * MIN, '3m'], [5 * MIN, '5m'], [15 * MIN, '15m'], [30 * MIN, '30m'],
  [HOUR, '1H'], [2 * HOUR, '2H'], [4 * HOUR, '4H'], [6 * HOUR, '6Hutc'], [12 * HOUR, '12Hutc'],
  [DAY, '1Dutc'], [7 * DAY, '1Wutc'],
]);

/** Bars back from now that /market/candles still serves. */
const RECENT_BARS = 1440;

export const okxRest: RestVenue = {
  venue: 'okx',
  defaultBaseUrl: 'https://www.okx.com',
  // history-candles' limit; the same pages serve both endpoints.
  maxBars: 100,
  // history-candles' rate, the lower of the two.
  pace: { weight: 1, budget: 10, windowMs: 2_000 },
  intervalCode: INTERVALS,
  url(base, symbol, intervalMs, from, to, now) {
    const path = from >= now - RECENT_BARS * intervalMs ? 'candles' : 'history-candles';
    const limit = Math.min(this.maxBars, Math.ceil((to - from) / intervalMs));
    const q = new URLSearchParams({ instId: symbol, bar: INTERVALS(intervalMs)!, after: String(to), before: String(from - 1), limit: String(limit) });
    return `${base}/api/v5/market/${path}?${q}`;
  },
  parse(body, intervalMs) {
    const j = json(body);
    if (!j.ok) return { ok: false, error: j.error, inBand: false };
    const v = j.value as { code?: unknown; msg?: unknown; data?: unknown };
    if (!v || typeof v !== 'object' || typeof v.code !== 'string') return { ok: false, error: 'expected {code, msg, data}', inBand: false };
    if (v.code !== '0') return { ok: false, error: `okx error ${v.code}: ${String(v.msg)}`, inBand: true, rateLimited: v.code === '50011' };
    const closed = Array.isArray(v.data) ? v.data.filter((r) => !(Array.isArray(r) && r[8] === '0')) : v.data;
    return rows(closed, intervalMs, (r) => makeBar(num(r[0]), intervalMs, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[5]), 0));
  },
};
