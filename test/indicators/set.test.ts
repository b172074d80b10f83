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
  // The flat-market convention (rsi.ts): no move at all is 50, where TA-Lib divides 0 by 0.
  const rsi = () => (g + l === 0 ? 50 : (100 * g) / (g + l));
  out[n] = rsi();
  for (let i = n + 1; i < c.length; i++) {
    const d = c[i]! - c[i - 1]!;
    g = (g * (n - 1) + (d > 0 ? d : 0)) / n;
    l = (l * (n - 1) + (d < 0 ? -d : 0)) / n;
    out[i] = rsi();
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
    // The flat-market convention (bollinger.ts): equal closes are a band of width 0 on the close.
    const flat = w.every((x) => x === close);
    const mid = flat ? close : m;
    const upper = flat ? close : m + k * sd;
    const lower = flat ? close : m - k * sd;
    return { upper, middle: mid, lower, pb: flat ? 0.5 : (close - lower) / (upper - lower), bw: (upper - lower) / mid, flat };
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

// ---- bar series: what bars look like once trades are bucketed ----

interface Bars {
  h: number[];
  l: number[];
  c: number[];
}

type Shape = 'walk' | 'flat-runs' | 'gaps' | 'one-trade' | 'tick';

/**
 * `count` bars around `scale`: a random walk with volatility regimes (walk), stretches of
 * identical bars as a halted or idle symbol gives (flat-runs), jumps of up to ±20% and filled gap
 * bars at the previous close as bars.ts emits them (gaps), bars of a single trade where high =
 * low = close (one-trade), or closes on a 0.01 tick with exact repeats (tick).
 */
function series(shape: Shape, count: number, seed: number, scale = 100): Bars {
  const rnd = mulberry32(seed);
  const h: number[] = [];
  const l: number[] = [];
  const c: number[] = [];
  let close = scale * (0.5 + rnd());
  for (let i = 0; i < count; i++) {
    const open = close;
    const vol = i % 500 < 250 ? 0.004 : 0.015;
    let hi: number;
    let lo: number;
    if (shape === 'flat-runs' && i % 97 < 30) {
      hi = lo = close;
    } else if (shape === 'gaps' && i % 41 === 40) {
      close = open * (1 + (rnd() - 0.5) * 0.4);
      hi = Math.max(open, close);
      lo = Math.min(open, close);
    } else if (shape === 'gaps' && i % 41 > 33) {
      hi = lo = close; // filled bars: no trade, open = high = low = close = previous close
    } else if (shape === 'tick') {
      if (i % 97 >= 25) close = Math.max(0.01, Math.round(open * (1 + (rnd() - 0.48) * 0.02) * 100) / 100);
      hi = Math.max(open, close) + Math.round(rnd() * 30) / 100;
      lo = Math.max(0.01, Math.min(open, close) - Math.round(rnd() * 30) / 100);
    } else {
      close = open * Math.exp((rnd() - 0.5) * 2 * vol + (i % 300 < 100 ? 0.001 : 0));
      if (shape === 'one-trade') hi = lo = close;
      else {
        hi = Math.max(open, close) * (1 + rnd() * vol);
        lo = Math.min(open, close) * (1 - rnd() * vol);
      }
    }
    h.push(hi);
    l.push(lo);
    c.push(close);
  }
  return { h, l, c };
}

const SHAPES: readonly Shape[] = ['walk', 'flat-runs', 'gaps', 'one-trade'];
const SCALES = [1e-8, 1e-4, 1, 100, 1e5, 1e9];

// The shipped defaults (TA-Lib's customary periods); the references are computed independently.
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

function run(cfg: IndicatorConfig, { h, l, c }: Bars): IndicatorValues[] {
  const set = new IndicatorSet(cfg);
  return c.map((close, i) => ({ ...set.update({ high: h[i]!, low: l[i]!, close }) }));
}

/** Outputs in price units whose value can pass through 0: judged against the price level too. */
const CROSSES_ZERO = new Set<IndicatorName>(['macd', 'macd_signal', 'macd_histogram']);

/**
 * 1e-9 relative. Values that pass through zero get a floor on their own scale: MACD 1e-12 of the
 * price (the difference of two EMAs of a price near 1e9 cannot be exact to less than a few ulps
 * of it), %B 1e-9 (it is a position in the band, so that is 1e-9 of the band's width: near the
 * lower band it is a difference of two prices divided by the width).
 */
function near(name: IndicatorName, got: number, want: number, price: number, bandwidth = Infinity): boolean {
  const floor = CROSSES_ZERO.has(name) ? 1e-12 * price : name === 'bb_percent_b' ? 1e-9 + percentBRounding(want, bandwidth) : 0;
  return Math.abs(got - want) <= 1e-9 * Math.abs(want) + floor;
}

/**
 * What rounding alone can move %B by: its numerator and denominator each carry a few ulps of the
 * price, divided by the band's width (bandwidth x middle), so a narrow band (a small stdDev on
 * a short window) amplifies them by 1 / bandwidth. Two sound computations differ by that much.
 */
function percentBRounding(percentB: number, bandwidth: number): number {
  return (16 * Number.EPSILON * (Math.abs(percentB) + 1)) / bandwidth;
}

function compareWithDefinitions(cfg: IndicatorConfig, bars: Bars, what: string): void {
  const got = run(cfg, bars);
  const want = expected(cfg, bars.h, bars.l, bars.c);
  for (const name of INDICATOR_NAMES) {
    const ref = want[name];
    const lookback = ref.findIndex((v) => v !== undefined);
    assert.ok(lookback >= 0, name);
    const first = got.findIndex((v) => v[name] !== undefined);
    assert.equal(first, lookback, `${what}: ${name}: first value at bar ${first}, TA-Lib's lookback is ${lookback}`);
    for (let i = lookback; i < bars.c.length; i++) {
      const g = got[i]![name];
      assert.ok(g !== undefined && near(name, g, ref[i]!, bars.c[i]!), `${what}: ${name} at bar ${i}: got ${g}, want ${ref[i]}`);
    }
  }
}

describe('IndicatorSet against TA-Lib definitions (independent whole-array loops), 1e-9 relative', () => {
  test('default periods, 2000 bars, every value from the first one on', () => compareWithDefinitions(DEFAULTS, series('walk', 2_000, 1), 'walk'));
  test('other periods and another series', () => compareWithDefinitions(CUSTOM, series('walk', 2_000, 2), 'walk'));

  for (const shape of SHAPES) {
    test(`${shape}: prices from 1e-8 to 1e9`, () => {
      for (const scale of SCALES) {
        for (const cfg of [DEFAULTS, CUSTOM]) compareWithDefinitions(cfg, series(shape, 800, 7 + scale, scale), `${shape} at ${scale}`);
      }
    });
  }

  test('never touches the library-wide precision setting, and RSI is not rounded', () => {
    const out = run(DEFAULTS, series('walk', 300, 3));
    assert.equal(getConfig('precision'), undefined);
    const rsis = out.map((v) => v.rsi).filter((v): v is number => v !== undefined);
    assert.ok(rsis.some((v) => Math.abs(v * 100 - Math.round(v * 100)) > 1e-6));
  });

  test('random periods, band widths, shapes and scales (property)', () => {
    const cfg = fc.record({
      rsi: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 1, max: 30 }) }),
      bollinger: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 2, max: 40 }), stdDev: fc.double({ min: 0.1, max: 4, noNaN: true }) }),
      sma: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 1, max: 40 }) }),
      ema: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 1, max: 60 }) }),
      macd: fc
        .record({ enabled: fc.constant(true), fast: fc.integer({ min: 1, max: 20 }), gap: fc.integer({ min: 1, max: 20 }), signal: fc.integer({ min: 1, max: 15 }) })
        .map(({ enabled, fast, gap, signal }) => ({ enabled, fast, slow: fast + gap, signal })),
      atr: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 1, max: 30 }) }),
      volatility: fc.record({ enabled: fc.constant(true), period: fc.integer({ min: 2, max: 30 }) }),
    });
    fc.assert(
      fc.property(cfg, fc.constantFrom(...SHAPES, 'tick' as const), fc.constantFrom(...SCALES), fc.integer({ min: 1, max: 1_000_000 }), (config, shape, scale, seed) => {
        compareWithDefinitions(config, series(shape, 300, seed, scale), `${shape} at ${scale}`);
      }),
      { numRuns: 60 },
    );
  });
});

// ---- the same values as technicalindicators used plainly ----

/**
 * Fails on the first bar where the set and the library disagree on which indicators have a value,
 * or on a value by more than 1e-9 relative. The library's %B is its own 0/0 (or a ratio of
 * rounding errors) where every close in the window is equal; there the set's convention (0.5) is
 * checked against the definitions above instead.
 */
function compareWithLibrary(cfg: IndicatorConfig, { h, l, c }: Bars, what: string): IndicatorValues {
  const set = new IndicatorSet(cfg);
  const plain = plainSet(cfg);
  let last: IndicatorValues = {};
  for (let i = 0; i < c.length; i++) {
    const bar = { high: h[i]!, low: l[i]!, close: c[i]! };
    const got = { ...set.update(bar) };
    const want = plain(bar);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: indicators reported at bar ${i}`);
    const window = c.slice(Math.max(0, i - cfg.bollinger.period + 1), i + 1);
    const flat = window.every((x) => x === c[i]);
    for (const k of Object.keys(want) as IndicatorName[]) {
      if (flat && (k === 'bb_percent_b' || k === 'bb_bandwidth')) continue;
      assert.ok(near(k, got[k]!, want[k]!, c[i]!, got.bb_bandwidth), `${what}: ${k} at bar ${i}: got ${got[k]}, the library gives ${want[k]}`);
    }
    last = got;
  }
  return last;
}

describe('IndicatorSet against technicalindicators used plainly, 1e-9 relative', () => {
  for (const shape of [...SHAPES, 'tick' as const]) {
    test(`${shape}: default and other periods, prices from 1e-8 to 1e9`, () => {
      for (const scale of SCALES) {
        const last = compareWithLibrary(DEFAULTS, series(shape, 600, 11 + scale, scale), `${shape} at ${scale}`);
        assert.deepEqual(Object.keys(last).sort(), [...INDICATOR_NAMES].sort()); // not vacuous
        compareWithLibrary(CUSTOM, series(shape, 600, 12 + scale, scale), `${shape} at ${scale}`);
      }
    });
  }

  test('random periods and enabled sets (property)', () => {
    const on = fc.boolean();
    const cfg = fc.record({
      rsi: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 30 }) }),
      bollinger: fc.record({ enabled: on, period: fc.integer({ min: 2, max: 40 }), stdDev: fc.double({ min: 0.1, max: 4, noNaN: true }) }),
      sma: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 40 }) }),
      ema: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 60 }) }),
      macd: fc
        .record({ enabled: on, fast: fc.integer({ min: 1, max: 20 }), gap: fc.integer({ min: 1, max: 20 }), signal: fc.integer({ min: 1, max: 15 }) })
        .map(({ enabled, fast, gap, signal }) => ({ enabled, fast, slow: fast + gap, signal })),
      atr: fc.record({ enabled: on, period: fc.integer({ min: 1, max: 30 }) }),
      volatility: fc.record({ enabled: on, period: fc.integer({ min: 2, max: 30 }) }),
    });
    fc.assert(
      fc.property(cfg, fc.constantFrom(...SHAPES), fc.constantFrom(...SCALES), fc.integer({ min: 1, max: 1_000_000 }), (config, shape, scale, seed) => {
        compareWithLibrary(config, series(shape, 300, seed, scale), `${shape} at ${scale}`);
      }),
      { numRuns: 60 },
    );
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
    const bars = series('walk', 100, 4);
    assert.deepEqual(Object.keys(run(cfg, bars).at(-1)!).sort(), ['atr', 'ema', 'sma']);
    const none = Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, { ...v, enabled: false }])) as unknown as IndicatorConfig;
    assert.deepEqual(run(none, bars).at(-1), {});
  });

  test('a flat market gives neutral, finite values (RSI 50, %B 0.5) where TA-Lib divides 0 by 0', () => {
    const flat = new Array<number>(60).fill(100);
    const want = {
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
    };
    assert.deepEqual(run(DEFAULTS, { h: flat, l: flat, c: flat }).at(-1), want);
  });

  test('a flat stretch after a move: bands collapse exactly (%B 0.5, bandwidth 0), volatility 0', () => {
    const moving = series('walk', 100, 9);
    const c = [...moving.c, ...new Array<number>(25).fill(123.456789)];
    const last = run(DEFAULTS, { h: c, l: c, c }).at(-1)!;
    assert.equal(last.bb_percent_b, 0.5);
    assert.equal(last.bb_bandwidth, 0);
    assert.equal(last.bb_middle, 123.456789);
    assert.equal(last.volatility, 0);
    assert.ok(last.rsi !== undefined && last.rsi !== 50, 'RSI remembers the move (Wilder smoothing)');
  });

  test('RSI is 100 on a rise without a fall and 0 on a fall without a rise', () => {
    const up = Array.from({ length: 30 }, (_, i) => 100 + i);
    assert.equal(run(DEFAULTS, { h: up, l: up, c: up }).at(-1)!.rsi, 100);
    const down = up.map((x) => 300 - x);
    assert.equal(run(DEFAULTS, { h: down, l: down, c: down }).at(-1)!.rsi, 0);
  });

  test('rejects parameters an indicator cannot use', () => {
    const bad = (patch: Partial<IndicatorConfig>) => () => new IndicatorSet({ ...DEFAULTS, ...patch });
    assert.throws(bad({ rsi: { enabled: true, period: 0 } }), RangeError);
    assert.throws(bad({ sma: { enabled: true, period: 2.5 } }), RangeError);
    assert.throws(bad({ macd: { enabled: true, fast: 26, slow: 12, signal: 9 } }), /macd.fast must be less than slow \(12\)/);
    assert.throws(bad({ volatility: { enabled: true, period: 1 } }), RangeError);
    assert.throws(bad({ bollinger: { enabled: true, period: 20, stdDev: 0 } }), RangeError);
    // Disabled indicators are not built, so their parameters do not matter.
    assert.doesNotThrow(bad({ rsi: { enabled: false, period: 0 } }));
  });

  test('update(bar, out) writes into out and leaves indicators still warming up untouched', () => {
    const { h, l, c } = series('tick', 30, 5);
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
  test('a warmed-up default slot keeps under 2 kB (the library used plainly took ~27 kB, patched ~11 kB)', async () => {
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'footprint'], {
      timeout: 120_000,
    });
    const r = JSON.parse(stdout) as { bytesPerSlot: number };
    // 83 doubles of state and 13 of values: ~770 bytes. Fails if per-slot objects come back.
    assert.ok(r.bytesPerSlot > 500 && r.bytesPerSlot < 2_000, `${r.bytesPerSlot} bytes per slot`);
  });
});
