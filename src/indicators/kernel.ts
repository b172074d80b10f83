/**
 * What a native indicator is: its registry entry (config key, parameters, outputs) and the kernel
 * that updates one slot of state. Config validation, defaults, the label values and both docs are
 * derived from these entries (registry.ts), so a new native indicator is one file and its test.
 */

/** One numeric parameter of an indicator, as the config file spells it. */
export interface ParamDef {
  readonly default: number;
  /** Inclusive bounds; `min` is exclusive when `minExclusive`. */
  readonly min: number;
  readonly max: number;
  readonly minExclusive?: boolean;
  /** Periods are integers; band widths are not. */
  readonly integer: boolean;
  /** Why the bounds are what they are, shown in docs/config.md when they are not the usual 1..100000. */
  readonly rule?: string;
}

/** One `market_indicator{indicator=...}` label value and what it means (docs/metrics.md). */
export interface OutputDef {
  readonly name: string;
  readonly meaning: string;
}

/**
 * The state of one (symbol, interval) for one indicator lives in `words` doubles of a shared
 * Float64Array, from `at` on; a kernel keeps nothing per slot elsewhere, so an update allocates
 * nothing and a thousand slots are one array, not a thousand object graphs.
 */
export interface Kernel {
  readonly words: number;
  /** Make `s[at .. at + words)` a fresh, empty history. */
  init(s: Float64Array, at: number): void;
  /**
   * Feed one closed bar, `bar` = [high, low, close]; once past warm-up, write the outputs into
   * `out[o ..]` in the entry's output order (before that, leave them as they are). The bar comes
   * in an array rather than as three numbers: a double passed to a call V8 does not inline is
   * boxed, an allocation per argument per update.
   */
  update(s: Float64Array, at: number, bar: Float64Array, out: Float64Array, o: number): void;
}

export interface NativeIndicator<K extends string = string, P extends string = string, O extends string = string> {
  /** The key under `indicators:` in the config. */
  readonly key: K;
  /** One line for docs/config.md. */
  readonly summary: string;
  readonly params: { readonly [p in P]: ParamDef };
  readonly outputs: readonly (OutputDef & { readonly name: O })[];
  /**
   * Constraints between parameters: the parameter to blame (one the file set, per `inFile`, so a
   * clash with a default points at what the user wrote) and what it should be; undefined if none.
   */
  check?(p: Readonly<Record<P, number>>, inFile: (param: P) => boolean): { param: P; expected: string } | undefined;
  /** A kernel for these (validated) parameters. */
  kernel(p: Readonly<Record<P, number>>): Kernel;
}

/** Keeps the literal key, parameter and output names for the derived config and label types. */
export function native<const K extends string, const P extends string, const O extends string>(
  def: NativeIndicator<K, P, O>,
): NativeIndicator<K, P, O> {
  return def;
}

/** A period as the usual rule has it: an integer from `min` to 100000. */
export function period(dflt: number, min = 1, rule?: string): ParamDef {
  return { default: dflt, min, max: 100_000, integer: true, ...(rule ? { rule } : {}) };
}

/**
 * The guard a kernel constructor runs: validation checks the config, but an IndicatorSet built
 * directly with a bad period would silently never warm up (0, NaN), so fail early and clearly.
 */
export function requireParams(key: string, params: Readonly<Record<string, ParamDef>>, p: Readonly<Record<string, number>>): void {
  for (const [name, d] of Object.entries(params)) {
    const v = p[name];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!d.integer || Number.isInteger(v)) &&
      (d.minExclusive ? v > d.min : v >= d.min) &&
      v <= d.max;
    if (!ok) throw new RangeError(`${key}.${name} must be ${d.integer ? 'an integer' : 'a number'} ${d.minExclusive ? '>' : '>='} ${d.min} and <= ${d.max}, got ${v}`);
  }
}
