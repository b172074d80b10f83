/**
 * Renders the exporter's own families as Prometheus text from plain state. Names, help and types
 * come from catalog.ts; values from FeedState/SymbolState. Unset gauges (NaN: no trade yet, no
 * indicator past warm-up) are left out rather than exported as NaN.
 */
import type { FeedState } from '../market/feed-state.js';
import type { SymbolState } from '../market/symbol.js';
import { METRICS, type MetricDef } from './catalog.js';
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
}

type Out = { s: string };

function gauge(out: Out, name: string, labels: string, v: number): void {
  if (v === v) out.s += `${name}{${labels}} ${formatValue(v)}\n`;
}

function perSymbol(out: Out, feeds: Iterable<FeedState>, def: MetricDef, get: (s: SymbolState) => number): void {
  out.s += header(def);
  for (const f of feeds) for (const s of f.symbols.values()) gauge(out, def.name, s.labels, get(s));
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

/** The text of every market_* family. */
export function renderMarket(feedMap: ReadonlyMap<string, FeedState>, self: SelfStats): string {
  const feeds = [...feedMap.values()];
  const out: Out = { s: '' };
  const M = METRICS;

  perSymbol(out, feeds, M.price, (s) => s.price);
  perSymbol(out, feeds, M.bid, (s) => s.bid);
  perSymbol(out, feeds, M.ask, (s) => s.ask);
  perSymbol(out, feeds, M.spread, (s) => s.ask - s.bid);
  perSymbol(out, feeds, M.volume, (s) => s.volume);
  perSymbol(out, feeds, M.trades, (s) => s.trades);
  perSymbol(out, feeds, M.lastTrade, (s) => s.lastTradeTime / 1000);
  perSymbol(out, feeds, M.lateTrades, (s) => s.lateTrades);
  perSymbol(out, feeds, M.symbolLastMessage, (s) => s.lastUpdate / 1000);
  perSymbol(out, feeds, M.seqGaps, (s) => s.seqCounts.gaps);
  perSymbol(out, feeds, M.seqMissed, (s) => s.seqCounts.missed);
  perSymbol(out, feeds, M.seqDuplicates, (s) => s.seqCounts.duplicates);
  perSymbol(out, feeds, M.seqOutOfOrder, (s) => s.seqCounts.outOfOrder);

  const bars = [
    [M.barOpen, 'open'],
    [M.barHigh, 'high'],
    [M.barLow, 'low'],
    [M.barClose, 'close'],
    [M.barVolume, 'volume'],
    [M.barEnd, 'end'],
  ] as const;
  for (const [def, field] of bars) {
    out.s += header(def);
    for (const f of feeds)
      for (const s of f.symbols.values())
        for (const iv of s.intervals) {
          const b = iv.lastBar;
          if (b) gauge(out, def.name, `${s.labels},interval="${iv.label}"`, field === 'end' ? b.end / 1000 : b[field]);
        }
  }

  const windows = [
    [M.windowReturn, 'returnRatio'],
    [M.windowHigh, 'high'],
    [M.windowLow, 'low'],
  ] as const;
  for (const [def, field] of windows) {
    out.s += header(def);
    for (const f of feeds)
      for (const s of f.symbols.values())
        for (const w of s.windows) {
          const st = w.window.stats();
          if (st) gauge(out, def.name, `${s.labels},window="${w.label}"`, st[field]);
        }
  }

  out.s += header(M.indicator);
  for (const f of feeds)
    for (const s of f.symbols.values())
      for (const iv of s.intervals)
        for (const [name, v] of Object.entries(iv.values))
          gauge(out, M.indicator.name, `${s.labels},interval="${iv.label}",indicator="${name}"`, v);

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
  return out.s;
}
