/**
 * Kraken spot OHLC: GET /0/public/OHLC?pair&interval (minutes)&since (s). Answer
 * `{"error":[],"result":{"<PAIR>":[[time, "open", "high", "low", "close", "vwap", "volume",
 * count], ...], "last": <s>}}`, oldest first; the last row is the bar still open. Only the 720
 * most recent bars are served, whatever `since` says. Public calls: about one per second per IP.
 * The websocket v2 spelling BTC/USD becomes the REST pair XBTUSD (Kraken's altname).
 */
import { DAY, HOUR, intervalTable, json, makeBar, MIN, num, rows, type RestVenue } from './rest.js';

const INTERVALS = intervalTable([
  [MIN, '1'], [5 * MIN, '5'], [15 * MIN, '15'], [30 * MIN, '30'], [HOUR, '60'], [4 * HOUR, '240'],
  [DAY, '1440'], [7 * DAY, '10080'], [15 * DAY, '21600'],
]);

/** Kraken's REST names of assets whose websocket v2 names differ. */
const REST_ASSET: Readonly<Record<string, string>> = { BTC: 'XBT', DOGE: 'XDG' };

/** BTC/USD -> XBTUSD. */
export function krakenPair(symbol: string): string {
  return symbol
    .split('/')
    .map((a) => REST_ASSET[a] ?? a)
    .join('');
}

export const krakenRest: RestVenue = {
  venue: 'kraken',
  defaultBaseUrl: 'https://api.kraken.com',
  maxBars: 720,
  // The 720 entries served include the bar still open: 719 closed ones.
  maxDepth: 719,
  pace: { weight: 1, budget: 1, windowMs: 2_000 },
  intervalCode: INTERVALS,
  url(base, symbol, intervalMs, from) {
    const q = new URLSearchParams({ pair: krakenPair(symbol), interval: INTERVALS(intervalMs)!, since: String(Math.floor(from / 1000) - 1) });
    return `${base}/0/public/OHLC?${q}`;
  },
  parse(body, intervalMs) {
    const j = json(body);
    if (!j.ok) return { ok: false, error: j.error, inBand: false };
    const v = j.value as { error?: unknown; result?: Record<string, unknown> };
    if (!v || typeof v !== 'object' || !Array.isArray(v.error)) return { ok: false, error: 'expected {error, result}', inBand: false };
    if (v.error.length > 0) {
      const msg = v.error.map(String).join('; ');
      return { ok: false, error: `kraken error: ${msg}`, inBand: true, rateLimited: /rate limit|too many/i.test(msg) };
    }
    const result = v.result;
    if (!result || typeof result !== 'object') return { ok: false, error: 'no result', inBand: false };
    const pairs = Object.keys(result).filter((k) => k !== 'last');
    if (pairs.length !== 1) return { ok: false, error: `expected one pair in result, got ${pairs.length}`, inBand: false };
    return rows(result[pairs[0]!], intervalMs, (r) =>
      makeBar(num(r[0]) * 1000, intervalMs, num(r[1]), num(r[2]), num(r[3]), num(r[4]), num(r[6]), Number.isSafeInteger(r[7]) ? (r[7] as number) : 0),
    );
  },
};
