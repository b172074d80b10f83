/**
 * Binance spot market streams: combined-stream endpoint, live SUBSCRIBE frames, `trade`,
 * `bookTicker` and `aggTrade` payloads. Pure: frames in, events out.
 *
 * Source for every venue fact below: binance/binance-spot-api-docs, web-socket-streams.md
 * (https://github.com/binance/binance-spot-api-docs/blob/master/web-socket-streams.md, read at
 * commit e556feb9, 2026): "General WSS information", "WebSocket Limits", "Server Shutdown",
 * "Live Subscribing/Unsubscribing to streams", "Error Messages", "Trade Streams",
 * "Aggregate Trade Streams", "Individual Symbol Book Ticker Streams".
 *
 * Decisions worth knowing:
 * - Prices and sizes are validated HERE: a value that is not a finite number > 0 (a non-numeric
 *   string, "NaN", "-1", "0") turns the frame into an ErrorEvent `invalid_price` and no trade or
 *   quote is emitted. The check is two comparisons per number, so the pipeline's own check
 *   stays a cheap safety net rather than the only line of defence, and a bad print can never
 *   reach bars or gauges as NaN.
 * - bookTicker's `u` is the order-book update id, which advances on every book change, not on
 *   every bookTicker push: it is NOT exported as `seq`, or every quote would look like a gap.
 *   Trade `t` and aggTrade `a` are per-symbol and consecutive, so they are `seq`.
 * - A trade's `eventTime` is the trade time `T` (falling back to the event time `E`): bars and
 *   last-trade timestamps are about when the trade happened, and lag then includes the venue's
 *   own matching-to-push delay, which is part of what a consumer waits for.
 * - `{"result":null,"id":N}` acknowledges a SUBSCRIBE. A non-null `result` answers a query
 *   (LIST_SUBSCRIPTIONS, GET_PROPERTY) this adapter never sends: it yields no event.
 * - Error frames: the documented codes 0-3 answer a request, and the only requests this adapter
 *   sends are SUBSCRIBE frames, so they are `subscribe_failed` and end the connection. Both the
 *   documented flat form `{"code":2,"msg":...}` and the nested `{"error":{"code":..,"msg":..},
 *   "id":..}` are understood; any other code is a `venue_error` that does not by itself end the
 *   session (the socket layer sees the close if the venue follows through).
 * - Books (opt-in per feed, `book:` in the config) use the diff depth stream `<symbol>@depth@100ms`
 *   and a REST snapshot (`GET /api/v3/depth?symbol=&limit=`), kept in step as "How to manage a
 *   local order book correctly" says for spot (book/sync.ts). Spot diff events carry `U` (first)
 *   and `u` (last update id); `pu` belongs to the futures stream, not this one.
 * - `serverShutdown` (raw `{"e":"serverShutdown","E":..}` or combined under `!serverShutdown`)
 *   is a NoticeEvent asking for a reconnect with reason `venue_notice`, and a VenueStatusEvent
 *   `restart_announced` (venue-status.ts).
 */
import type { Adapter, BookEvent, BookSupport, ErrorEvent, MarketEvent, VenueLimits } from './types.js';
import { err, isObj, jsonObject, type Obj, preview, show, textLevels } from './frame.js';
import { binanceServerShutdown } from './venue-status.js';
import { splitConcatenated } from './instrument.js';
import { BOOL, DEC, INT, Shape, SKIP, STR } from './shape.js';

/** The spot stream endpoint (9443 and 443 both serve it). */
export const BINANCE_URL = 'wss://stream.binance.com:9443';

/** Channels this adapter parses. `aggTrade` is opt-in: with `trade` it would count trades twice. */
export const BINANCE_CHANNELS = ['trade', 'bookTicker', 'aggTrade'] as const;
export const BINANCE_DEFAULT_CHANNELS = ['trade', 'bookTicker'] as const;

/**
 * Streams per SUBSCRIBE frame. Binance documents no cap per frame; 200 keeps each frame small
 * (a few kB) while 1024 streams still need only 6 frames, about 1.2 s at the pacing below.
 */
export const STREAMS_PER_SUBSCRIBE = 200;

/**
 * "WebSocket Limits" and "General WSS information" of web-socket-streams.md:
 * - "A single connection can listen to a maximum of 1024 streams."
 * - "There is a limit of 300 connections per attempt every 5 minutes per IP."
 * - "A single connection to stream.binance.com is only valid for 24 hours."
 * - "WebSocket connections have a limit of 5 incoming messages per second", where a message is a
 *   PING frame, a PONG frame or a JSON control message: pongs to the venue's 20 s pings and our
 *   own pings share the budget, so whoever paces sends should keep a little headroom.
 */
export const BINANCE_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 1024,
  connectAttempts: Object.freeze({ count: 300, windowMs: 5 * 60_000 }),
  maxLifetimeMs: 24 * 60 * 60_000,
  outgoingPerSecond: 5,
});





/** The spot REST endpoint the depth snapshot comes from. */
export const BINANCE_REST_URL = 'https://api.binance.com';

function depthUpdate(d: Obj): MarketEvent {
  const s = d.s;
  if (typeof s !== 'string' || !Number.isSafeInteger(d.U) || !Number.isSafeInteger(d.u)) {
    return err('malformed_frame', 'depthUpdate payload lacks s, U or u');
  }
  const bids = textLevels(d.b);
  const asks = textLevels(d.a);
  if (!bids || !asks) return err('invalid_price', `depthUpdate ${s} has a level that is not a price > 0 and a qty >= 0`);
  return { kind: 'book', symbol: s, snapshot: false, bids, asks, firstId: d.U as number, lastId: d.u as number };
}

/** GET /api/v3/depth's body: {"lastUpdateId":N,"bids":[...],"asks":[...]}. */
function depthSnapshot(symbol: string, body: string): BookEvent | ErrorEvent {
  const m = jsonObject(body);
  if (Array.isArray(m)) return err('malformed_frame', `depth snapshot for ${symbol} is not JSON`);
  if (!Number.isSafeInteger(m.lastUpdateId)) return err('malformed_frame', `depth snapshot for ${symbol} lacks lastUpdateId`);
  const bids = textLevels(m.bids);
  const asks = textLevels(m.asks);
  if (!bids || !asks) return err('invalid_price', `depth snapshot for ${symbol} has a level that is not a price > 0 and a qty >= 0`);
  const id = m.lastUpdateId as number;
  return { kind: 'book', symbol, snapshot: true, bids, asks, firstId: id, lastId: id };
}

export const BINANCE_BOOK: BookSupport = Object.freeze({
  integrity: 'sequence' as const,
  streamsPerSymbol: 1,
  subscribeFrames(symbols: readonly string[]): string[] {
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += STREAMS_PER_SUBSCRIBE) {
      const params = symbols.slice(i, i + STREAMS_PER_SUBSCRIBE).map((s) => `${s.toLowerCase()}@depth@100ms`);
      frames.push(JSON.stringify({ method: 'SUBSCRIBE', params, id: 1000 + frames.length }));
    }
    return frames;
  },
  defaultRestUrl: BINANCE_REST_URL,
  snapshotUrl: (base: string, symbol: string, depth: number) =>
    `${base.endsWith('/') ? base.slice(0, -1) : base}/api/v3/depth?symbol=${encodeURIComponent(symbol)}&limit=${depth}`,
  parseSnapshot: depthSnapshot,
});

// `!(x > 0 && x < Infinity)` rejects NaN, 0, negatives and Infinity in two comparisons.
const validTrade = (price: number, size: number): boolean => price > 0 && price < Infinity && size > 0 && size < Infinity;
const validQuote = (bid: number, ask: number, bidSize: number, askSize: number): boolean =>
  bid > 0 && bid < Infinity && ask > 0 && ask < Infinity && bidSize >= 0 && bidSize < Infinity && askSize >= 0 && askSize < Infinity;

/** trade and aggTrade share a shape; only the id field differs (`t` vs `a`). */
function trade(d: Obj, id: unknown): MarketEvent {
  const s = d.s;
  const p = d.p;
  const q = d.q;
  if (typeof s !== 'string' || typeof p !== 'string' || typeof q !== 'string' || typeof id !== 'number') {
    return err('malformed_frame', `${show(d.e)} payload lacks s, p, q or its trade id`);
  }
  const time = typeof d.T === 'number' ? d.T : d.E;
  if (typeof time !== 'number' || !(time > 0 && time < Infinity)) {
    return err('invalid_timestamp', `${show(d.e)} ${s} has no usable T or E`);
  }
  const price = +p;
  const size = +q;
  if (!validTrade(price, size)) {
    return err('invalid_price', `${show(d.e)} ${s} price ${preview(p)} size ${preview(q)}`);
  }
  // m: "Is the buyer the market maker?" If so the taker, who set the direction, sold.
  const side = d.m === true ? 'sell' : d.m === false ? 'buy' : undefined;
  return { kind: 'trade', symbol: s, price, size, eventTime: time, seq: id, side };
}

function quote(d: Obj): MarketEvent {
  const s = d.s;
  const b = d.b;
  const bq = d.B;
  const a = d.a;
  const aq = d.A;
  if (typeof s !== 'string' || typeof b !== 'string' || typeof bq !== 'string' || typeof a !== 'string' || typeof aq !== 'string') {
    return err('malformed_frame', 'bookTicker payload lacks s, b, B, a or A');
  }
  const bid = +b;
  const ask = +a;
  const bidSize = +bq;
  const askSize = +aq;
  if (!validQuote(bid, ask, bidSize, askSize)) {
    return err('invalid_price', `bookTicker ${s} bid ${preview(b)} ask ${preview(a)}`);
  }
  // Spot bookTicker carries no event time; the futures variant (e: "bookTicker") has E.
  const eventTime = typeof d.E === 'number' ? d.E : undefined;
  return { kind: 'quote', symbol: s, bid, ask, bidSize, askSize, eventTime };
}

function venueError(m: Obj): ErrorEvent {
  const e = isObj(m.error) ? m.error : m;
  const code = e.code;
  const id = m.id ?? e.id;
  const text = `binance error ${show(code)}: ${show(e.msg)}${id === undefined ? '' : ` (request ${show(id)})`}`;
  // Codes 0-3 are the documented answers to a bad request; ours are only ever SUBSCRIBE frames.
  if (typeof code === 'number' && code >= 0 && code <= 3) return err('subscribe_failed', text, 'subscribe_failed');
  return err('venue_error', text);
}

/** The combined-stream wrapper up to its payload: `{"stream":"<name>","data":`, closed by `}`. */
const COMBINED = new Shape('{"stream":"', SKIP, '","data":');
/** A spot trade as Binance documents it, field for field. */
const TRADE = new Shape('{"e":"trade","E":', INT, ',"s":"', STR, '","t":', INT, ',"p":"', DEC, '","q":"', DEC, '","T":', INT, ',"m":', BOOL, ',"M":', BOOL, '}');
/** A spot book ticker (no event type, no event time). */
const BOOK_TICKER = new Shape('{"u":', INT, ',"s":"', STR, '","b":"', DEC, '","B":"', DEC, '","a":"', DEC, '","A":"', DEC, '"}');
/** An aggregate trade up to `m`: spot then sends `"M"` and closes, USD-M futures close. */
const AGG_TRADE = new Shape('{"e":"aggTrade","E":', INT, ',"s":"', STR, '","a":', INT, ',"p":"', DEC, '","q":"', DEC, '","f":', INT, ',"l":', INT, ',"T":', INT, ',"m":', BOOL);
const SPOT_AGG_TAIL = new Shape(',"M":', BOOL, '}');
/** The USD-M futures book ticker: event type, update id, event and transaction times. */
const FUTURES_BOOK_TICKER = new Shape('{"e":"bookTicker","u":', INT, ',"E":', INT, ',"T":', INT, ',"s":"', STR, '","b":"', DEC, '","B":"', DEC, '","a":"', DEC, '","A":"', DEC, '"}');
const fields: (number | string | boolean)[] = [];
const tail: (number | string | boolean)[] = [];

/**
 * The frames a feed carries all day (trades, aggregate trades, book tickers, as spot and USD-M
 * futures send them), read by their shape (shape.ts) rather than JSON.parse: the same event the
 * full parse gives, or undefined for the full parse to handle (another layout, or a value it
 * reports as an error).
 */
export function hotFrame(frame: string): MarketEvent | undefined {
  let at = 0;
  let end = frame.length;
  if (frame.charCodeAt(2) === 0x73 /* s: {"stream" */) {
    at = COMBINED.match(frame, 0, fields);
    if (at < 0 || frame.charCodeAt(--end) !== 0x7d /* } */) return undefined;
  }
  if (frame.charCodeAt(at + 2) !== 0x65 /* e: {"e" */) return BOOK_TICKER.match(frame, at, fields) === end ? quoteFrame(1, undefined) : undefined;
  switch (frame.charCodeAt(at + 6) /* the event type's first letter */) {
    case 0x74 /* trade */:
      if (TRADE.match(frame, at, fields) !== end) return undefined;
      // E, s, t, p, q, T, m, M: the full parse takes T as the event time.
      return tradeFrame(fields[1] as string, fields[2] as number, fields[3] as number, fields[4] as number, fields[5] as number, fields[6] as boolean);
    case 0x61 /* aggTrade */: {
      const after = AGG_TRADE.match(frame, at, fields);
      // Futures close right after `m`; spot sends `"M"` first.
      const closed = after === end - 1 ? frame.charCodeAt(after) === 0x7d /* } */ : after >= 0 && SPOT_AGG_TAIL.match(frame, after, tail) === end;
      if (!closed) return undefined;
      // E, s, a, p, q, f, l, T, m.
      return tradeFrame(fields[1] as string, fields[2] as number, fields[3] as number, fields[4] as number, fields[7] as number, fields[8] as boolean);
    }
    case 0x62 /* bookTicker */:
      // u, E, T, s, b, B, a, A.
      return FUTURES_BOOK_TICKER.match(frame, at, fields) === end ? quoteFrame(3, fields[1] as number) : undefined;
    default:
      return undefined;
  }
}

function tradeFrame(symbol: string, seq: number, price: number, size: number, time: number, buyerMaker: boolean): MarketEvent | undefined {
  if (!(time > 0 && validTrade(price, size))) return undefined;
  return { kind: 'trade', symbol, price, size, eventTime: time, seq, side: buyerMaker ? 'sell' : 'buy' };
}

/** A matched book ticker's fields from index `s`: symbol, bid, bid size, ask, ask size. */
function quoteFrame(s: number, eventTime: number | undefined): MarketEvent | undefined {
  const bid = fields[s + 1] as number;
  const bidSize = fields[s + 2] as number;
  const ask = fields[s + 3] as number;
  const askSize = fields[s + 4] as number;
  if (!validQuote(bid, ask, bidSize, askSize)) return undefined;
  return { kind: 'quote', symbol: fields[s] as string, bid, ask, bidSize, askSize, eventTime };
}

function parse(frame: string): MarketEvent[] {
  const fast = hotFrame(frame);
  return fast ? [fast] : fullParse(frame);
}

/** Any frame, through JSON.parse. */
export function fullParse(frame: string): MarketEvent[] {
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  let d: Obj = msg;
  if (typeof msg.stream === 'string') {
    // Combined wrapper: {"stream":"btcusdt@trade","data":{...}}.
    if (!isObj(msg.data)) return [err('unknown_message', `stream ${preview(msg.stream)} without an object payload`)];
    d = msg.data;
  }
  switch (d.e) {
    case 'trade':
      return [trade(d, d.t)];
    case 'aggTrade':
      return [trade(d, d.a)];
    case 'bookTicker':
      return [quote(d)];
    case 'depthUpdate':
      return [depthUpdate(d)];
    case 'serverShutdown':
      return binanceServerShutdown();
    case undefined:
      break;
    default:
      return [err('unknown_message', `unknown event type ${preview(show(d.e))}`)];
  }
  // Spot bookTicker has no `e`; `u` (book update id) and `s` identify it.
  if (d.u !== undefined && d.s !== undefined) return [quote(d)];
  if (d === msg) {
    if (msg.result === null && msg.id !== undefined) return [{ kind: 'subscribed', ok: true, message: `request ${show(msg.id)} acknowledged` }];
    if (msg.result !== undefined && msg.id !== undefined) return [];
    if (msg.code !== undefined || msg.error !== undefined) return [venueError(msg)];
  }
  return [err('unknown_message', `unrecognised frame: ${preview(frame)}`)];
}

function streamNames(symbols: readonly string[], channels: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of symbols) {
    const lower = s.toLowerCase();
    for (const c of channels) out.push(`${lower}@${c}`);
  }
  return out;
}

/**
 * A Binance-format adapter under another venue key and endpoint, for a server that speaks the
 * same protocol under another name.
 */
export function createBinanceAdapter(venue: string, defaultUrl: string): Adapter {
  return {
    venue,
    defaultUrl,
    limits: BINANCE_LIMITS,
    defaultChannels: BINANCE_DEFAULT_CHANNELS,
    channels: BINANCE_CHANNELS,
    // Upper case: the trade's `s` field is, and the config names symbols as the venue sends them.
    symbolSpelling: { pattern: /^[A-Z0-9]+$/, example: 'BTCUSDT' },
    instrumentOf: splitConcatenated,
    streamsFor: (symbols, channels) => symbols.length * channels.length,
    // Streams are subscribed with SUBSCRIBE frames rather than ?streams=, so a URL never
    // outgrows proxies' limits and resubscribing after a reconnect is the same code path.
    url: (base) => `${base.endsWith('/') ? base.slice(0, -1) : base}/stream`,
    subscribeFrames(symbols, channels) {
      const streams = streamNames(symbols, channels);
      const frames: string[] = [];
      for (let i = 0; i < streams.length; i += STREAMS_PER_SUBSCRIBE) {
        const params = streams.slice(i, i + STREAMS_PER_SUBSCRIBE);
        frames.push(JSON.stringify({ method: 'SUBSCRIBE', params, id: frames.length + 1 }));
      }
      return frames;
    },
    parse,
    book: BINANCE_BOOK,
  };
}

/** Binance spot. */
export const binance: Adapter = createBinanceAdapter('binance', BINANCE_URL);
