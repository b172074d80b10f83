/** Every venue adapter, by the `venue` key a config uses. One file per venue beside this one. */
import { binance } from './binance.js';
import { binanceUsdm } from './binance-usdm.js';
import { bybit, bybitLinear } from './bybit.js';
import { coinbase } from './coinbase.js';
import { generic } from './generic.js';
import { kraken } from './kraken.js';
import { okx } from './okx.js';
import type { Adapter } from './types.js';

export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  binance,
  coinbase,
  kraken,
  okx,
  bybit,
  'bybit-linear': bybitLinear,
  generic,
  'binance-usdm': binanceUsdm,
};
