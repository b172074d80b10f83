/** What "warm" means for a config: bars the indicators need, backfill length, series per symbol. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { benchConfigYaml } from '../../bench/config.js';
import { backfillMinutes, backfillSegments, seriesPerSymbol, warmSeriesPerSymbol, warmupBars } from '../../bench/warm.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { parseConfig } from '../../src/config/load.js';
import type { IndicatorConfig } from '../../src/config/types.js';
import { INDICATOR_NAMES } from '../../src/metrics/catalog.js';

const config = (fastBars: boolean, extra = '') =>
  parseConfig(benchConfigYaml({ simulatorUrl: 'ws://127.0.0.1:1', symbols: 2, channels: ['trade', 'bookTicker'], fastBars }) + extra, 'test');

/** Only `name` enabled, with the given settings. */
function only(name: keyof IndicatorConfig, settings: Record<string, number>): IndicatorConfig {
  const off = Object.fromEntries(Object.entries(DEFAULT_INDICATORS).map(([k, v]) => [k, { ...v, enabled: false }])) as unknown as IndicatorConfig;
  return { ...off, [name]: { ...DEFAULT_INDICATORS[name], ...settings, enabled: true } };
}

describe('warm-up arithmetic', () => {
  test('warmupBars: the longest lookback of the enabled indicators (MACD slow + signal - 1 by default)', () => {
    assert.equal(warmupBars(DEFAULT_INDICATORS), DEFAULT_INDICATORS.macd.slow + DEFAULT_INDICATORS.macd.signal - 1);
    assert.equal(warmupBars(only('sma', { period: 7 })), 7);
    assert.equal(warmupBars(only('macd', { fast: 3, slow: 10, signal: 4 })), 13);
  });

  test('backfillMinutes: the bars of the longest interval, plus two', () => {
    assert.equal(backfillMinutes(config(false)), (warmupBars(DEFAULT_INDICATORS) + 2) * 5);
    assert.equal(backfillMinutes(config(false)), 180);
    // 1 s and 2 s bars with periods of 3: seconds, not minutes.
    assert.ok(backfillMinutes(config(true)) < 1);
  });

  test('backfillSegments tile the range in whole steps, oldest first, within the trade budget, whole bars', () => {
    for (const [minutes, stepMs, symbols, maxTrades, alignMs, end] of [
      [180, 60_000, 10_000, 50_000, 300_000, 1_700_000_123_456],
      [180, 60_000, 10_000, 50_000, 300_000, 1_700_000_099_999],
      [180, 60_000, 1000, 50_000, 300_000, 1_700_000_123_456],
      [180, 60_000, 20, 50_000, 300_000, 1_700_000_123_456],
      [0.2, 1000, 10_000, 50_000, 2000, 1_700_000_000_500],
      [10, 7000, 3, 10, 7000, 1_700_000_000_000],
      [17, 60_000, 100, 1000, 300_000, 1_700_000_000_000],
      // A bar longer than a piece: split, the only way to stay within the budget.
      [30, 60_000, 10_000, 20_000, 300_000, 1_700_000_000_000],
    ] as const) {
      const what = `${minutes} min, ${symbols} symbols, end ${end}`;
      const segs = backfillSegments(minutes, stepMs, symbols, maxTrades, end, alignMs);
      const steps = segs.map((s) => Math.round((s.minutes * 60_000) / stepMs));
      assert.equal(
        steps.reduce((a, b) => a + b, 0),
        Math.floor((minutes * 60_000) / stepMs),
        `${what}: every step once`,
      );
      assert.equal(segs[segs.length - 1]!.end, end, what);
      const barLonger = alignMs / stepMs > maxTrades / symbols;
      for (let i = 0; i < segs.length; i++) {
        assert.ok(steps[i]! >= 1 && steps[i]! * symbols <= Math.max(maxTrades, symbols), `${what}: segment ${i} within budget`);
        const first = segs[i]!.end - (steps[i]! - 1) * stepMs;
        if (i > 0) {
          // Contiguous: this segment's first trade is one step after the previous one's last...
          assert.equal(first, segs[i - 1]!.end + stepMs, `${what}: segment ${i} follows on`);
          // ...and, unless a bar is longer than a piece, in the next bar.
          if (!barLonger) assert.notEqual(Math.floor(first / alignMs), Math.floor(segs[i - 1]!.end / alignMs), `${what}: segment ${i} starts a bar`);
        }
      }
      // Pieces are packed: two neighbours together would not fit (else they would be one).
      for (let i = 1; i < segs.length && !barLonger; i++) assert.ok((steps[i - 1]! + steps[i]!) * symbols > maxTrades, `${what}: ${i} packed`);
    }
  });
});

describe('series per symbol', () => {
  test('warmSeriesPerSymbol: indicators add one series per indicator value per interval once warm', () => {
    const all = warmSeriesPerSymbol(config(false));
    const none = warmSeriesPerSymbol(
      config(
        false,
        'indicators:\n' + Object.keys(DEFAULT_INDICATORS).map((k) => `  ${k}: {enabled: false}`).join('\n') + '\n',
      ),
    );
    assert.equal(all - none, INDICATOR_NAMES.length * config(false).intervals.length);
    // Bars, windows, price, book, counters: a symbol without indicators still has its own series.
    assert.ok(none >= 20, `${none}`);
    // The worst-case config has the same families, so the same count.
    assert.equal(warmSeriesPerSymbol(config(true)), all);
  });

  test('seriesPerSymbol counts sample lines by symbol label and names the poorest symbol', () => {
    const body = Buffer.from(
      [
        '# HELP market_price Last price. symbol="X"',
        '# TYPE market_price gauge',
        'market_price{exchange="sim",symbol="A"} 1',
        'market_price{exchange="sim",symbol="B"} 2',
        'market_bid{exchange="sim",symbol="A"} 1',
        'market_feed_up{exchange="sim"} 1',
        'market_ask{exchange="sim",symbol="A"} 1',
        'market_ask{exchange="sim",symbol="OTHER"} 1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(seriesPerSymbol(body, ['A', 'B']), { min: 1, minSymbol: 'B', mean: 2 });
    assert.deepEqual(seriesPerSymbol(body, ['A', 'B', 'C']), { min: 0, minSymbol: 'C', mean: 4 / 3 });
  });
});
