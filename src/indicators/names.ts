/**
 * The native indicators' label values of `market_indicator`, in the order of registry.ts, here
 * rather than in src/metrics so that the market state (which keeps a value per name) never imports
 * the metrics layer; catalog.ts re-exports them. Closed set; which are exported depends on config.
 * Extra indicators add theirs (EXTRA_OUTPUT_NAMES), per symbol, where a config names them.
 */
import { NATIVE_OUTPUT_NAMES, type NativeOutput } from './registry.js';

export const INDICATOR_NAMES: readonly IndicatorName[] = NATIVE_OUTPUT_NAMES;
export type IndicatorName = NativeOutput;
