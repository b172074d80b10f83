/**
 * Each venue's documented candles answer, made for the range a request asks (the shapes of
 * test/fixtures/rest/<venue>/), so a local RestServer can serve any history: bar k of a market
 * whose close drifts on a sine, the bar still open included where the venue includes it.
 */
import type { Bar } from '../../src/market/bars.js';

/** The market every venue serves: a deterministic bar for each bucket start. */
export function marketBar(start: number, ms: number): Bar {
  const k = start / ms;
  const close = (k: number) => 100 + 5 * Math.sin(k / 5) + (k % 1000) * 0.001;
  const open = close(k - 1);
  const c = close(k);
  return { start, end: start + ms, open, high: Math.max(open, c) + 0.5, low: Math.min(open, c) - 0.5, close: c, volume: 1 + (k % 3), trades: 10 + (k % 7) };
}

/** Bars of buckets starting in [from, to] (inclusive) whose start is before `now`, oldest first. */
function history(from: number, to: number, ms: number, now: number): Bar[] {
  const out: Bar[] = [];
  for (let s = Math.ceil(from / ms) * ms; s <= to && s < now; s += ms) out.push(marketBar(s, ms));
  return out;
}

const MS: Record<string, number> = { '1s': 1_000, '1m': 60_000, '5m': 300_000, '60': 60_000, '300': 300_000, '1': 60_000, '5': 300_000 };

export interface VenueHistory {
  /** Path the venue serves candles on (a prefix, for OKX's two paths). */
  readonly path: string;
  /** The answer's body for a request, as of `now` (bars starting at or after now do not exist yet). */
  answer(url: URL, now: number): string;
}

const n = (url: URL, k: string) => Number(url.searchParams.get(k));

export const VENUE_HISTORY: Record<string, VenueHistory> = {
  binance: {
    path: '/api/v3/klines',
    answer(url, now) {
      const ms = MS[url.searchParams.get('interval')!]!;
      const bars = history(n(url, 'startTime'), n(url, 'endTime'), ms, now).slice(0, n(url, 'limit'));
      return JSON.stringify(bars.map((b) => [b.start, String(b.open), String(b.high), String(b.low), String(b.close), String(b.volume), b.end - 1, '0', b.trades, '0', '0', '0']));
    },
  },
  coinbase: {
    path: '/products/',
    answer(url, now) {
      const ms = Number(url.searchParams.get('granularity')) * 1000;
      const bars = history(Date.parse(url.searchParams.get('start')!), Date.parse(url.searchParams.get('end')!), ms, now).slice(-300).reverse();
      return JSON.stringify(bars.map((b) => [b.start / 1000, b.low, b.high, b.open, b.close, b.volume]));
    },
  },
  kraken: {
    path: '/0/public/OHLC',
    answer(url, now) {
      const ms = Number(url.searchParams.get('interval')) * 60_000;
      const bars = history(n(url, 'since') * 1000 + 1, now, ms, now).slice(-720);
      const rows = bars.map((b) => [b.start / 1000, String(b.open), String(b.high), String(b.low), String(b.close), String(b.close), String(b.volume), b.trades]);
      return JSON.stringify({ error: [], result: { [url.searchParams.get('pair')!]: rows, last: bars.length ? bars[bars.length - 1]!.start / 1000 : 0 } });
    },
  },
  okx: {
    path: '/api/v5/market/',
    answer(url, now) {
      const ms = MS[url.searchParams.get('bar')!]!;
      const bars = history(n(url, 'before') + 1, n(url, 'after') - 1, ms, now).slice(-n(url, 'limit')).reverse();
      const rows = bars.map((b) => [String(b.start), String(b.open), String(b.high), String(b.low), String(b.close), String(b.volume), '0', '0', b.end <= now ? '1' : '0']);
      return JSON.stringify({ code: '0', msg: '', data: rows });
    },
  },
  bybit: {
    path: '/v5/market/kline',
    answer(url, now) {
      const ms = MS[url.searchParams.get('interval')!]!;
      const bars = history(n(url, 'start'), n(url, 'end'), ms, now).slice(-n(url, 'limit')).reverse();
      const rows = bars.map((b) => [String(b.start), String(b.open), String(b.high), String(b.low), String(b.close), String(b.volume), '0']);
      return JSON.stringify({ retCode: 0, retMsg: 'OK', result: { category: url.searchParams.get('category'), symbol: url.searchParams.get('symbol'), list: rows }, retExtInfo: {}, time: now });
    },
  },
};
