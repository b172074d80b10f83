/**
 * The market the render benches scrape (render-micro.ts, render-ab.ts): one feed of N symbols with
 * the default config's bars, windows and indicators, three hours of history so every series
 * exists, and trades and quotes priced as a venue prints them (Binance: 8 places). A feed parses
 * those decimals, so most numbers a scrape prints are short ones; arithmetic (spreads, volumes
 * summed, returns, indicators) makes the rest.
 *
 * Built from the modules it is given, so a bench can build the same market from another checkout's
 * build (render-ab.ts) as well as from this one.
 */
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import { FeedState } from '../src/market/feed-state.js';
import type { SelfStats } from '../src/metrics/render.js';

export interface MarketModules {
  FeedState: typeof FeedState;
  DEFAULT_INDICATORS: typeof DEFAULT_INDICATORS;
}

export interface RenderWorkload {
  feeds: Map<string, FeedState>;
  self: SelfStats;
  /** Every symbol trades once and quotes at event time t (epoch ms). */
  trade(t: number): void;
}

/** The exporter's own families, fixed: the benches measure the symbols' lines. */
const BENCH_SELF: SelfStats = {
  queueDepth: 0, queueCapacity: 1, loopLag: 0, loopLagMax: 0, loopUtil: 0, version: 'bench', nodeVersion: process.version,
  reloadOk: 1, reloadTime: 0, scrapeDuration: 0, logsSuppressed: {},
};

/** A venue's decimal text as the feed parses it. */
const venue = (x: number): number => Number(x.toFixed(8));

/**
 * `now`: the end of the history (epoch ms). Two markets to be compared need the same one: their
 * windows hold the trades of the last minutes before it, so a few seconds apart, a window's first
 * trade and return differ.
 */
export function renderWorkload(symbolCount: number, mods: MarketModules = { FeedState, DEFAULT_INDICATORS }, now = Date.now()): RenderWorkload {
  const cfg = {
    intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
    windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
    indicators: mods.DEFAULT_INDICATORS,
  };
  const feed = new mods.FeedState('sim', Array.from({ length: symbolCount }, (_, i) => `SYM${i}USDT`), cfg);
  const symbols = [...feed.symbols.values()];
  // The same sequence for every build: an A/B compares the same numbers.
  let seed = 1;
  const rnd = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  const trade = (t: number) => {
    for (const s of symbols) {
      const p = venue(100 + rnd());
      s.applyTrade(p, venue(rnd()), t);
      s.applyQuote(venue(p - 0.01), venue(p + 0.01));
      s.lastUpdate = t;
    }
  };
  // Three hours of history, one trade a minute: every bar and indicator series exists.
  for (let t = now - 180 * 60_000; t < now; t += 60_000) trade(t);
  return { feeds: new Map([['sim', feed]]), self: BENCH_SELF, trade };
}
