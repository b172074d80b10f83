/** Every venue's REST candles description, by the adapter key a feed's `venue` names. */
import { binanceRest, binanceUsdmRest } from './binance.js';
import { bybitLinearRest, bybitSpotRest } from './bybit.js';
import { coinbaseRest } from './coinbase.js';
import { krakenRest } from './kraken.js';
import { okxRest } from './okx.js';
import type { RestVenue } from './rest.js';

export const REST_VENUES: Readonly<Record<string, RestVenue>> = {
  binance: binanceRest,
  'binance-usdm': binanceUsdmRest,
  coinbase: coinbaseRest,
  kraken: krakenRest,
  okx: okxRest,
  bybit: bybitSpotRest,
  'bybit-linear': bybitLinearRest,
};
