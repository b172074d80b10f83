/**
 * Renders the exporter's own families as Prometheus text from plain state. Names, help and types
 * come from catalog.ts; values from FeedState/SymbolState. Unset gauges (NaN: no trade yet, no
 * indicator past warm-up) are left out rather than exported as NaN.
 *
 * Scale: 10k symbols are ~570k series (~50 MB). Two things keep that from stalling ingest:
 * - The text comes out in chunks (renderMarketChunks), and streamMarket yields to the event loop
 *   every few milliseconds, so frames keep being ingested while a scrape is written.
 * - Each symbol remembers the formatted value of each series and the number it came from; an
 *   unchanged number reuses its string instead of being formatted again. Bars and indicators
 *   change once per bar, so between two scrapes most of their values are unchanged even on a
 *   busy symbol.
 * A scrape written over several event-loop turns is not one atomic snapshot: families rendered
 * later may include events that arrived while earlier ones were written, as with any collector
 * that runs while the process works.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { DEFAULT_SHARD } from '../config/defaults.js';
import type { ShardConfig } from '../config/types.js';
import type { FeedState } from '../market/feed-state.js';
import type { SymbolState } from '../market/symbol.js';
import { INDICATOR_NAMES, METRICS, type IndicatorName, type MetricDef } from './catalog.js';
import type { BucketHistogram } from './histogram.js';
import { escapeLabelValue, formatValue, header } from './text.js';

/** Process-wide values that are not per feed. */
export interface SelfStats {
  queueDepth: number;
  queueCapacity: number;
  loopLag: number;
  loopLagMax: number;
  loopUtil: number;
  version: string;
  nodeVersion: string;
  reloadOk: number;
  reloadTime: number;
  scrapeDuration: number;
  logsSuppressed: Record<string, number>;
  /** This replica's shard; absent: not sharded. */
  shard?: ShardConfig;
}

/** Each symbol's last formatted value per series, and the number it came from. */
interface ValueCache {
  readonly vals: Float64Array;
  readonly strs: string[];
}
const caches = new WeakMap<SymbolState, ValueCache>();

const INDICATOR_INDEX = new Map<string, number>(INDICATOR_NAMES.map((n, i) => [n, i]));
const SCALARS = 13;
const BAR_FIELDS = 6;
const WINDOW_FIELDS = 3;

function cacheOf(s: SymbolState): ValueCache {
  let c = caches.get(s);
  if (!c) {
    const n = SCALARS + (BAR_FIELDS + INDICATOR_NAMES.length) * s.intervals.length + WINDOW_FIELDS * s.windows.length;
    c = { vals: new Float64Array(n).fill(NaN), strs: new Array<string>(n).fill('') };
    caches.set(s, c);
  }
  return c;
}

/**
 * The line for series `k` of a symbol, '' when unset (NaN). The number is formatted only when it
 * changed since the last scrape: formatting is most of a line's cost, and a cached value string is
 * a few dozen bytes where a cached line would be ~100 (570k of them at 10k symbols).
 */
function line(c: ValueCache, k: number, name: string, labels: string, v: number): string {
  if (v !== v) return '';
  let str: string;
  if (c.vals[k] === v) str = c.strs[k]!;
  else {
    str = formatValue(v);
    c.vals[k] = v;
    c.strs[k] = str;
  }
  return `${name}{${labels}} ${str}\n`;
}

/** Text out in pieces of about this many characters. */
const CHUNK = 1 << 16;

type Get = (s: SymbolState) => number;
const SCALAR_FAMILIES: readonly [MetricDef, Get][] = [
  [METRICS.price, (s) => s.price],
  [METRICS.bid, (s) => s.bid],
  [METRICS.ask, (s) => s.ask],
  [METRICS.spread, (s) => s.ask - s.bid],
  [METRICS.volume, (s) => s.volume],
  [METRICS.trades, (s) => s.trades],
  [METRICS.lastTrade, (s) => s.lastTradeTime / 1000],
  [METRICS.lateTrades, (s) => s.lateTrades],
  [METRICS.symbolLastMessage, (s) => s.lastUpdate / 1000],
  [METRICS.seqGaps, (s) => s.seqCounts.gaps],
  [METRICS.seqMissed, (s) => s.seqCounts.missed],
  [METRICS.seqDuplicates, (s) => s.seqCounts.duplicates],
  [METRICS.seqOutOfOrder, (s) => s.seqCounts.outOfOrder],
];
const BAR_FAMILIES = [
  [METRICS.barOpen, 'open'],
  [METRICS.barHigh, 'high'],
  [METRICS.barLow, 'low'],
  [METRICS.barClose, 'close'],
  [METRICS.barVolume, 'volume'],
  [METRICS.barEnd, 'end'],
] as const;
const WINDOW_FAMILIES = [
  [METRICS.windowReturn, 'returnRatio'],
  [METRICS.windowHigh, 'high'],
  [METRICS.windowLow, 'low'],
] as const;

type Out = { s: string };

function gauge(out: Out, name: string, labels: string, v: number): void {
  if (v === v) out.s += `${name}{${labels}} ${formatValue(v)}\n`;
}

function perFeed(out: Out, feeds: Iterable<FeedState>, def: MetricDef, get: (f: FeedState) => number): void {
  out.s += header(def);
  for (const f of feeds) gauge(out, def.name, `exchange="${escapeLabelValue(f.name)}"`, get(f));
}

function perFeedKeyed(out: Out, feeds: Iterable<FeedState>, def: MetricDef, key: string, get: (f: FeedState) => Record<string, number>): void {
  out.s += header(def);
  for (const f of feeds) {
    const ex = escapeLabelValue(f.name);
    for (const [k, v] of Object.entries(get(f))) out.s += `${def.name}{exchange="${ex}",${key}="${k}"} ${formatValue(v)}\n`;
  }
}

function histogram(out: Out, feeds: Iterable<FeedState>, def: MetricDef, get: (f: FeedState) => BucketHistogram): void {
  out.s += header(def);
  for (const f of feeds) {
    const h = get(f);
    const ex = `exchange="${escapeLabelValue(f.name)}"`;
    let cum = 0;
    for (let i = 0; i < h.bounds.length; i++) {
      cum += h.counts[i]!;
      out.s += `${def.name}_bucket{${ex},le="${formatValue(h.bounds[i]!)}"} ${cum}\n`;
    }
    out.s += `${def.name}_bucket{${ex},le="+Inf"} ${h.count}\n${def.name}_sum{${ex}} ${formatValue(h.sum)}\n${def.name}_count{${ex}} ${h.count}\n`;
  }
}

function single(out: Out, def: MetricDef, v: number): void {
  out.s += header(def);
  if (v === v) out.s += `${def.name} ${formatValue(v)}\n`;
}

/**
 * The text of every market_* family, in pieces of about 64k characters: the per-symbol families
 * (the bulk) a few hundred symbols at a time, then the per-feed and process families.
 */
export function* renderMarketChunks(feedMap: ReadonlyMap<string, FeedState>, self: SelfStats): Generator<string, void, undefined> {
  const feeds = [...feedMap.values()];
  const out: Out = { s: '' };
  const M = METRICS;

  for (let k = 0; k < SCALAR_FAMILIES.length; k++) {
    const [def, get] = SCALAR_FAMILIES[k]!;
    out.s += header(def);
    for (const f of feeds)
      for (const s of f.symbols.values()) {
        out.s += line(cacheOf(s), k, def.name, s.labels, get(s));
        if (out.s.length >= CHUNK) yield flush(out);
      }
  }

  for (let field = 0; field < BAR_FAMILIES.length; field++) {
    const [def, key] = BAR_FAMILIES[field]!;
    out.s += header(def);
    for (const f of feeds)
      for (const s of f.symbols.values()) {
        const c = cacheOf(s);
        const base = SCALARS + field * s.intervals.length;
        for (let i = 0; i < s.intervals.length; i++) {
          const iv = s.intervals[i]!;
          const b = iv.lastBar;
          if (b) out.s += line(c, base + i, def.name, `${s.labels},interval="${iv.label}"`, key === 'end' ? b.end / 1000 : b[key]);
        }
        if (out.s.length >= CHUNK) yield flush(out);
      }
  }

  for (let field = 0; field < WINDOW_FAMILIES.length; field++) {
    const [def, key] = WINDOW_FAMILIES[field]!;
    out.s += header(def);
    for (const f of feeds)
      for (const s of f.symbols.values()) {
        const c = cacheOf(s);
        const base = SCALARS + BAR_FIELDS * s.intervals.length + field * s.windows.length;
        for (let i = 0; i < s.windows.length; i++) {
          const w = s.windows[i]!;
          const st = w.window.stats();
          if (st) out.s += line(c, base + i, def.name, `${s.labels},window="${w.label}"`, st[key]);
        }
        if (out.s.length >= CHUNK) yield flush(out);
      }
  }

  out.s += header(M.indicator);
  for (const f of feeds)
    for (const s of f.symbols.values()) {
      const c = cacheOf(s);
      const base = SCALARS + BAR_FIELDS * s.intervals.length + WINDOW_FIELDS * s.windows.length;
      for (let i = 0; i < s.intervals.length; i++) {
        const iv = s.intervals[i]!;
        const values = iv.values;
        for (const name in values) {
          const v = values[name as IndicatorName]!;
          const k = base + i * INDICATOR_NAMES.length + INDICATOR_INDEX.get(name)!;
          out.s += line(c, k, M.indicator.name, `${s.labels},interval="${iv.label}",indicator="${name}"`, v);
        }
      }
      if (out.s.length >= CHUNK) yield flush(out);
    }

  perFeed(out, feeds, M.feedUp, (f) => f.up);
  perFeed(out, feeds, M.feedSymbols, (f) => f.symbols.size);
  perFeed(out, feeds, M.lastMessage, (f) => f.lastMessage / 1000);
  perFeed(out, feeds, M.messages, (f) => f.messages);
  perFeed(out, feeds, M.receivedBytes, (f) => f.bytes);
  histogram(out, feeds, M.lag, (f) => f.lag);
  perFeedKeyed(out, feeds, M.reconnects, 'reason', (f) => f.reconnects);
  perFeedKeyed(out, feeds, M.errors, 'type', (f) => f.errors);
  perFeed(out, feeds, M.heartbeats, (f) => f.heartbeats);
  perFeed(out, feeds, M.pingRtt, (f) => f.pingRtt);
  perFeed(out, feeds, M.clockSkew, (f) => f.clockSkew);
  perFeed(out, feeds, M.connections, (f) => f.connections);
  perFeed(out, feeds, M.connectionsPlanned, (f) => f.connectionsPlanned);
  perFeed(out, feeds, M.streams, (f) => f.streams);
  perFeed(out, feeds, M.streamsLimit, (f) => f.streamsLimit);
  perFeed(out, feeds, M.streamsMaxUsed, (f) => f.streamsMax);
  single(out, M.queueDepth, self.queueDepth);
  single(out, M.queueCapacity, self.queueCapacity);
  perFeed(out, feeds, M.conflated, (f) => f.conflated);
  perFeed(out, feeds, M.dropped, (f) => f.dropped);
  histogram(out, feeds, M.processing, (f) => f.processing);
  single(out, M.loopLag, self.loopLag);
  single(out, M.loopLagMax, self.loopLagMax);
  single(out, M.loopUtil, self.loopUtil);

  out.s += header(M.buildInfo);
  out.s += `${M.buildInfo.name}{version="${escapeLabelValue(self.version)}",node_version="${escapeLabelValue(self.nodeVersion)}"} 1\n`;
  single(out, M.reloadOk, self.reloadOk);
  single(out, M.reloadTime, self.reloadTime);
  single(out, M.scrapeDuration, self.scrapeDuration);
  out.s += header(M.logsSuppressed);
  for (const [k, v] of Object.entries(self.logsSuppressed))
    out.s += `${M.logsSuppressed.name}{kind="${escapeLabelValue(k)}"} ${formatValue(v)}\n`;
  const shard = self.shard ?? DEFAULT_SHARD;
  let carried = 0;
  for (const f of feeds) carried += f.symbols.size;
  out.s += header(M.shardSymbols);
  out.s += `${M.shardSymbols.name}{shard="${shard.index}"} ${carried}\n`;
  single(out, M.shards, shard.count);
  if (out.s) yield flush(out);
}

function flush(out: Out): string {
  const s = out.s;
  out.s = '';
  return s;
}

/** The text of every market_* family, in one string. */
export function renderMarket(feedMap: ReadonlyMap<string, FeedState>, self: SelfStats): string {
  let s = '';
  for (const chunk of renderMarketChunks(feedMap, self)) s += chunk;
  return s;
}

/**
 * Write every market_* family through `write`, yielding to the event loop whenever `sliceMs` of
 * work has passed, so ingest never waits on a large scrape for longer than a slice. `write` may
 * return a promise (backpressure); it is awaited.
 */
export async function streamMarket(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  write: (chunk: string) => void | Promise<void>,
  sliceMs = 5,
): Promise<void> {
  let sliceStart = performance.now();
  for (const chunk of renderMarketChunks(feedMap, self)) {
    const pending = write(chunk);
    if (pending) await pending;
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
}
