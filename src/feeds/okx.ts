/**
 * OKX v5 public WebSocket: `trades` and `tickers` channels, and for swaps `mark-price` and
 * `funding-rate` ("WS / Mark price channel", "WS / Funding rate channel" of the public data
 * section), over wss://ws.okx.com:8443/ws/v5/public.
 * Pure: frames in, events out.
 *
 * Sources (OKX API v5 docs, www.okx.com/docs-v5/en/, read 2026): "Overview > WebSocket > Connect"
 * (#overview-websocket-connect: connection limit, 480 subscribes per hour, the 30 s rule and the
 * text ping), "Subscribe" (#overview-websocket-subscribe: the 64 KB rule), "Notification"
 * (#overview-websocket-notification: `event: notice`), the 2024-12 changelog entry for code 64008,
 * "WS / Trades channel" and "WS / Tickers channel" (#order-book-trading-market-data-ws-...), and
 * the WebSocket public error codes (60004-60028).
 *
 * Decisions worth knowing:
 * - No `seq`. A `trades` push aggregates every match of one taker order at one price: `tradeId`
 *   is the LAST id of the aggregation and `count` says how many ids it covers, so consecutive
 *   pushes jump by `count` and a per-event number would report every multi-match order as a gap.
 *   (`seqId` "may be the same for different trade updates that occur at the same time", so it is
 *   not consecutive either.) Counting gaps needs a range-aware check (first id = tradeId - count
 *   + 1); see docs/venues.md. Tickers carry no sequence at all.
 * - Text `ping`/`pong`: OKX closes a connection that has had no push for 30 s, and answers the
 *   text `ping` with the text `pong`. The adapter pings every 20 s; the `pong` is checked by string
 *   comparison before any JSON.parse. The answer echoes nothing, and one adapter serves every
 *   connection of a feed, so the pong carries no `sentAt` (no app-level round trip); the
 *   WebSocket protocol ping still measures one, and the pong keeps the connection alive.
 * - `event: notice` with code 64008 ("The connection will soon be closed for a service upgrade")
 *   arrives shortly before OKX drops the connection: a NoticeEvent asking for a reconnect with
 *   reason `venue_notice`, so we move to a new connection before the old one goes, and a
 *   VenueStatusEvent `restart_announced` (venue-status.ts).
 * - Error events answer our subscribe frames (the only frames we send besides `ping`):
 *   - 60018 ("channel:tickers,instId:X doesn't exist") refuses ONE instrument; OKX keeps the other
 *     subscriptions of the frame flowing. It is `subscribe_failed` without a reconnect:
 *     reconnecting cannot fix a misspelt symbol and would cut every other symbol off, and the 480
 *     subscribes per hour would soon run out. The symbol's series go stale, and
 *     market_feed_errors_total{type="subscribe_failed"} says why.
 *   - 60012/60013/60019/60027 (invalid request, args, op, empty parameter) and 60008/60028/64001/
 *     64002 (channel not served by this URL) refuse the frame: `subscribe_failed` with a reconnect
 *     (the socket carries nothing; OKX would close it after 30 s anyway).
 *   - 60014 ("requests too frequent") and other codes are `venue_error` without a reconnect:
 *     reconnecting would only add requests.
 * - A ticker field that is "" (OKX's empty value, e.g. no ask before the open) is left out of
 *   the quote rather than rejected; a present value must be a finite number > 0 (sizes >= 0).
 */
import { decimal, err, isObj, jsonObject, type Obj, preview, show, textLevels } from './frame.js';
import type { Adapter, BookSupport, ErrorEvent, MarkEvent, MarketEvent, QuoteEvent, VenueLimits } from './types.js';
import { okxNotice } from './venue-status.js';
import { splitOkx } from './instrument.js';

/** The public endpoint (production). Demo trading: wss://wspap.okx.com:8443/ws/v5/public. */
export const OKX_URL = 'wss://ws.okx.com:8443/ws/v5/public';

/** `mark-price` and `funding-rate` are for swaps (BTC-USDT-SWAP): opt-in. */
export const OKX_CHANNELS = ['trades', 'tickers', 'mark-price', 'funding-rate'] as const;
export const OKX_DEFAULT_CHANNELS = ['trades', 'tickers'] as const;

/**
 * "The total length of multiple channels cannot exceed 64 KB" (Subscribe). Frames are cut at
 * 60 000 characters of JSON, so even the 1000 streams of a full connection fit in one frame: the
 * fewer frames, the less of the 480-subscribes-per-hour budget a reconnect spends.
 */
export const OKX_MAX_SUBSCRIBE_CHARS = 60_000;

/**
 * - streamsPerConnection: OKX documents no per-connection count for public channels, only the
 *   64 KB subscribe length. 1000 is our choice: 1000 args of {"channel":"tickers","instId":...}
 *   stay under 64 KB even if the limit counts per connection rather than per request.
 * - connectAttempts: "Connection limit: 3 requests per second (based on IP)".
 * - No documented lifetime; the 30 s no-push rule is handled by the app ping below.
 */
export const OKX_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 1000,
  connectAttempts: Object.freeze({ count: 3, windowMs: 1_000 }),
});

/** Under OKX's 30 s, with room for a lost ping ("N is less than 30"). */
export const OKX_PING_INTERVAL_MS = 20_000;

/** Codes that refuse a whole subscribe frame (the socket then carries nothing). */
const FRAME_REFUSED = new Set(['60008', '60012', '60013', '60019', '60027', '60028', '64001', '64002']);
/** "channel:X,instId:Y doesn't exist": one argument refused, the rest of the frame stands. */
const ARG_REFUSED = '60018';
/** "The connection will soon be closed for a service upgrade. Please reconnect." */

/** OKX sends every number as a string; "" means "no value". */

function trade(d: Obj): MarketEvent {
  const s = d.instId;
  const px = d.px;
  const sz = d.sz;
  if (typeof s !== 'string' || typeof px !== 'string' || typeof sz !== 'string') {
    return err('malformed_frame', 'trades item lacks instId, px or sz');
  }
  const time = decimal(d.ts);
  if (time === undefined || !(time > 0 && time < Infinity)) return err('invalid_timestamp', `trades ${s} has no usable ts`);
  const price = +px;
  const size = +sz;
  // `!(x > 0 && x < Infinity)` rejects NaN, 0, negatives and Infinity in two comparisons.
  if (!(price > 0 && price < Infinity && size > 0 && size < Infinity)) {
    return err('invalid_price', `trades ${s} px ${preview(px)} sz ${preview(sz)}`);
  }
  // `side` is the taker's side, which is what TradeEvent reports.
  const side = d.side === 'buy' ? 'buy' : d.side === 'sell' ? 'sell' : undefined;
  return { kind: 'trade', symbol: s, price, size, eventTime: time, side };
}

function quote(d: Obj): MarketEvent {
  const s = d.instId;
  if (typeof s !== 'string') return err('malformed_frame', 'tickers item lacks instId');
  const last = decimal(d.last);
  const bid = decimal(d.bidPx);
  const ask = decimal(d.askPx);
  const bidSize = decimal(d.bidSz);
  const askSize = decimal(d.askSz);
  const bad = (v: number | undefined) => v !== undefined && !(v > 0 && v < Infinity);
  const badSize = (v: number | undefined) => v !== undefined && !(v >= 0 && v < Infinity);
  if (bad(last) || bad(bid) || bad(ask) || badSize(bidSize) || badSize(askSize)) {
    return err('invalid_price', `tickers ${s} last ${show(d.last)} bid ${show(d.bidPx)} ask ${show(d.askPx)}`);
  }
  const eventTime = decimal(d.ts);
  if (eventTime !== undefined && !(eventTime > 0 && eventTime < Infinity)) return err('invalid_timestamp', `tickers ${s} has an unusable ts`);
  const q: QuoteEvent = { kind: 'quote', symbol: s, eventTime };
  if (last !== undefined) q.last = last;
  if (bid !== undefined) q.bid = bid;
  if (ask !== undefined) q.ask = ask;
  if (bidSize !== undefined) q.bidSize = bidSize;
  if (askSize !== undefined) q.askSize = askSize;
  return q;
}

/** `mark-price`: `{instId, instType, markPx, ts}`, pushed on change (at most every 200 ms). */
function markPrice(d: Obj): MarketEvent {
  const s = d.instId;
  if (typeof s !== 'string' || typeof d.markPx !== 'string') return err('malformed_frame', 'mark-price item lacks instId or markPx');
  const time = decimal(d.ts);
  if (time === undefined || !(time > 0 && time < Infinity)) return err('invalid_timestamp', `mark-price ${s} has no usable ts`);
  const markPx = +d.markPx;
  if (!(markPx > 0 && markPx < Infinity)) return err('invalid_price', `mark-price ${s} markPx ${show(d.markPx)}`);
  return { kind: 'mark', symbol: s, markPrice: markPx, eventTime: time };
}

/**
 * `funding-rate`: `fundingRate` for the current period and `fundingTime`, when it settles (so
 * the next funding time); `nextFundingTime` is the settlement after that and is not used.
 * Pushed every 30 to 90 s.
 */
function funding(d: Obj): MarketEvent {
  const s = d.instId;
  if (typeof s !== 'string' || typeof d.fundingRate !== 'string') return err('malformed_frame', 'funding-rate item lacks instId or fundingRate');
  const rate = decimal(d.fundingRate);
  if (rate === undefined || !(rate > -Infinity && rate < Infinity)) return err('invalid_price', `funding-rate ${s} fundingRate ${show(d.fundingRate)}`);
  const at = decimal(d.fundingTime);
  if (at !== undefined && !(at > 0 && at < Infinity)) return err('invalid_timestamp', `funding-rate ${s} has an unusable fundingTime`);
  const time = decimal(d.ts);
  if (time !== undefined && !(time > 0 && time < Infinity)) return err('invalid_timestamp', `funding-rate ${s} has an unusable ts`);
  const ev: MarkEvent = { kind: 'mark', symbol: s, fundingRate: rate };
  if (at !== undefined) ev.nextFundingTime = at;
  if (time !== undefined) ev.eventTime = time;
  return ev;
}

const PUSH: Readonly<Record<string, (d: Obj) => MarketEvent>> = { trades: trade, tickers: quote, 'mark-price': markPrice, 'funding-rate': funding };

/** books5: each push is the top 5 levels whole, so every one is a snapshot. */
function books5(d: Obj, instId: unknown): MarketEvent {
  const s = typeof d.instId === 'string' ? d.instId : instId;
  if (typeof s !== 'string') return err('malformed_frame', 'books5 push without instId');
  const bids = textLevels(d.bids);
  const asks = textLevels(d.asks);
  if (!bids || !asks) return err('invalid_price', `books5 ${s} has a level that is not a price > 0 and a size >= 0`);
  return { kind: 'book', symbol: s, snapshot: true, bids, asks };
}

export const OKX_BOOK: BookSupport = Object.freeze({
  integrity: 'snapshot' as const,
  depths: [5],
  streamsPerSymbol: 1,
  // Answers are matched by nothing here, so the ids may repeat the other channels' frames.
  subscribeFrames: (symbols: readonly string[]) => subscribeFrames(symbols, ['books5']),
});

function push(msg: Obj, arg: Obj, frame: string): MarketEvent[] {
  const data = msg.data;
  if (!Array.isArray(data)) return [err('malformed_frame', `push without a data array: ${preview(frame)}`)];
  if (arg.channel === 'books5') return data.map((d) => (isObj(d) ? books5(d, arg.instId) : err('malformed_frame', 'books5 item is not an object')));
  const one = typeof arg.channel === 'string' && Object.hasOwn(PUSH, arg.channel) ? PUSH[arg.channel] : undefined;
  if (!one) return [err('unknown_message', `push on unknown channel ${show(arg.channel)}`)];
  const out: MarketEvent[] = [];
  for (const d of data) out.push(isObj(d) ? one(d) : err('malformed_frame', `${show(arg.channel)} item is not an object`));
  return out;
}

function venueError(msg: Obj): ErrorEvent {
  // Codes are strings on the wire; anything else cannot be one of ours and falls through.
  const code = typeof msg.code === 'string' ? msg.code : show(msg.code);
  const text = `okx error ${code}: ${show(msg.msg)}`;
  if (code === ARG_REFUSED) return err('subscribe_failed', text);
  if (FRAME_REFUSED.has(code)) return err('subscribe_failed', text, 'subscribe_failed');
  return err('venue_error', text);
}

function event(msg: Obj, frame: string): MarketEvent[] {
  switch (msg.event) {
    case 'subscribe': {
      const arg = isObj(msg.arg) ? msg.arg : {};
      return [{ kind: 'subscribed', ok: true, message: `${show(arg.channel)} ${show(arg.instId)}` }];
    }
    case 'unsubscribe':
    case 'channel-conn-count':
      return [];
    case 'error':
    case 'channel-conn-count-error':
      return [venueError(msg)];
    case 'notice':
      return okxNotice(msg);
    default:
      return [err('unknown_message', `unknown event ${show(msg.event)}: ${preview(frame)}`)];
  }
}

function parse(frame: string): MarketEvent[] {
  // The keepalive answer is plain text; compare before paying for JSON.parse.
  if (frame === 'pong') return [{ kind: 'pong' }];
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  if (isObj(msg.arg) && msg.event === undefined) return push(msg, msg.arg, frame);
  if (typeof msg.event === 'string') return event(msg, frame);
  return [err('unknown_message', `unrecognised frame: ${preview(frame)}`)];
}

/** Subscribe frames: every symbol × channel once, each frame under OKX_MAX_SUBSCRIBE_CHARS. */
function subscribeFrames(symbols: readonly string[], channels: readonly string[]): string[] {
  const frames: string[] = [];
  let args: string[] = [];
  let size = 0;
  const flush = () => {
    // `id` comes back on the answer; OKX allows up to 32 alphanumerics.
    frames.push(`{"id":"${frames.length + 1}","op":"subscribe","args":[${args.join(',')}]}`);
    args = [];
    size = 0;
  };
  for (const s of symbols) {
    for (const c of channels) {
      const arg = JSON.stringify({ channel: c, instId: s });
      if (args.length > 0 && size + arg.length + 1 > OKX_MAX_SUBSCRIBE_CHARS - 64) flush();
      args.push(arg);
      size += arg.length + 1;
    }
  }
  if (args.length > 0) flush();
  return frames;
}

/** OKX v5 public. */
export const okx: Adapter = {
  venue: 'okx',
  defaultUrl: OKX_URL,
  limits: OKX_LIMITS,
  defaultChannels: OKX_DEFAULT_CHANNELS,
  channels: OKX_CHANNELS,
  // Spot BTC-USDT, swaps BTC-USDT-SWAP, futures and options with more dashed parts.
  symbolSpelling: { pattern: /^[A-Z0-9]+(-[A-Z0-9]+)+$/, example: 'BTC-USDT' },
  instrumentOf: splitOkx,
  streamsFor: (symbols, channels) => symbols.length * channels.length,
  // The path selects the service (public/private/business); a base URL is used as given.
  url: (base) => base,
  subscribeFrames,
  parse,
  appPing: Object.freeze({ intervalMs: OKX_PING_INTERVAL_MS, frame: () => 'ping' }),
  book: OKX_BOOK,
};
