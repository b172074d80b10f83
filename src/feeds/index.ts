/** Every venue adapter, by the `venue` key a config uses. One file per venue beside this one. */
import { binance, createBinanceAdapter } from './binance.js';
import { bybit, bybitLinear } from './bybit.js';
import { coinbase } from './coinbase.js';
import { generic } from './generic.js';
import { kraken } from './kraken.js';
import { okx } from './okx.js';
import type { Adapter } from './types.js';

/** The venue key of the in-process simulator: it speaks Binance's format. */
export const SIMULATOR_VENUE = 'simulator';

export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  binance,
  coinbase,
  kraken,
  okx,
  bybit,
  'bybit-linear': bybitLinear,
  generic,
  // No default URL: main starts the simulator and passes its ws://127.0.0.1:PORT as the feed URL.
  [SIMULATOR_VENUE]: createBinanceAdapter(SIMULATOR_VENUE, ''),
};
