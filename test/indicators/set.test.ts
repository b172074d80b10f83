import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { getConfig } from 'technicalindicators';
import type { IndicatorConfig } from '../../src/config/types.js';
import { IndicatorSet, type IndicatorValues } from '../../src/indicators/set.js';
import { INDICATOR_NAMES, type IndicatorName } from '../../src/metrics/catalog.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { plainSet } from './plain-library.js';
import { mulberry32 } from '../../src/simulator/market.js';

// ---- TA-Lib's definitions, written independently as plain loops over whole arrays ----

type Series = (number | undefined)[];

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** TA_SMA: lookback n - 1. */
function refSma(x: number[], n: number): Series {
  return x.map((_, i) => (i >= n - 1 ? mean(x.slice(i - n + 1, i + 1)) : undefined));
}

/** TA_EMA (default compatibility): seed = SMA of the first n inputs from `from`, then k = 2/(n+1). */
function refEma(x: number[], n: number, from = 0): Series {
  const out: Series = new Array(x.length).fill(undefined);
  const k = 2 / (n + 1);
  let prev = mean(x.slice(from, from + n));
  out[from + n - 1] = prev;
  for (let i = from + n; i < x.length; i++) out[i] = prev = (x[i]! - prev) * k + prev;
  return out;
}

/** TA_RSI: Wilder averages seeded with the simple average of the first n changes; lookback n. */
function refRsi(c: number[], n: number): Series {
  const out: Series = new Array(c.length).fill(undefined);
  let g = 0;
  let l = 0;
  for (let i = 1; i <= n; i++) {
    const d = c[i]! - c[i - 1]!;
    if (d > 0) g += d;
    else l -= d;
  }
  g /= n;
  l /= n;
  out[n] = (100 * g) / (g + l);
  for (let i = n + 1; i < c.length; i++) {
    const d = c[i]! - c[i - 1]!;
    g = (g * (n - 1) + (d > 0 ? d : 0)) / n;
    l = (l * (n - 1) + (d < 0 ? -d : 0)) / n;
    out[i] = (100 * g) / (g + l);
  }
  return out;
}

/** TA_BBANDS with an SMA: middle ± k × population standard deviation; lookback n - 1. */
function refBb(c: number[], n: number, k: number) {
  return c.map((close, i) => {
    if (i < n - 1) return undefined;
    const w = c.slice(i - n + 1, i + 1);
    const m = mean(w);
    const sd = Math.sqrt(mean(w.map((x) => (x - m) ** 2)));
    const upper = m + k * sd;
    const lower = m - k * sd;
    return { upper, middle: m, lower, pb: (close - lower) / (upper - lower), bw: (upper - lower) / m };
  });
}

/**
 * TA_MACD: the fast and slow EMA seeds end on the same bar (slow - 1); signal = EMA of the line,
 * seeded with the SMA of its first `signal` values; lookback slow + signal - 2.
 */
function refMacd(c: number[], fast: number, slow: number, signal: number) {
  const s = refEma(c, slow);
  const f = refEma(c, fast, slow - fast);
  const line = c.map((_, i) => (i >= slow - 1 ? f[i]! - s[i]! : 0));
  const sig = refEma(line, signal, slow - 1);
  return c.map((_, i) => (i >= slow + signal - 2 ? { macd: line[i]!, signal: sig[i]!, hist: line[i]! - sig[i]! } : undefined));
}

/** TA_ATR: true range from the second bar; first ATR = SMA of n TRs; then Wilder; lookback n. */
function refAtr(h: number[], l: number[], c: number[], n: number): Series {
  const tr = c.map((_, i) => (i === 0 ? NaN : Math.max(h[i]! - l[i]!, Math.abs(h[i]! - c[i - 1]!), Math.abs(l[i]! - c[i - 1]!))));
  const out: Series = new Array(c.length).fill(undefined);
  let prev = mean(tr.slice(1, n + 1));
  out[n] = prev;
  for (let i = n + 1; i < c.length; i++) out[i] = prev = (prev * (n - 1) + tr[i]!) / n;
  return out;
}

/** Sample standard deviation of the last n log returns; lookback n. */
function refVol(c: number[], n: number): Series {
  const r = c.map((x, i) => (i === 0 ? NaN : Math.log(x / c[i - 1]!)));
  return c.map((_, i) => {
    if (i < n) return undefined;
    const w = r.slice(i - n + 1, i + 1);
    const m = mean(w);
    return Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  });
}

function expected(cfg: IndicatorConfig, h: number[], l: number[], c: number[]): Record<IndicatorName, Series> {
  const bb = refBb(c, cfg.bollinger.period, cfg.bollinger.stdDev);
  const macd = refMacd(c, cfg.macd.fast, cfg.macd.slow, cfg.macd.signal);
  return {
    rsi: refRsi(c, cfg.rsi.period),
    bb_upper: bb.map((b) => b?.upper),
    bb_middle: bb.map((b) => b?.middle),
    bb_lower: bb.map((b) => b?.lower),
    bb_percent_b: bb.map((b) => b?.pb),
    bb_bandwidth: bb.map((b) => b?.bw),
    sma: refSma(c, cfg.sma.period),
    ema: refEma(c, cfg.ema.period),
    macd: macd.map((m) => m?.macd),
    macd_signal: macd.map((m) => m?.signal),
    macd_histogram: macd.map((m) => m?.hist),
    atr: refAtr(h, l, c, cfg.atr.period),
    volatility: refVol(c, cfg.volatility.period),
  };
}

// ---- a deterministic bar series ----

function bars(count: number, seed: number) {
  const rnd = mulberry32(seed);
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  let close = 100;
  for (let i = 0; i < count; i++) {
    const open = close;
    // Volatility regimes, so RSI and Bollinger see trends and calm stretches.
    const vol = i % 500 < 250 ? 0.004 : 0.015;
    close = open * Math.exp((rnd() - 0.5) * 2 * vol + (i % 300 < 100 ? 0.001 : 0));
    h.push(Math.max(open, close) * (1 + rnd() * vol));
    l.push(Math.min(open, close) * (1 - rnd() * vol));
    c.push(close);
  }
  return { h, l, c };
}

// The shipped defaults (TA-Lib's customary periods); the references below are computed independently.
const DEFAULTS: IndicatorConfig = DEFAULT_INDICATORS;

const CUSTOM: IndicatorConfig = {
  rsi: { enabled: true, period: 7 },
  bollinger: { enabled: true, period: 10, stdDev: 2.5 },
  sma: { enabled: true, period: 5 },
  ema: { enabled: true, period: 50 },
  macd: { enabled: true, fast: 5, slow: 35, signal: 5 },
  atr: { enabled: true, period: 3 },
  volatility: { enabled: true, period: 2 },
};

function run(cfg: IndicatorConfig, h: number[], l: number[], c: number[]): IndicatorValues[] {
  const set = new IndicatorSet(cfg);
  return c.map((close, i) => set.update({ high: h[i]!, low: l[i]!, close }));
}

/** 1e-6 relative; the tiny absolute floor only matters for values that cross zero (MACD). */
function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-12;
}

function compare(cfg: IndicatorConfig, seed: number) {
  const { h, l, c } = bars(2_000, seed);
  const got = run(cfg, h, l, c);
  const want = expected(cfg, h, l, c);
  for (const name of INDICATOR_NAMES) {
    const ref = want[name];
    const lookback = ref.findIndex((v) => v !== undefined);
    assert.ok(lookback > 0, name);
    const first = got.findIndex((v) => v[name] !== undefined);
    assert.equal(first, lookback, `${name}: first value at bar ${first}, TA-Lib's lookback is ${lookback}`);
    for (let i = lookback; i < c.length; i++) {
      const g = got[i]![name];
      assert.ok(g !== undefined && close(g, ref[i]!), `${name} at bar ${i}: got ${g}, want ${ref[i]}`);
    }
  }
}

describe('IndicatorSet against TA-Lib definitions', () => {
  test('default periods, 2000 bars, every value from the first one on', () => compare(DEFAULTS, 1));
  test('other periods and another series', () => compare(CUSTOM, 2));

  test('never touches the library-wide precision setting, and RSI is not rounded', () => {
    const { h, l, c } = bars(300, 3);
    const out = run(DEFAULTS, h, l, c);
    assert.equal(getConfig('precision'), undefined);
    const rsis = out.map((v) => v.rsi).filter((v): v is number => v !== undefined);
    // The library's own RSI rounds to 2 decimals; these must not be.
    assert.ok(rsis.some((v) => Math.abs(v * 100 - Math.round(v * 100)) > 1e-6));
  });
});

describe('IndicatorSet', () => {
  test('reports only the enabled indicators', () => {
    const cfg: IndicatorConfig = {
      ...DEFAULTS,
      rsi: { enabled: false, period: 14 },
      bollinger: { enabled: false, period: 20, stdDev: 2 },
      macd: { enabled: false, fast: 12, slow: 26, signal: 9 },
      volatility: { enabled: false, period: 20 },
    };
    const { h, l, c } = bars(100, 4);
    const last = run(cfg, h, l, c).at(-1)!;
    assert.deepEqual(Object.keys(last).sort(), ['atr', 'ema', 'sma']);
    const none: IndicatorConfig = Object.fromEntries(
      Object.entries(DEFAULTS).map(([k, v]) => [k, { ...v, enabled: false }]),
    ) as unknown as IndicatorConfig;
    assert.deepEqual(run(none, h, l, c).at(-1), {});
  });

  test('a flat market gives neutral, finite values (RSI 50, %B 0.5) where TA-Lib divides 0 by 0', () => {
    const n = 60;
    const out = run(DEFAULTS, new Array(n).fill(100), new Array(n).fill(100), new Array(n).fill(100)).at(-1)!;
    assert.deepEqual(out, {
      rsi: 50,
      bb_upper: 100,
      bb_middle: 100,
      bb_lower: 100,
      bb_percent_b: 0.5,
      bb_bandwidth: 0,
      sma: 100,
      ema: 100,
      macd: 0,
      macd_signal: 0,
      macd_histogram: 0,
      atr: 0,
      volatility: 0,
    });
  });

  test('RSI is 100 on a rise without a fall and 0 on a fall without a rise', () => {
    const up = Array.from({ length: 30 }, (_, i) => 100 + i);
    const rsiUp = run(DEFAULTS, up, up, up).at(-1)!.rsi;
    assert.equal(rsiUp, 100);
    const down = up.map((x) => 300 - x);
    assert.equal(run(DEFAULTS, down, down, down).at(-1)!.rsi, 0);
  });

  test('rejects periods an indicator cannot use', () => {
    const bad = (patch: Partial<IndicatorConfig>) => () => new IndicatorSet({ ...DEFAULTS, ...patch });
    assert.throws(bad({ rsi: { enabled: true, period: 0 } }), RangeError);
    assert.throws(bad({ sma: { enabled: true, period: 2.5 } }), RangeError);
    assert.throws(bad({ macd: { enabled: true, fast: 26, slow: 12, signal: 9 } }), RangeError);
    assert.throws(bad({ volatility: { enabled: true, period: 1 } }), RangeError);
    assert.throws(bad({ bollinger: { enabled: true, period: 20, stdDev: 0 } }), RangeError);
    // Disabled indicators are not built, so their periods do not matter.
    assert.doesNotThrow(bad({ rsi: { enabled: false, period: 0 } }));
  });
});

// ---- the same values as technicalindicators used plainly, bit for bit ----

/**
 * Closes on a 0.01 tick with flat stretches and trends, so windows with equal closes, zero changes
 * and exact repeats occur (where sharing and reordering would show first).
 */
function tickBars(count: number, seed: number) {
  const rnd = mulberry32(seed);
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  let close = 50 + rnd() * 100;
  for (let i = 0; i < count; i++) {
    const open = close;
    const flat = i % 97 < 25;
    if (!flat) close = Math.max(0.01, Math.round(open * (1 + (rnd() - 0.48) * 0.02) * 100) / 100);
    h.push(Math.max(open, close) + (flat ? 0 : Math.round(rnd() * 30) / 100));
    l.push(Math.max(0.01, Math.min(open, close) - (flat ? 0 : Math.round(rnd() * 30) / 100)));
    c.push(close);
  }
  return { h, l, c };
}

/** Feeds both, bar by bar; fails on the first key or value (compared with Object.is) that differs. */
function assertBitIdentical(cfg: IndicatorConfig, h: number[], l: number[], c: number[]): IndicatorValues {
  const set = new IndicatorSet(cfg);
  const plain = plainSet(cfg);
  let last: IndicatorValues = {};
  for (let i = 0; i < c.length; i++) {
    const bar = { high: h[i]!, low: l[i]!, close: c[i]! };
    const got = set.update(bar);
    const want = plain(bar);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `indicators reported at bar ${i}`);
    for (const k of Object.keys(want) as IndicatorName[]) {
      assert.ok(Object.is(got[k], want[k]), `${k} at bar ${i}: got ${got[k]}, the library gives ${want[k]}`);
    }
    last = got;
  }
  return last;
}

describe('IndicatorSet against technicalindicators used plainly (bit-identical)', () => {
  test('default periods: every indicator, 500 bars, three series', () => {
    for (const seed of [11, 12, 13]) {
      const { h, l, c } = tickBars(500, seed);
      const last = assertBitIdentical(DEFAULTS, h, l, c);
      assert.deepEqual(Object.keys(last).sort(), [...INDICATOR_NAMES].sort()); // not vacuous
    }
    const smooth = bars(500, 14);
    assertBitIdentical(DEFAULTS, smooth.h, smooth.l, smooth.c);
  });

  test('an SMA that cannot share the Bollinger window (other period, or Bollinger off)', () => {
    const { h, l, c } = tickBars(400, 21);
    assertBitIdentical({ ...DEFAULTS, sma: { enabled: true, period: 30 } }, h, l, c);
    assertBitIdentical({ ...DEFAULTS, bollinger: { enabled: false, period: 20, stdDev: 2 } }, h, l, c);
    const last = assertBitIdentical({ ...DEFAULTS, sma: { enabled: false, period: 20 } }, h, l, c);
    assert.equal(last.sma, undefined);
    assert.ok(last.bb_middle !== undefined);
  });

  test('random periods, band widths and enabled sets, 300 bars each (property)', () => {
    const on = fc.boolean();
    const cfg = fc
      .record({
        rsi: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 30 }) }),
        bollinger: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 40 }), stdDev: fc.double({ min: 0.1, max: 4, noNaN: true }) }),
        sma: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 40 }) }),
        smaSameAsBands: fc.boolean(),
        ema: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 60 }) }),
        macd: fc
          .record({ enabled: on, fast: fc.integer({ min: 1, max: 20 }), gap: fc.integer({ min: 1, max: 20 }), signal: fc.integer({ min: 1, max: 15 }) })
          .map(({ enabled, fast, gap, signal }) => ({ enabled, fast, slow: fast + gap, signal })),
        atr: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 30 }) }),
        volatility: fc.record({ enabled: on, period: fc.integer({ min: 2, max: 30 }) }),
      })
      .map(({ smaSameAsBands, ...c }): IndicatorConfig => (smaSameAsBands ? { ...c, sma: { ...c.sma, period: c.bollinger.period } } : c));
    fc.assert(
      fc.property(cfg, fc.integer({ min: 1, max: 1_000_000 }), (config, seed) => {
        const { h, l, c } = tickBars(300, seed);
        assertBitIdentical(config, h, l, c);
      }),
      { numRuns: 60 },
    );
  });

  test('update(bar, out) writes into out and leaves indicators still warming up untouched', () => {
    const { h, l, c } = tickBars(30, 5);
    const set = new IndicatorSet(DEFAULTS);
    const out: IndicatorValues = { macd: 1.5 };
    let returned: IndicatorValues | undefined;
    for (let i = 0; i < c.length; i++) returned = set.update({ high: h[i]!, low: l[i]!, close: c[i]! }, out);
    assert.equal(returned, out);
    assert.equal(out.macd, 1.5); // MACD needs 34 bars
    assert.ok(out.rsi !== undefined && out.sma !== undefined);
  });
});

describe('IndicatorSet footprint', () => {
  test('a warmed-up default set keeps well under the 27 kB it took with the library used plainly', async () => {
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'footprint'], {
      timeout: 120_000,
    });
    const r = JSON.parse(stdout) as { bytesPerSet: number };
    // ~11.6 kB on Node 20; the plain library objects (plain-library.ts) took ~27.5 kB. The bound
    // leaves room for other V8 versions yet fails if a seed SMA or a duplicate window comes back.
    assert.ok(r.bytesPerSet > 1_000 && r.bytesPerSet < 16_000, `${r.bytesPerSet} bytes per set`);
  });
});
