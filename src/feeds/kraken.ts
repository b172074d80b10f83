/**
 * Kraken spot WebSocket v2 (wss://ws.kraken.com/v2): `trade` and `ticker` channels, the
 * `heartbeat` and `status` channels, and the app-level ping. Pure: frames in, events out.
 *
 * Sources (docs.kraken.com, read 2026): Spot WebSocket v2 API reference pages "trade", "ticker",
 * "heartbeat", "status" and "ping" (…/exchange/api-reference/spot-websocket-v2/<page>), the
 * "Spot WebSocket Introduction" and "Reconnection and resilience" guides
 * (…/exchange/guides/websockets/introduction, …/reconnection) and the spot rate-limits guide.
 *
 * Decisions worth knowing:
 * - Symbols are v2's "BTC/USD" (not v1's "XBT/USD"); prices and quantities are JSON numbers, not
 *   strings, and anything else is a malformed frame.
 * - `seq` is the trade's `trade_id`: "sequence number unique per trading book", consecutive per
 *   symbol ("Trade ID: sequential int" in the v1/v2 comparison), and carried by trade updates
 *   only, so a jump is a lost trade. Tickers have no number of their own.
 * - Trades are subscribed with `snapshot: false` (the channel's default): a snapshot is the last
 *   50 trades, which after a reconnect would count trades already counted. If one arrives anyway
 *   it only sets the price (a quote with the newest trade's price as `last`, no time, no seq).
 * - Tickers are subscribed with `snapshot: true`, so a price and a book top are known at once;
 *   snapshot and update share one schema and both become quotes. `timestamp` is newer in the
 *   schema than the rest: it is the quote's event time when present, and optional.
 * - The heartbeat is per connection, not per symbol, so it is not one of `channels`: one
 *   heartbeat subscribe goes first on every connection ("subscribe to the heartbeat channel
 *   after connecting", reconnection guide) and each heartbeat (about once a second) counts.
 * - App ping: `{"method":"ping","req_id":<our send time, epoch ms>}`. The pong echoes req_id, so
 *   it is PongEvent.sentAt (round trip without keeping state), and Kraken stamps `time_in` when
 *   the ping reached it and `time_out` when the pong left: their midpoint is the venue clock for
 *   the clock-skew estimate. A pong whose req_id is not an epoch-ms value gives no sentAt.
 * - Subscribe acknowledgements come one per symbol. A refusal that names a symbol (an unknown
 *   pair) is counted as `subscribe_failed` and the connection stays, since the other symbols on it
 *   are fine and reconnecting would only be refused again; a refusal of the whole request (no
 *   symbol: bad arguments, message rate exceeded) ends the connection as `subscribe_failed`.
 * - `book` (opt-in per feed, `book:` in the config) is subscribed with `snapshot: true` at the
 *   configured depth (10, 25, 100, 500 or 1000). Snapshot and update carry `checksum`, the CRC32
 *   of the top 10 levels as the venue printed them ("Book checksum (WebSocket v2)"): the numbers
 *   come at full precision, trailing zeros included, so the decimals of each `price` and `qty`
 *   are read from the frame's text and go with the event (book/kraken-checksum.ts prints the book
 *   back at that precision). A mismatch unsubscribes and subscribes the one book again, which
 *   brings a fresh snapshot.
 * - `status` arrives on connect and when the engine's state changes: a VenueStatusEvent
 *   (venue-status.ts), with the next announced maintenance window where the frame has one. It
 *   does not reconnect, because Kraken asks clients not to reconnect faster than every 5 s
 *   around maintenance and the socket layer notices a close anyway.
 */
import { krakenChecksum } from '../book/kraken-checksum.js';
import { parseRfc3339 } from './rfc3339.js';
import type {
  Adapter,
  AppPing,
  BookEvent,
  BookSupport,
  ErrorEvent,
  MarketEvent,
  PongEvent,
  QuoteEvent,
  TradeEvent,
  VenueLimits,
} from './types.js';
import { err, isObj, jsonObject, type Obj, positive, preview, show } from './frame.js';
import { krakenStatus } from './venue-status.js';
import { splitSeparated } from './instrument.js';

export const KRAKEN_URL = 'wss://ws.kraken.com/v2';

export const KRAKEN_CHANNELS = ['trade', 'ticker'] as const;
export const KRAKEN_DEFAULT_CHANNELS = KRAKEN_CHANNELS;

/** Symbols per subscribe frame. Kraken documents no cap; 100 keeps frames near 1.5 kB. */
export const SYMBOLS_PER_SUBSCRIBE = 100;

/**
 * App pings every 10 s: Kraken closes a connection after about a minute of inactivity ("any
 * request, for example a ping, can be used to keep the connection alive"), and the pong is where
 * round trip and clock skew come from.
 */
export const KRAKEN_PING_INTERVAL_MS = 10_000;

/** req_id values from this on are taken for epoch milliseconds (2001-09-09 onwards). */
const EPOCH_MS_FLOOR = 1e12;

/**
 * - connectAttempts: "Cloudflare imposes a connection/re-connection rate limit (per IP address)
 *   of approximately 150 attempts per rolling 10 minutes. If this is exceeded, the IP is banned
 *   for 10 minutes." (Spot WebSocket introduction).
 * - outgoingPerSecond: Kraken's message rate limit is dynamic ("Exceeded msg rate" when hit) and
 *   has no documented number; 5 per second is our conservative choice.
 * - streamsPerConnection: no documented cap on subscriptions per connection; 400 (200 symbols on
 *   both channels) is our choice.
 * - No documented connection lifetime.
 */
export const KRAKEN_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 400,
  connectAttempts: Object.freeze({ count: 150, windowMs: 10 * 60_000 }),
  argsPerSubscribe: SYMBOLS_PER_SUBSCRIBE,
  outgoingPerSecond: 5,
});

export const KRAKEN_APP_PING: AppPing = Object.freeze({
  intervalMs: KRAKEN_PING_INTERVAL_MS,
  frame: (now: number) => `{"method":"ping","req_id":${Math.trunc(now)}}`,
});

function trade(d: Obj): TradeEvent | ErrorEvent {
  const symbol = d.symbol;
  const id = d.trade_id;
  const price = d.price;
  const qty = d.qty;
  if (typeof symbol !== 'string' || typeof price !== 'number' || typeof qty !== 'number' || !Number.isSafeInteger(id)) {
    return err('malformed_frame', 'trade lacks symbol, numeric price and qty, or an integer trade_id');
  }
  if (!positive(price) || !positive(qty)) return err('invalid_price', `trade ${symbol} price ${price} qty ${qty}`);
  const time = typeof d.timestamp === 'string' ? parseRfc3339(d.timestamp) : NaN;
  if (time !== time) return err('invalid_timestamp', `trade ${symbol} timestamp ${show(d.timestamp)}`);
  // v2 reports the taker's side directly.
  const side = d.side === 'buy' || d.side === 'sell' ? d.side : undefined;
  return { kind: 'trade', symbol, price, size: qty, eventTime: time, seq: id as number, side };
}

function trades(msg: Obj, data: readonly unknown[]): MarketEvent[] {
  const out: MarketEvent[] = [];
  if (msg.type === 'snapshot') {
    // History, not news: only the newest price per symbol is kept (see the header).
    const newest = new Map<string, number>();
    for (const d of data) {
      const t = isObj(d) ? trade(d) : err('malformed_frame', 'trade entry is not an object');
      if (t.kind === 'trade') newest.set(t.symbol, t.price);
      else out.push(t);
    }
    for (const [symbol, last] of newest) out.push({ kind: 'quote', symbol, last });
    return out;
  }
  for (const d of data) out.push(isObj(d) ? trade(d) : err('malformed_frame', 'trade entry is not an object'));
  return out;
}

/** An optional JSON number: undefined when absent, NaN when present but not a number. */
function optional(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'number' ? v : NaN;
}

function ticker(d: Obj): QuoteEvent | ErrorEvent {
  const symbol = d.symbol;
  if (typeof symbol !== 'string') return err('malformed_frame', 'ticker entry lacks symbol');
  const bid = optional(d.bid);
  const ask = optional(d.ask);
  const last = optional(d.last);
  const bidSize = optional(d.bid_qty);
  const askSize = optional(d.ask_qty);
  const badPrice = (p: number | undefined) => p !== undefined && !positive(p);
  const badSize = (s: number | undefined) => s !== undefined && !(s >= 0 && s < Infinity);
  if (badPrice(bid) || badPrice(ask) || badPrice(last) || badSize(bidSize) || badSize(askSize)) {
    return err('invalid_price', `ticker ${symbol} bid ${show(d.bid)} ask ${show(d.ask)} last ${show(d.last)}`);
  }
  const q: QuoteEvent = { kind: 'quote', symbol };
  if (bid !== undefined) q.bid = bid;
  if (ask !== undefined) q.ask = ask;
  if (bidSize !== undefined) q.bidSize = bidSize;
  if (askSize !== undefined) q.askSize = askSize;
  if (last !== undefined) q.last = last;
  if (d.timestamp !== undefined) {
    const t = typeof d.timestamp === 'string' ? parseRfc3339(d.timestamp) : NaN;
    if (t !== t) return err('invalid_timestamp', `ticker ${symbol} timestamp ${show(d.timestamp)}`);
    q.eventTime = t;
  }
  return q;
}

/** Depths the v2 `book` channel accepts. */
export const KRAKEN_BOOK_DEPTHS = [10, 25, 100, 500, 1000] as const;

/** The most decimals any `"<key>":<number>` in the frame is written with. */
function decimalsOf(frame: string, key: '"price":' | '"qty":'): number {
  let most = 0;
  for (let at = frame.indexOf(key); at >= 0; at = frame.indexOf(key, at + key.length)) {
    let i = at + key.length;
    while (frame.charCodeAt(i) === 32) i++;
    let dot = -1;
    let end = i;
    for (; end < frame.length; end++) {
      const c = frame.charCodeAt(end);
      if (c === 46) dot = end;
      else if (c < 48 || c > 57) break;
    }
    if (dot >= 0 && end - dot - 1 > most) most = end - dot - 1;
  }
  return most;
}

/** A side's [{price, qty}, ...] as flat [price, qty, ...]; undefined if any level is not two numbers >= 0. */
function levels(v: unknown): number[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return undefined;
  const out: number[] = [];
  for (const l of v) {
    if (!isObj(l)) return undefined;
    const p = l.price;
    const q = l.qty;
    if (typeof p !== 'number' || typeof q !== 'number' || !positive(p) || !(q >= 0 && q < Infinity)) return undefined;
    out.push(p, q);
  }
  return out;
}

function book(msg: Obj, data: readonly unknown[], frame: string): MarketEvent[] {
  const snapshot = msg.type === 'snapshot';
  const priceDecimals = decimalsOf(frame, '"price":');
  const qtyDecimals = decimalsOf(frame, '"qty":');
  return data.map((d): MarketEvent => {
    if (!isObj(d) || typeof d.symbol !== 'string') return err('malformed_frame', 'book entry lacks symbol');
    const bids = levels(d.bids);
    const asks = levels(d.asks);
    if (!bids || !asks) return err('invalid_price', `book ${d.symbol} has a level that is not a price > 0 and a qty >= 0`);
    const ev: BookEvent = { kind: 'book', symbol: d.symbol, snapshot, bids, asks, priceDecimals, qtyDecimals };
    if (typeof d.checksum === 'number' && Number.isSafeInteger(d.checksum)) ev.checksum = d.checksum;
    return ev;
  });
}

const bookParams = (symbol: string[], depth: number, snapshot?: boolean) =>
  snapshot === undefined ? { channel: 'book', symbol, depth } : { channel: 'book', symbol, depth, snapshot };

export const KRAKEN_BOOK: BookSupport = Object.freeze({
  integrity: 'checksum' as const,
  depths: KRAKEN_BOOK_DEPTHS,
  streamsPerSymbol: 1,
  subscribeFrames(symbols: readonly string[], depth: number): string[] {
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += SYMBOLS_PER_SUBSCRIBE) {
      frames.push(subscribe(1000 + frames.length, bookParams(symbols.slice(i, i + SYMBOLS_PER_SUBSCRIBE), depth, true)));
    }
    return frames;
  },
  resubscribeFrames: (symbol: string, depth: number) => [
    JSON.stringify({ method: 'unsubscribe', params: bookParams([symbol], depth), req_id: 2000 }),
    subscribe(2001, bookParams([symbol], depth, true)),
  ],
  checksum: krakenChecksum,
});

function pong(msg: Obj): PongEvent {
  const ev: PongEvent = { kind: 'pong' };
  const id = msg.req_id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= EPOCH_MS_FLOOR) ev.sentAt = id;
  const tin = typeof msg.time_in === 'string' ? parseRfc3339(msg.time_in) : NaN;
  const tout = typeof msg.time_out === 'string' ? parseRfc3339(msg.time_out) : NaN;
  // The venue's clock halfway through its own handling; either stamp alone if one is missing.
  const server = tin === tin && tout === tout ? (tin + tout) / 2 : tin === tin ? tin : tout;
  if (server === server) ev.serverTime = server;
  return ev;
}

function subscribeAck(msg: Obj): MarketEvent {
  const result = isObj(msg.result) ? msg.result : {};
  if (msg.success === true) {
    const what = `${show(result.channel)}${typeof result.symbol === 'string' ? ` ${result.symbol}` : ''}`;
    return { kind: 'subscribed', ok: true, message: preview(what) };
  }
  const symbol = typeof msg.symbol === 'string' ? msg.symbol : typeof result.symbol === 'string' ? result.symbol : undefined;
  const text = `kraken subscribe refused: ${show(msg.error ?? 'no reason given')}`;
  return symbol === undefined
    ? err('subscribe_failed', text, 'subscribe_failed')
    : err('subscribe_failed', `${text} (symbol ${preview(symbol)})`);
}

function parse(frame: string): MarketEvent[] {
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  const channel = msg.channel;
  if (channel !== undefined) {
    if (channel === 'heartbeat') return [{ kind: 'heartbeat' }];
    const data = msg.data;
    if (!Array.isArray(data)) return [err('malformed_frame', `${show(channel)} message without a data list`)];
    switch (channel) {
      case 'trade':
        return trades(msg, data);
      case 'ticker':
        return data.map((d) => (isObj(d) ? ticker(d) : err('malformed_frame', 'ticker entry is not an object')));
      case 'book':
        return book(msg, data, frame);
      case 'status':
        return krakenStatus(data);
      default:
        return [err('unknown_message', `unknown channel ${show(channel)}`)];
    }
  }
  switch (msg.method) {
    case 'pong':
      return [pong(msg)];
    case 'subscribe':
      return [subscribeAck(msg)];
    case undefined:
      break;
    default:
      // Answers to requests this adapter does not send (unsubscribe, ...): only refusals matter.
      return msg.success === false ? [err('venue_error', `kraken ${show(msg.method)} refused: ${show(msg.error)}`)] : [];
  }
  // A bare error (v1's {"Error": ...} or v2's {"error": ..., "success": false}).
  const e = msg.error ?? msg.Error;
  if (e !== undefined) return [err('venue_error', `kraken error: ${show(e)}`)];
  return [err('unknown_message', `unrecognised frame: ${preview(frame)}`)];
}

function subscribe(reqId: number, params: Record<string, unknown>): string {
  return JSON.stringify({ method: 'subscribe', params, req_id: reqId });
}

/** Kraken spot, WebSocket v2. */
export const kraken: Adapter = {
  venue: 'kraken',
  defaultUrl: KRAKEN_URL,
  limits: KRAKEN_LIMITS,
  defaultChannels: KRAKEN_DEFAULT_CHANNELS,
  channels: KRAKEN_CHANNELS,
  symbolSpelling: { pattern: /^[A-Z0-9.]+\/[A-Z0-9.]+$/, example: 'BTC/USD' },
  instrumentOf: (s) => splitSeparated(s, '/'),
  // The heartbeat is one per connection and carries no symbol: not a stream.
  streamsFor: (symbols, channels) => symbols.length * channels.length,
  url: (base) => base,
  subscribeFrames(symbols, channels) {
    if (symbols.length === 0) return [];
    const frames = [subscribe(1, { channel: 'heartbeat' })];
    for (const channel of channels) {
      for (let i = 0; i < symbols.length; i += SYMBOLS_PER_SUBSCRIBE) {
        const symbol = symbols.slice(i, i + SYMBOLS_PER_SUBSCRIBE);
        frames.push(subscribe(frames.length + 1, { channel, symbol, snapshot: channel === 'ticker' }));
      }
    }
    return frames;
  },
  parse,
  appPing: KRAKEN_APP_PING,
  book: KRAKEN_BOOK,
};
