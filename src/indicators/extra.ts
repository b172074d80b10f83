/**
 * Extra indicators: technicalindicators' streaming classes, used plainly (constructed with empty
 * inputs and an identity format, fed with `nextValue`), for indicators a config names under
 * `extraIndicators`. They are objects per instance, ~1-22 kB each with an allocation per update,
 * so unlike the native set they are enabled per feed or symbol list and capped by
 * `extraIndicators.maxInstances` (one instance = one indicator on one symbol's interval).
 *
 * Whatever the library answers is exported as it is (MFI, for one, rounds to 2 decimals); a
 * value it does not give (warm-up) leaves the series absent.
 *
 * Some of its classes never free what their windows shift out (the library's LinkedList keeps a
 * pointer to every removed node: ~130-190 bytes per update, for ever). Those have a finite
 * `window`: their output depends on the last `window` bars only, so every few windows the
 * instance is replaced by a fresh one fed those bars again, and what the old one held goes with
 * it. Same values (to rounding), bounded memory, and the library is left as it is.
 */
import { ADX, CCI, MFI, OBV, PSAR, Stochastic, TRIX, WilliamsR } from 'technicalindicators';
import { period, requireParams, type OutputDef, type ParamDef } from './kernel.js';

/** What an extra instance is fed: the closed bar. */
export interface ExtraBar {
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface ExtraInstance {
  /** Feed one bar; write the outputs the library gave into `out[o ..]`. */
  update(bar: ExtraBar, out: Float64Array, o: number): void;
}

export interface ExtraIndicator {
  readonly key: string;
  readonly summary: string;
  readonly params: Readonly<Record<string, ParamDef>>;
  readonly outputs: readonly OutputDef[];
  /**
   * For a class that grows per update: the bars its output depends on, after which it is
   * rebuilt (see above). Undefined: it stays the size it is.
   */
  window?(p: Readonly<Record<string, number>>): number;
  /**
   * Heap bytes one warm instance keeps at most (Node 24, default parameters, measured after
   * 100 to 3,000 bars; a rebuilt class varies with the bars since its last rebuild), for docs/config.md and the choice of maxInstances;
   * test/indicators/extra.test.ts checks a measure stays under it.
   */
  readonly bytesPerInstance: number;
  create(p: Readonly<Record<string, number>>): ExtraInstance;
}

const identity = (v: number): number => v;
const HLC = { high: [], low: [], close: [], format: identity };

/** The library's declared `nextValue` types are not all what it reads; this is what it reads. */
interface Streaming<R> {
  nextValue(input: unknown): R | undefined;
}
const streaming = <R>(ind: object): Streaming<R> => ind as Streaming<R>;

/** A library indicator with one numeric output. */
function single(make: (p: Readonly<Record<string, number>>) => object, input: (b: ExtraBar) => unknown) {
  return (p: Readonly<Record<string, number>>): ExtraInstance => {
    const ind = streaming<number>(make(p));
    return {
      update(bar, out, o) {
        const v = ind.nextValue(input(bar));
        if (typeof v === 'number') out[o] = v;
      },
    };
  };
}
const hlc = (b: ExtraBar) => ({ high: b.high, low: b.low, close: b.close });
const hlcv = (b: ExtraBar) => ({ high: b.high, low: b.low, close: b.close, volume: b.volume });

export const EXTRA_INDICATORS: readonly ExtraIndicator[] = [
  {
    key: 'stochastic',
    summary: 'Stochastic oscillator %K and its SMA %D',
    params: { period: period(14), signalPeriod: period(3) },
    outputs: [
      { name: 'stoch_k', meaning: 'Stochastic %K: (close - lowest low) / (highest high - lowest low) x 100' },
      { name: 'stoch_d', meaning: 'Stochastic %D: SMA(signalPeriod) of %K' },
    ],
    window: (p) => p.period! + p.signalPeriod! - 1,
    bytesPerInstance: 22_000,
    create: (p) => {
      const ind = streaming<{ k: number; d?: number }>(new Stochastic({ ...HLC, period: p.period!, signalPeriod: p.signalPeriod! }));
      return {
        update(bar, out, o) {
          const v = ind.nextValue(hlc(bar));
          if (v === undefined) return;
          out[o] = v.k;
          if (v.d !== undefined) out[o + 1] = v.d;
        },
      };
    },
  },
  {
    key: 'adx',
    summary: 'Average directional index with +DI and -DI',
    params: { period: period(14) },
    outputs: [
      { name: 'adx', meaning: 'Average directional index (Wilder)' },
      { name: 'adx_plus_di', meaning: 'ADX +DI: positive directional indicator' },
      { name: 'adx_minus_di', meaning: 'ADX -DI: negative directional indicator' },
    ],
    bytesPerInstance: 11_000,
    create: (p) => {
      const ind = streaming<{ adx: number; pdi: number; mdi: number }>(new ADX({ ...HLC, period: p.period! }));
      return {
        update(bar, out, o) {
          const v = ind.nextValue(hlc(bar));
          if (v === undefined) return;
          out[o] = v.adx;
          out[o + 1] = v.pdi;
          out[o + 2] = v.mdi;
        },
      };
    },
  },
  {
    key: 'cci',
    summary: 'Commodity channel index',
    params: { period: period(20) },
    outputs: [{ name: 'cci', meaning: 'Commodity channel index of the typical price' }],
    window: (p) => p.period!,
    bytesPerInstance: 16_000,
    create: single((p) => new CCI({ ...HLC, period: p.period! }), hlc),
  },
  {
    key: 'obv',
    summary: 'On-balance volume',
    params: {},
    outputs: [{ name: 'obv', meaning: 'On-balance volume: bar volume summed with the sign of the close change' }],
    bytesPerInstance: 1_500,
    create: single(() => new OBV({ close: [], volume: [], format: identity }), (b) => ({ close: b.close, volume: b.volume })),
  },
  {
    key: 'mfi',
    summary: 'Money flow index',
    params: { period: period(14) },
    outputs: [{ name: 'mfi', meaning: 'Money flow index, 0-100 (the library rounds it to 2 decimals)' }],
    // Its first bar only primes it, the second gives the first typical price, then `period` flows.
    window: (p) => p.period! + 2,
    bytesPerInstance: 16_000,
    create: single((p) => new MFI({ ...HLC, volume: [], period: p.period! }), hlcv),
  },
  {
    key: 'williamsr',
    summary: 'Williams %R',
    params: { period: period(14) },
    outputs: [{ name: 'williams_r', meaning: 'Williams %R: (highest high - close) / (highest high - lowest low) x -100' }],
    window: (p) => p.period!,
    bytesPerInstance: 15_000,
    create: single((p) => new WilliamsR({ ...HLC, period: p.period! }), hlc),
  },
  {
    key: 'psar',
    summary: 'Parabolic stop and reverse',
    params: {
      step: { default: 0.02, min: 0, minExclusive: true, max: 1, integer: false },
      max: { default: 0.2, min: 0, minExclusive: true, max: 1, integer: false },
    },
    outputs: [{ name: 'psar', meaning: 'Parabolic SAR (step, max acceleration)' }],
    bytesPerInstance: 1_500,
    create: single((p) => new PSAR({ high: [], low: [], step: p.step!, max: p.max!, format: identity }), (b) => ({ high: b.high, low: b.low })),
  },
  {
    key: 'trix',
    summary: 'TRIX: rate of change of a triple EMA',
    params: { period: period(18) },
    outputs: [{ name: 'trix', meaning: 'TRIX: 1-bar percent change of EMA(EMA(EMA(close)))' }],
    bytesPerInstance: 12_000,
    create: single((p) => new TRIX({ values: [], period: p.period!, format: identity }), (b) => b.close),
  },
];

export const EXTRA_BY_KEY: ReadonlyMap<string, ExtraIndicator> = new Map(EXTRA_INDICATORS.map((d) => [d.key, d]));

/** Every label value an extra indicator can write (a closed set, like the native one). */
export const EXTRA_OUTPUT_NAMES: readonly string[] = EXTRA_INDICATORS.flatMap((d) => d.outputs.map((o) => o.name));

/** An instance for a configured entry; throws RangeError on parameters validation would refuse. */
export function createExtra(key: string, p: Readonly<Record<string, number>>): ExtraInstance {
  const d = EXTRA_BY_KEY.get(key);
  if (!d) throw new RangeError(`unknown extra indicator ${key}`);
  requireParams(key, d.params, p);
  const window = d.window?.(p);
  return window === undefined ? d.create(p) : new Renewed(d, p, window);
}

/** Bars between rebuilds: a few windows, so the replay costs a fraction of the updates. */
export const renewEvery = (window: number): number => Math.max(64, 4 * window);

/** An instance of a growing class, replaced by a fresh one fed the last `window` bars every renewEvery bars. */
class Renewed implements ExtraInstance {
  private inner: ExtraInstance;
  /** The last `window` bars, high/low/close/volume each. */
  private readonly ring: Float64Array;
  private pos = 0;
  private seen = 0;
  private sinceRenew = 0;
  private readonly every: number;
  private readonly scratch = new Float64Array(8);

  constructor(
    private readonly def: ExtraIndicator,
    private readonly params: Readonly<Record<string, number>>,
    private readonly window: number,
  ) {
    this.inner = def.create(params);
    this.ring = new Float64Array(window * 4);
    this.every = renewEvery(window);
  }

  update(bar: ExtraBar, out: Float64Array, o: number): void {
    const r = this.ring;
    const at = this.pos * 4;
    r[at] = bar.high;
    r[at + 1] = bar.low;
    r[at + 2] = bar.close;
    r[at + 3] = bar.volume;
    this.pos = this.pos + 1 === this.window ? 0 : this.pos + 1;
    this.seen++;
    if (++this.sinceRenew >= this.every && this.seen >= this.window) {
      this.sinceRenew = 0;
      // The fresh instance sees the same last `window` bars, this one included, so it answers now.
      this.inner = this.def.create(this.params);
      this.scratch.fill(NaN);
      for (let i = 0; i < this.window; i++) {
        const b = ((this.pos + i) % this.window) * 4;
        this.inner.update({ high: r[b]!, low: r[b + 1]!, close: r[b + 2]!, volume: r[b + 3]! }, this.scratch, 0);
      }
      for (let i = 0; i < this.def.outputs.length; i++) if (this.scratch[i] === this.scratch[i]) out[o + i] = this.scratch[i]!;
      return;
    }
    this.inner.update(bar, out, o);
  }
}
