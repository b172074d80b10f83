import { test } from 'vitest';
import assert from 'node:assert/strict';
import { METRICS, exposedNames } from '../../src/metrics/catalog.js';
import { renderMarket, renderMarketChunks, type SelfStats } from '../../src/metrics/render.js';
import { FeedState } from '../../src/market/feed-state.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import type { ExtraIndicatorsConfig } from '../../src/config/types.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '5m', ms: 300_000 }], indicators: DEFAULT_INDICATORS };
const self: SelfStats = {
  queueDepth: 3, queueCapacity: 100, loopLag: 0.001, loopLagMax: 0.002, loopUtil: 0.1, version: '1.2.3',
  nodeVersion: 'v20.0.0', reloadOk: 1, reloadTime: 1700000000, scrapeDuration: NaN, logsSuppressed: { malformed_frame: 4 },
};

function sample() {
  const f = new FeedState('binance', ['BTCUSDT', 'ETHUSDT'], cfg);
  const btc = f.symbols.get('BTCUSDT')!;
  // Two bars' worth of trades so one bar closes.
  btc.applyTrade(100, 1, 60_000);
  btc.applyTrade(110, 2, 60_500);
  btc.applyTrade(90, 1, 61_000);
  btc.applyTrade(105, 1, 120_000);
  btc.applyQuote(104, 106);
  f.lag.observe(0.003);
  f.lag.observe(7);
  f.reconnects.stale = 2;
  return new Map([['binance', f]]);
}

const parse = (text: string) => {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    series.set(m[1]!, Number(m[2]));
  }
  return series;
};

test('every catalogue family is rendered with HELP and TYPE, each exactly once', () => {
  const text = renderMarket(sample(), self);
  for (const def of Object.values(METRICS)) {
    const types = text.split('\n').filter((l) => l.startsWith(`# TYPE ${def.name} `));
    assert.equal(types.length, 1, `${def.name} TYPE lines`);
    assert.equal(types[0], `# TYPE ${def.name} ${def.type}`);
  }
});

test('only catalogue names are rendered', () => {
  const names = exposedNames();
  for (const key of parse(renderMarket(sample(), self)).keys()) {
    const name = key.replace(/\{.*$/, '');
    assert.ok(names.has(name), `${name} is not in the catalogue`);
  }
});

test('values: price, spread, closed bar, window, counters and a cumulative histogram', () => {
  const s = parse(renderMarket(sample(), self));
  const L = 'exchange="binance",symbol="BTCUSDT"';
  assert.equal(s.get(`market_price{${L}}`), 105);
  assert.equal(s.get(`market_spread{${L}}`), 2);
  assert.equal(s.get(`market_trades_total{${L}}`), 4);
  assert.equal(s.get(`market_traded_volume_total{${L}}`), 5);
  assert.equal(s.get(`market_bar_open{${L},interval="1m"}`), 100);
  assert.equal(s.get(`market_bar_high{${L},interval="1m"}`), 110);
  assert.equal(s.get(`market_bar_low{${L},interval="1m"}`), 90);
  assert.equal(s.get(`market_bar_close{${L},interval="1m"}`), 90);
  assert.equal(s.get(`market_bar_volume{${L},interval="1m"}`), 4);
  assert.equal(s.get(`market_bar_end_timestamp_seconds{${L},interval="1m"}`), 120);
  assert.equal(s.get(`market_window_high_price{${L},window="5m"}`), 110);
  assert.equal(s.get(`market_window_low_price{${L},window="5m"}`), 90);
  assert.ok(Math.abs(s.get(`market_window_return_ratio{${L},window="5m"}`)! - 0.05) < 1e-12);
  assert.equal(s.get('market_feed_reconnects_total{exchange="binance",reason="stale"}'), 2);
  assert.equal(s.get('market_feed_reconnects_total{exchange="binance",reason="closed"}'), 0, 'every reason starts at 0');
  assert.equal(s.get('market_feed_lag_seconds_bucket{exchange="binance",le="0.0025"}'), 0);
  assert.equal(s.get('market_feed_lag_seconds_bucket{exchange="binance",le="0.005"}'), 1);
  assert.equal(s.get('market_feed_lag_seconds_bucket{exchange="binance",le="10"}'), 2);
  assert.equal(s.get('market_feed_lag_seconds_bucket{exchange="binance",le="+Inf"}'), 2);
  assert.equal(s.get('market_feed_lag_seconds_count{exchange="binance"}'), 2);
  assert.equal(s.get('market_ingest_queue_depth'), 3);
  assert.equal(s.get('market_exporter_build_info{version="1.2.3",revision="unknown",branch="unknown",build_date="unknown",node_version="v20.0.0"}'), 1);
  // The symbol itself until the fleet names its instrument (src/fleet.ts).
  assert.equal(s.get('market_instrument_info{exchange="binance",symbol="BTCUSDT",instrument="BTCUSDT"}'), 1);
});

test('unset gauges are absent, not NaN: a symbol with no trade has no price series', () => {
  const text = renderMarket(sample(), self);
  assert.ok(!text.includes('NaN'), 'no NaN values');
  assert.ok(!text.includes('market_price{exchange="binance",symbol="ETHUSDT"}'));
  assert.ok(text.includes('market_trades_total{exchange="binance",symbol="ETHUSDT"} 0'), 'counters start at 0');
  assert.ok(!text.split('\n').some((l) => l.startsWith('market_exporter_scrape_duration_seconds ')), 'no scrape measured yet');
});

test('a fast-lane render carries exactly the full render\'s lines of its families, before and after a change', () => {
  const feeds = sample();
  const fast = () => parse(Buffer.concat([...renderMarketChunks(feeds, self, undefined, new Set(['health', 'moves'] as const))]).toString('utf8'));
  const fastNames = new Set<string>([METRICS.price, METRICS.windowReturn, METRICS.symbolLastMessage, METRICS.seqGaps, METRICS.feedUp, METRICS.reconnects].map((d) => d.name));
  const check = () => {
    const f = fast();
    const full = parse(renderMarket(feeds, self));
    const name = (k: string) => k.split('{')[0]!;
    const expected = [...full].filter(([k]) => fastNames.has(name(k)));
    assert.deepEqual([...f].filter(([k]) => fastNames.has(name(k))), expected);
    assert.ok(![...f.keys()].some((k) => name(k) === METRICS.barClose.name || name(k) === METRICS.indicator.name), 'no bar or indicator family');
  };
  check();
  const btc = feeds.get('binance')!.symbols.get('BTCUSDT')!;
  // A fast scrape after a trade, then the full one: each family is right in both.
  btc.applyTrade(120, 1, 121_000);
  btc.seqCounts.gaps = 3;
  check();
  btc.applyTrade(119.5, 1, 185_000);
  fast();
  check();
});

test('extra indicators: their label values on the symbols the config names only, after the native ones', () => {
  const extraIndicators: ExtraIndicatorsConfig = {
    maxInstances: 10,
    indicators: [{ indicator: 'obv', params: {}, symbols: ['BTCUSDT'] }, { indicator: 'psar', params: { step: 0.02, max: 0.2 }, feeds: ['kraken'] }],
  };
  const f = new FeedState('binance', ['BTCUSDT', 'ETHUSDT'], { ...cfg, extraIndicators });
  for (let t = 0; t < 40; t++) {
    for (const [i, sym] of ['BTCUSDT', 'ETHUSDT'].entries()) f.symbols.get(sym)!.applyTrade(100 + ((t * 7 + i) % 5), 1 + (t % 3), 60_000 * (t + 1));
  }
  const text = renderMarket(new Map([['binance', f]]), self);
  const s = parse(text);
  const btc = 'exchange="binance",symbol="BTCUSDT",interval="1m"';
  assert.ok(Number.isFinite(s.get(`market_indicator{${btc},indicator="obv"}`)), 'obv on BTCUSDT');
  assert.ok(Number.isFinite(s.get(`market_indicator{${btc},indicator="rsi"}`)), 'natives still there');
  assert.ok(!text.includes('symbol="ETHUSDT",interval="1m",indicator="obv"'), 'not named for ETHUSDT');
  assert.ok(!text.includes('indicator="psar"'), 'psar runs on kraken only');
  // The family's lines stay together: every market_indicator line sits in one block.
  const lines = text.split('\n');
  const at = lines.map((l, i) => (l.startsWith('market_indicator{') ? i : -1)).filter((i) => i >= 0);
  assert.equal(at.at(-1)! - at[0]! + 1, at.length);
  assert.equal(f.indicators.extraRefused, 0);
  assert.equal(s.get('market_indicator_extra_refused_total{exchange="binance"}'), 0);
});

test('extra indicators past maxInstances are refused and counted, the natives unaffected', () => {
  const extraIndicators = { maxInstances: 1, indicators: [{ indicator: 'obv', params: {} }] };
  const f = new FeedState('binance', ['BTCUSDT', 'ETHUSDT'], { ...cfg, extraIndicators });
  for (let t = 0; t < 30; t++) for (const s of f.symbols.values()) s.applyTrade(100 + (t % 3), 1, 60_000 * (t + 1));
  const text = renderMarket(new Map([['binance', f]]), self);
  assert.equal(text.split('\n').filter((l) => l.includes('indicator="obv"')).length, 1);
  assert.equal(f.indicators.extraRefused, 1);
  assert.equal(parse(text).get('market_indicator_extra_refused_total{exchange="binance"}'), 1, 'the refusal is exported');
  assert.equal(text.split('\n').filter((l) => l.includes('indicator="sma"')).length, 2);
});

test('market_instrument_info: one series per symbol with its instrument, escaped', () => {
  const feeds = sample();
  const f = feeds.get('binance')!;
  f.symbols.get('BTCUSDT')!.instrument = 'BTC/USDT';
  f.symbols.get('ETHUSDT')!.instrument = 'E"TH/USDT';
  const lines = renderMarket(feeds, self).split('\n').filter((l) => l.startsWith('market_instrument_info{'));
  assert.deepEqual(lines, [
    'market_instrument_info{exchange="binance",symbol="BTCUSDT",instrument="BTC/USDT"} 1',
    'market_instrument_info{exchange="binance",symbol="ETHUSDT",instrument="E\\"TH/USDT"} 1',
  ]);
});
