/**
 * What "warm" means for a config, worked out from the code rather than hard-coded: how many
 * closed bars the enabled indicators need, how many minutes of backfill give every interval that
 * many, and how many series per symbol the exporter shows once warm. Pure: no sockets, no timers.
 *
 * The series count comes from the exporter's own code: one symbol of the config is fed real
 * Binance-format frames (the simulator's frame builders) through the ingest step and rendered by
 * the /metrics renderer, so a new family or indicator changes the expectation with it.
 */
import type { Config, IndicatorConfig } from '../src/config/types.js';
import { binance } from '../src/feeds/binance.js';
import { Ingest, applier, type FeedControl } from '../src/ingest.js';
import { IndicatorSet } from '../src/indicators/set.js';
import { createLogger } from '../src/log.js';
import { FeedState } from '../src/market/feed-state.js';
import { IngestQueue } from '../src/market/queue.js';
import { ALL_GROUPS, renderMarketChunks, type Selection, type SelfStats } from '../src/metrics/render.js';
import { Market, bookTickerPayload, combinedFrame } from '../src/simulator/market.js';

/** Closed bars after which every enabled indicator has a value (MACD: slow + signal - 1 by default). */
export function warmupBars(indicators: IndicatorConfig, limit = 10_000): number {
  const set = new IndicatorSet(indicators);
  // Every indicator's output comes at the latest when its lookback is over; count until the
  // number of values stops growing for good, i.e. reaches the count after `limit` bars.
  const counts: number[] = [];
  let price = 100;
  for (let i = 0; i < limit; i++) {
    // A zig-zag walk: never flat, so no indicator sits at an undefined 0/0.
    price *= i % 3 === 0 ? 0.997 : 1.002;
    counts.push(Object.keys(set.update({ high: price * 1.001, low: price * 0.999, close: price })).length);
  }
  const full = counts[counts.length - 1]!;
  return counts.indexOf(full) + 1;
}

/**
 * Minutes of history that give every interval of `cfg` the closed bars its indicators need: the
 * longest interval times warmupBars, plus two of it (the first bucket may be cut by the start of
 * the range, and the last is still open). 180 for the defaults (34 bars of 5m, MACD 12/26/9).
 */
export function backfillMinutes(cfg: Pick<Config, 'intervals' | 'indicators'>): number {
  const longest = Math.max(...cfg.intervals.map((i) => i.ms));
  return ((warmupBars(cfg.indicators) + 2) * longest) / 60_000;
}

/** A piece of a backfill: `minutes` of history ending at `end` (epoch ms). */
export interface Segment {
  minutes: number;
  end: number;
}

/**
 * Cut (end - minutes, end] into pieces of at most `maxTrades` trades over `symbols` symbols, each
 * a whole number of steps, oldest first, so that one piece fits in the exporter's ingest queue:
 * the harness waits until the exporter has applied a piece before it asks for the next, and
 * nothing is conflated. The pieces' trades tile the range exactly (the simulator's grid ends on
 * `end` and walks back in steps). Pieces end on bar boundaries of `alignMs` (the longest bar):
 * a bar split between two pieces would be closed by the exporter's wall clock in between, and
 * the rest of its trades would be late. (A bar with more trades than a piece holds is split.)
 */
export function backfillSegments(minutes: number, stepMs: number, symbols: number, maxTrades: number, end: number, alignMs = stepMs): Segment[] {
  const steps = Math.floor((minutes * 60_000) / stepMs + 1e-9);
  const maxSteps = Math.max(1, Math.floor(maxTrades / Math.max(1, symbols)));
  // Steps per bar, oldest first: step i trades at end - (steps - 1 - i) * stepMs.
  const bars: number[] = [];
  let previous = NaN;
  for (let i = 0; i < steps; i++) {
    const bucket = Math.floor((end - (steps - 1 - i) * stepMs) / alignMs);
    if (bucket === previous) bars[bars.length - 1]!++;
    else bars.push(1);
    previous = bucket;
  }
  const out: Segment[] = [];
  let from = 0;
  let size = 0;
  const cut = (n: number) => {
    from += n;
    out.push({ minutes: (n * stepMs) / 60_000, end: end - (steps - from) * stepMs });
  };
  for (const n of bars) {
    if (size > 0 && size + n > maxSteps) {
      cut(size);
      size = 0;
    }
    let left = n;
    for (; left > maxSteps; left -= maxSteps) cut(maxSteps);
    size += left;
  }
  if (size > 0) cut(size);
  return out;
}

const NO_SELF: SelfStats = {
  queueDepth: 0,
  queueCapacity: 1,
  loopLag: 0,
  loopLagMax: 0,
  loopUtil: 0,
  version: 'reference',
  nodeVersion: process.version,
  reloadOk: 1,
  reloadTime: 0,
  scrapeDuration: 0,
  logsSuppressed: {},
};

/**
 * Series per symbol the exporter shows for `cfg` once warm: one symbol with twice the history the
 * indicators need (a trade per shortest interval), then live trades and a book ticker up to
 * `now`, through ingest and apply, then an idle-bar pass, then rendered. Twice, so that a wrong
 * warmupBars makes the benchmark's backfill fall short of this count instead of agreeing with it.
 * `groups`: the scrape groups the scrape asks for (its `collect[]`/`exclude[]`).
 */
export function warmSeriesPerSymbol(cfg: Config, now = Date.now(), groups: Selection = ALL_GROUPS): number {
  const symbol = 'SYM0000';
  const state = new FeedState('reference', [symbol], cfg, now);
  const queue = new IngestQueue(cfg.limits.queueCapacity);
  const ingest = new Ingest(queue, createLogger({ write: () => {} }));
  const control: FeedControl = { noteAlive: () => undefined, reconnect: () => undefined };
  const adapter = binance;
  const m = new Market({ startPrice: 100, volatility: 0.0005, seed: 1 }).get(symbol);
  const feed = (frame: string, at: number) => {
    ingest.frame(state, adapter, control, frame, at, 0);
    queue.drain(applier, Number.MAX_SAFE_INTEGER);
  };
  const step = Math.min(...cfg.intervals.map((i) => i.ms));
  const span = Math.max(...cfg.intervals.map((i) => i.ms)) * (2 * warmupBars(cfg.indicators) + 2);
  for (let t = now - span; t <= now; t += step) feed(combinedFrame(m.tradeStream, m.trade(t, t)), now);
  // The live part: a few trades inside the shortest window, and the book.
  for (let t = now - 900; t <= now; t += 300) feed(combinedFrame(m.tradeStream, m.trade(t, t)), now);
  feed(combinedFrame(m.bookStream, bookTickerPayload(symbol, 1, '99.99000000', '1.00000000', '100.01000000', '1.00000000')), now);
  for (const s of state.symbols.values()) s.tick(now, cfg.barCloseGraceMs);
  const text = Buffer.concat([...renderMarketChunks(new Map([['reference', state]]), NO_SELF, undefined, groups)]).toString('utf8');
  return text.split('\n').filter((l) => !l.startsWith('#') && l.includes(`symbol="${symbol}"`)).length;
}

/** Series per symbol in an exposition: the fewest any of `symbols` has, and which one. */
export function seriesPerSymbol(body: Buffer, symbols: readonly string[]): { min: number; minSymbol: string; mean: number } {
  const counts = new Map<string, number>(symbols.map((s) => [s, 0]));
  const pattern = Buffer.from('symbol="');
  let total = 0;
  for (let p = body.indexOf(pattern); p >= 0; ) {
    // Only sample lines: a comment line (HELP/TYPE) never carries a label.
    const lineStart = body.lastIndexOf(10, p) + 1;
    const from = p + pattern.length;
    const to = body.indexOf(34 /* " */, from);
    const eol = body.indexOf(10, from);
    if (body[lineStart] !== 35 /* # */ && to > 0) {
      const s = body.toString('latin1', from, to);
      const n = counts.get(s);
      if (n !== undefined) {
        counts.set(s, n + 1);
        total++;
      }
    }
    if (eol < 0) break;
    p = body.indexOf(pattern, eol);
  }
  let min = Infinity;
  let minSymbol = '';
  for (const [s, n] of counts)
    if (n < min) {
      min = n;
      minSymbol = s;
    }
  return { min: symbols.length ? min : 0, minSymbol, mean: symbols.length ? total / symbols.length : 0 };
}
