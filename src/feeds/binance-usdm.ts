/**
 * Binance USD-M futures market streams (venue `binance-usdm`): the spot adapter's protocol
 * (combined `/stream` endpoint, SUBSCRIBE frames, `aggTrade` and `bookTicker` payloads, error
 * frames) plus the mark-price stream of perpetuals. Pure: frames in, events out.
 *
 * Source: Binance derivatives docs, USDⓈ-M futures, "Websocket Market Streams" (connect, limits)
 * and "Mark Price Stream" (developers.binance.com/docs/derivatives/usds-margined-futures/
 * websocket-market-streams/Mark-Price-Stream, read 2026):
 * - `<symbol>@markPrice` (every 3 s) or `<symbol>@markPrice@1s` (every second) push
 *   `{"e":"markPriceUpdate","E":<event ms>,"s":"BTCUSDT","p":"<mark>","i":"<index>",
 *   "P":"<estimated settle price>","r":"<funding rate>","T":<next funding ms>}`.
 * - "A single connection can listen to a maximum of 1024 streams", "10 incoming messages per
 *   second", "only valid for 24 hours".
 * - fstream.binance.com routes streams by path: `/market` carries regular market data (aggTrade,
 *   markPrice), `/public` the high-frequency book streams; a connection on the wrong path gets
 *   nothing and no error. The default URL is therefore the `/market` path.
 *
 * Decisions worth knowing:
 * - Spot has no mark price; a feed of this venue pointed at the spot host is refused at config
 *   load (validateOptions), since it would subscribe streams spot silently never sends.
 * - `r` is "" and `T` is 0 for delivery (dated) contracts: no funding, so neither is reported
 *   (only mark and index), rather than a 0 that would read as "funding of zero, due in 1970".
 * - `P` (estimated settle price) is not exported: only meaningful in the hour before a delivery.
 * - Frames without `"markPriceUpdate"` in them go to the spot parser unchanged: the substring
 *   test costs less than parsing twice.
 */
import { createBinanceAdapter } from './binance.js';
import { decimal, err, isObj, jsonObject, preview, show, type Obj } from './frame.js';
import { splitUsdmPerpetual } from './instrument.js';
import type { Adapter, MarkEvent, MarketEvent, OptionProblem, VenueLimits } from './types.js';

/** The `/market` route of the USD-M stream host (aggTrade, markPrice). */
export const BINANCE_USDM_URL = 'wss://fstream.binance.com/market';

export const BINANCE_USDM_CHANNELS = ['markPrice@1s', 'markPrice', 'aggTrade', 'bookTicker'] as const;
/** Mark price every second and aggregate trades: both on the `/market` route. */
export const BINANCE_USDM_DEFAULT_CHANNELS = ['markPrice@1s', 'aggTrade'] as const;

/** "Websocket Market Streams": 1024 streams, 10 incoming messages a second, 24 h per connection. */
export const BINANCE_USDM_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 1024,
  maxLifetimeMs: 24 * 60 * 60_000,
  outgoingPerSecond: 10,
});

/** Spot stream hosts: they never send a mark price. */
const SPOT_HOSTS = ['stream.binance.com', 'data-stream.binance.vision'];

function mark(d: Obj): MarketEvent {
  const s = d.s;
  if (typeof s !== 'string' || typeof d.p !== 'string') return err('malformed_frame', 'markPriceUpdate payload lacks s or p');
  const time = d.E;
  if (typeof time !== 'number' || !(time > 0 && time < Infinity)) return err('invalid_timestamp', `markPriceUpdate ${s} has no usable E`);
  const markPrice = +d.p;
  const indexPrice = decimal(d.i);
  const fundingRate = decimal(d.r);
  const bad = (x: number | undefined) => x !== undefined && !(x > 0 && x < Infinity);
  if (bad(markPrice) || bad(indexPrice) || (fundingRate !== undefined && !(fundingRate > -Infinity && fundingRate < Infinity))) {
    return err('invalid_price', `markPriceUpdate ${s} p ${show(d.p)} i ${show(d.i)} r ${show(d.r)}`);
  }
  const ev: MarkEvent = { kind: 'mark', symbol: s, markPrice, eventTime: time };
  if (indexPrice !== undefined) ev.indexPrice = indexPrice;
  // Delivery contracts: r "" and T 0, no funding at all.
  if (fundingRate !== undefined) ev.fundingRate = fundingRate;
  if (typeof d.T === 'number' && d.T > 0 && d.T < Infinity) ev.nextFundingTime = d.T;
  return ev;
}

const spot = createBinanceAdapter('binance-usdm', BINANCE_USDM_URL);

function parse(frame: string): MarketEvent[] {
  if (!frame.includes('"markPriceUpdate"')) return spot.parse(frame);
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  const d = typeof msg.stream === 'string' ? msg.data : msg;
  if (!isObj(d) || d.e !== 'markPriceUpdate') return [err('unknown_message', `unrecognised frame: ${preview(frame)}`)];
  return [mark(d)];
}

function validateOptions(_options: Readonly<Record<string, unknown>>, feed: { readonly url?: string }): OptionProblem[] {
  if (feed.url === undefined) return [];
  let host: string;
  try {
    host = new URL(feed.url).hostname;
  } catch {
    return []; // the url check reports it
  }
  return SPOT_HOSTS.includes(host)
    ? [{ path: ['url'], message: `${host} is Binance spot, which has no mark price or funding; binance-usdm streams come from ${BINANCE_USDM_URL}` }]
    : [];
}

// Spot's book syncs against /api/v3/depth by spot's sequence rule; futures books (/fapi/v1/depth,
// `pu`) are not built, so a `book:` on this venue is refused at config load.
const { book: _spotBook, ...spotWithoutBook } = spot;

/** Binance USD-M futures (perpetuals and quarterlies). */
export const binanceUsdm: Adapter = {
  ...spotWithoutBook,
  limits: BINANCE_USDM_LIMITS,
  channels: BINANCE_USDM_CHANNELS,
  defaultChannels: BINANCE_USDM_DEFAULT_CHANNELS,
  // Perpetuals BTCUSDT; quarterlies BTCUSDT_240628.
  symbolSpelling: { pattern: /^[A-Z0-9]+(_[0-9]{6})?$/, example: 'BTCUSDT' },
  // A perpetual, never compared with the spot pair of the same name.
  instrumentOf: splitUsdmPerpetual,
  parse,
  validateOptions,
};
