/**
 * The native indicators of one (symbol, interval) on their own: an IndicatorBank of one slot,
 * answering by name. For tools and tests (bench/warm.ts, the oracle tests); the exporter's
 * symbols share one bank per feed (market/symbol.ts) and read values by position.
 */
import { IndicatorBank } from './bank.js';
import { NATIVE_OUTPUT_NAMES, type NativeIndicatorConfig, type NativeOutput } from './registry.js';

export type IndicatorValues = Partial<Record<NativeOutput, number>>;

export class IndicatorSet {
  private readonly bank: IndicatorBank;
  private readonly slot: number;
  private readonly values = new Float64Array(NATIVE_OUTPUT_NAMES.length).fill(NaN);

  /** Builds the enabled indicators; throws RangeError on a parameter the indicator cannot use. */
  constructor(cfg: NativeIndicatorConfig) {
    this.bank = new IndicatorBank(cfg, undefined, 1);
    this.slot = this.bank.alloc();
  }

  /**
   * Feed one closed bar; returns every enabled indicator that is past warm-up, written into `out`
   * when given (indicators still warming up leave their key in `out` untouched).
   */
  update(bar: { high: number; low: number; close: number }, out: IndicatorValues = {}): IndicatorValues {
    const v = this.values;
    this.bank.update(this.slot, bar, v);
    for (let i = 0; i < v.length; i++) if (v[i] === v[i]) out[NATIVE_OUTPUT_NAMES[i]!] = v[i]!;
    return out;
  }
}
