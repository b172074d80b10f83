/**
 * The native indicators, in label order. Everything else about them is derived from this list:
 * the config keys and their validation (config/validate.ts), the defaults (config/defaults.ts),
 * the `indicator` label values (metrics/catalog.ts INDICATOR_NAMES) and both docs. To add one,
 * write its file beside these (an entry made with `native()`), list it here, and test it.
 */
import { atr } from './atr.js';
import { bollinger } from './bollinger.js';
import { ema } from './ema.js';
import { requireParams, type Kernel, type NativeIndicator } from './kernel.js';
import { macd } from './macd.js';
import { rsi } from './rsi.js';
import { sma } from './sma.js';
import { volatility } from './volatility.js';

export const NATIVE_INDICATORS = [rsi, bollinger, sma, ema, macd, atr, volatility] as const;

type Native = (typeof NATIVE_INDICATORS)[number];
export type NativeKey = Native['key'];
/** Every label value a native indicator writes, in order. */
export type NativeOutput = Native['outputs'][number]['name'];

type ParamsOf<D> = D extends NativeIndicator<string, infer P, string> ? { [p in P]: number } : never;
/** `indicators:` of the config: each native indicator's `enabled` and parameters. */
export type NativeIndicatorConfig = { [D in Native as D['key']]: { enabled: boolean } & ParamsOf<D> };

export const NATIVE_OUTPUT_NAMES = NATIVE_INDICATORS.flatMap((d) => d.outputs.map((o) => o.name)) as readonly NativeOutput[];

/** Every native indicator on, with its default parameters (TA-Lib's customary periods). */
export function defaultNativeConfig(): NativeIndicatorConfig {
  const out: Record<string, Record<string, unknown>> = {};
  for (const d of NATIVE_INDICATORS) {
    const entry: Record<string, unknown> = { enabled: true };
    for (const [p, def] of Object.entries(d.params)) entry[p] = def.default;
    out[d.key] = entry;
  }
  return out as NativeIndicatorConfig;
}

/** An enabled indicator's kernel and where its outputs go among NATIVE_OUTPUT_NAMES. */
export interface Placed {
  readonly kernel: Kernel;
  readonly out: number;
}

/**
 * Kernels for the enabled indicators of `cfg`; throws RangeError on parameters a kernel cannot
 * use (validation reports those first; this guards direct construction).
 */
export function enabledKernels(cfg: NativeIndicatorConfig): Placed[] {
  const placed: Placed[] = [];
  let out = 0;
  for (const d of NATIVE_INDICATORS as readonly NativeIndicator[]) {
    const c = (cfg as unknown as Record<string, { enabled: boolean } & Record<string, number>>)[d.key]!;
    if (c.enabled) {
      requireParams(d.key, d.params, c);
      const bad = d.check?.(c, () => true);
      if (bad) throw new RangeError(`${d.key}.${bad.param} must be ${bad.expected}, got ${c[bad.param]}`);
      placed.push({ kernel: d.kernel(c), out });
    }
    out += d.outputs.length;
  }
  return placed;
}
