/**
 * Two made-up but typical market-data vendors' REST candles APIs, for generic feeds whose
 * backfill describes them (src/backfill/generic.ts), serving the same market as the venues
 * (rest-venues.ts marketBar):
 * - objects: GET /v1/candles?ticker&res&from&to&n (res 1 or 5 minutes, epoch seconds, `to`
 *   exclusive, at most 500 bars), answering `{status, result: {bars: [{t, o, h, l, c, v}]}}` oldest first;
 * - arrays: GET /candles/{symbol}?interval&start&end&limit (1m or 5m, epoch ms, `end` inclusive),
 *   answering a bare list of `[t, "o", "h", "l", "c", "v"]` newest first.
 */
import type { Bar } from '../../src/market/bars.js';
import { marketBar } from './rest-venues.js';

const RES: Record<string, number> = { '1': 60_000, '5': 300_000, '1m': 60_000, '5m': 300_000 };

/** Buckets starting in [from, to) before `now`, oldest first. */
function market(from: number, to: number, ms: number, now: number): Bar[] {
  const out: Bar[] = [];
  for (let s = Math.ceil(from / ms) * ms; s < to && s < now; s += ms) out.push(marketBar(s, ms));
  return out;
}

const n = (url: URL, k: string) => Number(url.searchParams.get(k));

/** The objects vendor's answer for a request (undefined interval: an error answer, as vendors send one). */
export function objectsAnswer(url: URL, now: number): string {
  const ms = RES[url.searchParams.get('res') ?? ''];
  if (url.pathname !== '/v1/candles' || ms === undefined) return JSON.stringify({ status: 'error', error: 'bad request' });
  const rows = market(n(url, 'from') * 1000, n(url, 'to') * 1000, ms, now).slice(0, Math.min(n(url, 'n'), 500));
  return JSON.stringify({ status: 'ok', result: { bars: rows.map((b) => ({ t: b.start / 1000, o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume })) } });
}

/** The arrays vendor's answer: its end is inclusive, so up to one bar more than asked (the runner drops it). */
export function arraysAnswer(url: URL, now: number): string {
  const ms = RES[url.searchParams.get('interval') ?? ''];
  if (!url.pathname.startsWith('/candles/') || ms === undefined) return JSON.stringify({ status: 'error', error: 'bad request' });
  const rows = market(n(url, 'start'), n(url, 'end') + 1, ms, now).slice(0, n(url, 'limit') + 1).reverse();
  return JSON.stringify(rows.map((b) => [b.start, String(b.open), String(b.high), String(b.low), String(b.close), String(b.volume)]));
}

/** The backfill keys describing the objects vendor at `base` (what a config's `backfill:` holds). */
export function objectsBackfill(base: string, maxBars = 500): Record<string, unknown> {
  return {
    url: `${base}/v1/candles?ticker={symbol}&res={interval}&from={start}&to={end}&n={limit}`,
    rows: 'result.bars',
    fields: { start: 't', open: 'o', high: 'h', low: 'l', close: 'c', volume: 'v' },
    timeUnit: 's',
    intervals: { '1m': '1', '5m': '5' },
    maxBars,
  };
}
