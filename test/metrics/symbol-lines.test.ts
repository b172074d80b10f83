import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { FeedState } from '../../src/market/feed-state.js';
import type { SymbolState } from '../../src/market/symbol.js';
import { INDICATOR_NAMES, METRICS, scrapeGroupOf, type MetricDef } from '../../src/metrics/catalog.js';
import { renderMarket, renderMarketChunks, type SelfStats } from '../../src/metrics/render.js';
import { SEGMENTS, SymbolLines, symbolLabels } from '../../src/metrics/symbol-lines.js';
import { formatValue, header } from '../../src/metrics/text.js';

const cfg = {
  intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  indicators: { ...DEFAULT_INDICATORS, rsi: { enabled: true, period: 2 }, sma: { enabled: true, period: 2 }, ema: { enabled: true, period: 2 } },
};
const self: SelfStats = {
  queueDepth: 0, queueCapacity: 1, loopLag: 0, loopLagMax: 0, loopUtil: 0, version: '1', nodeVersion: 'v20',
  reloadOk: 1, reloadTime: 0, scrapeDuration: 0, logsSuppressed: {},
};

/**
 * The per-symbol families written the plain way, one template literal per line, straight from the
 * state: what the byte cache must always equal.
 */
function reference(f: FeedState): string {
  const syms = [...f.symbols.values()];
  // `first`: the family's lines come in two runs over the symbols, each symbol's first `first`
  // rows (its first interval's), then the rest (the other intervals').
  const lines = (def: MetricDef, rows: (s: SymbolState) => [string, number][], first = Infinity): string => {
    let out = header(def);
    for (const part of [(r: [string, number][]) => r.slice(0, first), (r: [string, number][]) => r.slice(first)])
      for (const s of syms)
        for (const [extra, v] of part(rows(s))) if (!Number.isNaN(v)) out += `${def.name}{${symbolLabels(s)}${extra}} ${formatValue(v)}\n`;
    return out;
  };
  const one = (get: (s: SymbolState) => number) => (s: SymbolState): [string, number][] => [['', get(s)]];
  const bar = (get: (b: NonNullable<SymbolState['intervals'][number]['lastBar']>) => number) => (s: SymbolState): [string, number][] =>
    s.intervals.map((iv) => [`,interval="${iv.label}"`, iv.lastBar ? get(iv.lastBar) : NaN]);
  const win = (key: 'returnRatio' | 'high' | 'low') => (s: SymbolState): [string, number][] =>
    s.windows.map((w) => [`,window="${w.label}"`, w.window.stats()?.[key] ?? NaN]);
  const M = METRICS;
  return [
    lines(M.price, one((s) => s.price)),
    lines(M.bid, one((s) => s.bid)),
    lines(M.ask, one((s) => s.ask)),
    lines(M.spread, one((s) => s.ask - s.bid)),
    lines(M.volume, one((s) => s.volume)),
    lines(M.trades, one((s) => s.trades)),
    lines(M.lastTrade, one((s) => s.lastTradeTime / 1000)),
    lines(M.lateTrades, one((s) => s.lateTrades)),
    lines(M.symbolLastMessage, one((s) => s.lastUpdate / 1000)),
    lines(M.seqGaps, one((s) => s.seqCounts.gaps)),
    lines(M.seqMissed, one((s) => s.seqCounts.missed)),
    lines(M.seqDuplicates, one((s) => s.seqCounts.duplicates)),
    lines(M.seqOutOfOrder, one((s) => s.seqCounts.outOfOrder)),
    lines(M.barOpen, bar((b) => b.open), 1),
    lines(M.barHigh, bar((b) => b.high), 1),
    lines(M.barLow, bar((b) => b.low), 1),
    lines(M.barClose, bar((b) => b.close), 1),
    lines(M.barVolume, bar((b) => b.volume), 1),
    lines(M.barEnd, bar((b) => b.end / 1000), 1),
    lines(M.windowReturn, win('returnRatio')),
    lines(M.windowHigh, win('high')),
    lines(M.windowLow, win('low')),
    lines(M.indicator, (s) => s.intervals.flatMap((iv) => INDICATOR_NAMES.map((n, i): [string, number] => [`,interval="${iv.label}",indicator="${n}"`, iv.values[i]!])), INDICATOR_NAMES.length),
  ].join('');
}

/** One change to one symbol: prices of every printed length, quotes that come and go, counters. */
const step = fc.record({
  sym: fc.nat(2),
  kind: fc.constantFrom('trade', 'quote', 'unquote', 'counter', 'heartbeat'),
  price: fc.oneof(fc.constantFrom(1, 10, 100.5, 99.99, 1e21, 1.5e-7, 123456.789012345), fc.double({ min: 1e-9, max: 1e12, noNaN: true })),
  dt: fc.integer({ min: 0, max: 200_000 }),
});

const FAST_FAMILIES = new Set<string>(Object.values(METRICS).flatMap((d) => (['health', 'moves'].includes(scrapeGroupOf(d)) ? [d.name] : [])));
/** The per-symbol lines of a fast-lane render (its own cache, refreshed for its segments only). */
const fastLines = (m: Map<string, FeedState>): string[] =>
  Buffer.concat([...renderMarketChunks(m, self, undefined, new Set(['health', 'moves'] as const))])
    .toString('utf8')
    .split('\n')
    .filter((l) => l.includes('symbol="'));

test('the byte cache always equals the plain rendering, however values change between scrapes, in the fast lane too', () => {
  fc.assert(
    fc.property(fc.array(fc.array(step, { maxLength: 12 }), { minLength: 1, maxLength: 25 }), (scrapes) => {
      const f = new FeedState('sim', ['A', 'B"\\quoted', 'C'], cfg, 0);
      const m = new Map([['sim', f]]);
      const syms = [...f.symbols.values()];
      let t = 1_700_000_000_000;
      for (const changes of scrapes) {
        for (const c of changes) {
          const s = syms[c.sym]!;
          t += c.dt;
          if (c.kind === 'trade') s.applyTrade(c.price, c.price / 7, t);
          else if (c.kind === 'quote') s.applyQuote(c.price, c.price * 1.001);
          else if (c.kind === 'unquote') {
            s.bid = NaN;
            s.ask = NaN;
          }
          else if (c.kind === 'counter') s.seqCounts.gaps += c.dt;
          else s.lastUpdate = t;
        }
        const fast = fastLines(m);
        const text = renderMarket(m, self);
        const want = reference(f);
        assert.equal(text.slice(0, want.length), want);
        assert.ok(text.startsWith(want + header(METRICS.feedUp)), 'nothing else among the per-symbol families');
        // The fast lane's lines, byte for byte, are the full render's lines of its families.
        assert.deepEqual(fast, want.split('\n').filter((l) => FAST_FAMILIES.has(l.slice(0, l.indexOf('{')))));
      }
    }),
    { numRuns: 150 },
  );
});

test('every indicator line is there once its interval has bars enough, in catalogue order', () => {
  const f = new FeedState('sim', ['A'], cfg, 0);
  const s = f.symbols.get('A')!;
  for (let k = 0; k < 80; k++) s.applyTrade(100 + (k % 7), 1, k * 60_000 + 1);
  const text = renderMarket(new Map([['sim', f]]), self);
  const names = [...text.matchAll(/^market_indicator\{exchange="sim",symbol="A",interval="1m",indicator="(\w+)"\}/gm)].map((x) => x[1]);
  assert.deepEqual(names, [...INDICATOR_NAMES]);
});

test('a fast-lane refresh reads no bar; a full one does, so the probe sees reads', () => {
  const f = new FeedState('sim', ['A'], cfg, 0);
  const s = f.symbols.get('A')!;
  for (let k = 0; k < 5; k++) s.applyTrade(100 + k, 1, k * 60_000 + 1);
  let reads = 0;
  for (const iv of s.intervals) {
    let bar = iv.lastBar;
    Object.defineProperty(iv, 'lastBar', { get: () => (reads++, bar), set: (b) => (bar = b) });
  }
  const fast = SEGMENTS.flatMap((def, g) => (scrapeGroupOf(def) === 'rest' ? [] : [g]));
  const lane = new SymbolLines(s, fast);
  for (let k = 0; k < 3; k++) {
    // Prices and windows move; bars close too (a minute apart), which the fast lane leaves alone.
    s.applyTrade(200 + k, 1, (5 + k) * 60_000 + 1);
    lane.refresh(s, fast);
  }
  assert.equal(reads, 0, 'the fast lane writes no bar line');
  new SymbolLines(s).refresh(s);
  assert.ok(reads >= s.intervals.length, `a full refresh reads every interval's bar (${reads} reads)`);
});
