/**
 * The indicator state of many (symbol, interval) slots. Native indicators keep their state in
 * Float64Arrays: a slot is `stride` doubles (every enabled kernel's words, one after the other),
 * in chunks of `chunkSlots` slots, so 10,000 symbols are a few dozen arrays that the collector
 * never walks, and a bar's update touches one contiguous record and allocates nothing. Chunks
 * rather than one growing array: a slot is made at its first closed bar (a symbol that never
 * closes one costs nothing), without copying or over-allocating the others.
 *
 * Extra indicators (extra.ts) are library objects per slot, made only for the symbols a config
 * names and never more than `maxInstances` per bank; refusals are counted in `extraRefused`.
 */
import type { ExtraIndicatorsConfig } from '../config/types.js';
import { EXTRA_BY_KEY, createExtra, type ExtraBar, type ExtraInstance } from './extra.js';
import { enabledKernels, NATIVE_OUTPUT_NAMES, type NativeIndicatorConfig } from './registry.js';
import type { Kernel } from './kernel.js';

/** Which extras a symbol runs, and the label values of all its indicator outputs. */
export interface ExtraPlan {
  /** NATIVE_OUTPUT_NAMES, then each extra's outputs: the `indicator` label value of each value. */
  readonly names: readonly string[];
  readonly entries: readonly { readonly key: string; readonly params: Readonly<Record<string, number>>; readonly out: number }[];
}

/** A closed bar as the native indicators read it. */
export interface HLC {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

const NO_EXTRAS: ExtraPlan = { names: NATIVE_OUTPUT_NAMES, entries: [] };

export const DEFAULT_CHUNK_SLOTS = 256;

export class IndicatorBank {
  /** Doubles per slot. */
  readonly stride: number;
  private readonly kernels: readonly Kernel[];
  /** Per kernel: where its words start in a slot, and where its outputs go. */
  private readonly at: Int32Array;
  private readonly out: Int32Array;
  private readonly chunks: Float64Array[] = [];
  private slots = 0;
  /** The bar being fed, as the kernels read it (see Kernel.update). */
  private readonly hlc = new Float64Array(3);
  private readonly plans = new Map<string, ExtraPlan>();
  private extraInstances = 0;
  /** Extra instances not made because the bank held maxInstances. */
  extraRefused = 0;

  /** Throws RangeError on parameters an enabled indicator cannot use. */
  constructor(
    indicators: NativeIndicatorConfig,
    private readonly extra: ExtraIndicatorsConfig = { maxInstances: 0, indicators: [] },
    private readonly chunkSlots = DEFAULT_CHUNK_SLOTS,
  ) {
    const placed = enabledKernels(indicators);
    this.kernels = placed.map((p) => p.kernel);
    this.at = new Int32Array(placed.length);
    this.out = Int32Array.from(placed, (p) => p.out);
    let stride = 0;
    placed.forEach((p, i) => {
      this.at[i] = stride;
      stride += p.kernel.words;
    });
    this.stride = stride;
    for (const e of extra.indicators) if (!EXTRA_BY_KEY.has(e.indicator)) throw new RangeError(`unknown extra indicator ${e.indicator}`);
  }

  /** Slots handed out so far. */
  get size(): number {
    return this.slots;
  }

  /** A fresh slot (an empty history for every enabled native indicator). */
  alloc(): number {
    const slot = this.slots++;
    const c = Math.floor(slot / this.chunkSlots);
    if (c === this.chunks.length) this.chunks.push(new Float64Array(this.chunkSlots * this.stride));
    const s = this.chunks[c]!;
    const base = (slot % this.chunkSlots) * this.stride;
    for (let i = 0; i < this.kernels.length; i++) this.kernels[i]!.init(s, base + this.at[i]!);
    return slot;
  }

  /**
   * Feed slot `slot` one closed bar; every native indicator past warm-up writes its outputs into
   * `out` at its place in NATIVE_OUTPUT_NAMES (the others leave theirs as they were).
   */
  update(slot: number, bar: HLC, out: Float64Array): void {
    const s = this.chunks[Math.floor(slot / this.chunkSlots)]!;
    const base = (slot % this.chunkSlots) * this.stride;
    const hlc = this.hlc;
    hlc[0] = bar.high;
    hlc[1] = bar.low;
    hlc[2] = bar.close;
    const ks = this.kernels;
    for (let i = 0; i < ks.length; i++) ks[i]!.update(s, base + this.at[i]!, hlc, out, this.out[i]!);
  }

  /** The extras configured for `symbol` of feed `exchange`; symbols with the same set share one plan. */
  planFor(exchange: string, symbol: string): ExtraPlan {
    const picked = this.extra.indicators.filter(
      (e) => (e.feeds === undefined || e.feeds.includes(exchange)) && (e.symbols === undefined || e.symbols.includes(symbol)),
    );
    if (picked.length === 0) return NO_EXTRAS;
    const id = picked.map((e) => e.indicator).join(',');
    let plan = this.plans.get(id);
    if (plan) return plan;
    const names: string[] = [...NATIVE_OUTPUT_NAMES];
    const entries = picked.map((e) => {
      const out = names.length;
      names.push(...EXTRA_BY_KEY.get(e.indicator)!.outputs.map((o) => o.name));
      return { key: e.indicator, params: e.params, out };
    });
    plan = { names, entries };
    this.plans.set(id, plan);
    return plan;
  }

  /**
   * One slot's extra instances for `plan`, or none when they would take the bank past
   * maxInstances (counted in extraRefused, so a config that slipped past validation, or a
   * reload's leftovers, cannot grow without bound).
   */
  createExtras(plan: ExtraPlan): ExtraInstance[] {
    const n = plan.entries.length;
    if (n === 0) return [];
    if (this.extraInstances + n > this.extra.maxInstances) {
      this.extraRefused += n;
      return [];
    }
    this.extraInstances += n;
    return plan.entries.map((e) => createExtra(e.key, e.params));
  }
}

/** Feeds `bar` to a slot's extras; their outputs follow the natives' in `out`, as the plan laid them. */
export function updateExtras(plan: ExtraPlan, extras: readonly ExtraInstance[], bar: ExtraBar, out: Float64Array): void {
  for (let i = 0; i < extras.length; i++) extras[i]!.update(bar, out, plan.entries[i]!.out);
}
