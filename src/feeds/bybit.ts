/**
 * Bybit v5 public WebSocket: `publicTrade.{symbol}` and `tickers.{symbol}` topics, spot
 * (`/v5/public/spot`, venue `bybit`) and USDT/USDC perpetuals and futures (`/v5/public/linear`,
 * venue `bybit-linear`). Pure: frames in, events out.
 *
 * Sources: bybit-exchange/docs (github.com/bybit-exchange/docs, read at commit 072c197d, 2026):
 * docs/v5/websocket/wss-authentication.mdx ("Connect": endpoints, "IP Limits", "Public channel -
 * Args limits", "How to Send the Heartbeat Packet", "Understanding the Subscription Response"),
 * docs/v5/websocket/public/trade.mdx and docs/v5/websocket/public/ticker.mdx. The refusal format
 * `{"success":false,"ret_msg":"error:handler not found,topic:...","op":"subscribe"}` is not in
 * the docs; it is what the venue sends (seen in sieblyio/bybit-api issue #561).
 *
 * Decisions worth knowing:
 * - No `seq`. A trade's `seq` is the "cross sequence" of the matching engine, shared with the
 *   order book and advancing on order events too, and "multiple messages may be sent for the same
 *   seq" (a message holds up to 1024 trades): it is neither per-symbol nor consecutive, so every
 *   trade would look like a gap. Trade ids (`i`) are UUIDs on linear. Tickers' `cs` is the same
 *   cross sequence.
 * - The app ping carries our send time in `req_id`; spot and linear echo `req_id` in the pong
 *   (`{"success":true,"ret_msg":"pong","req_id":...,"op":"ping"}`), which gives the PongEvent its
 *   `sentAt` and so a round trip. The `{"op":"pong","args":["<server ms>"]}` form (option,
 *   spread, private streams) gives a server time instead.
 * - Ticker deltas (linear) carry only what changed: the quote holds the fields present. A delta
 *   with none of last/bid/ask (open interest moved, say) yields no quote. Linear tickers also
 *   carry the perpetual's mark, index, funding rate and next funding time: a MarkEvent beside
 *   the quote, with the fields present (none: no MarkEvent). Spot tickers carry no
 *   bid/ask, only `lastPrice`. The quote's event time is the message `ts`.
 * - A refused subscribe (`success:false`) is `subscribe_failed` WITHOUT a reconnect: the answer
 *   names one topic and the venue keeps the others flowing, so reconnecting would cut off every
 *   symbol of the connection for one misspelt one (and repeat forever). The refused symbol's
 *   series go stale; market_feed_errors_total{type="subscribe_failed"} says why.
 * - `S` is the taker's side (`Buy`/`Sell`), as TradeEvent wants; a trade's time is `T` (fill
 *   time), like the other adapters.
 */
import { decimal, err, isObj, jsonObject, type Obj, preview, show, textLevels } from './frame.js';
import type { Adapter, BookSupport, MarkEvent, MarketEvent, OptionProblem, QuoteEvent, VenueLimits } from './types.js';
import { splitBybitLinear, splitConcatenated, type InstrumentOf } from './instrument.js';

export const BYBIT_SPOT_URL = 'wss://stream.bybit.com/v5/public/spot';
export const BYBIT_LINEAR_URL = 'wss://stream.bybit.com/v5/public/linear';

export const BYBIT_CHANNELS = ['publicTrade', 'tickers'] as const;
export const BYBIT_DEFAULT_CHANNELS = BYBIT_CHANNELS;

/** "We recommend that you send the ping heartbeat packet every 20 seconds." */
export const BYBIT_PING_INTERVAL_MS = 20_000;

/**
 * "IP Limits: Do not build over 500 connections in 5 minutes. This is counted per WebSocket
 * domain." "Public channel - Args limits": the args of one public connection may not exceed
 * 21,000 characters; spot takes "up to 10 args for each subscription request"; futures have no
 * per-request limit.
 * - streamsPerConnection: 500 topics × at most 41 characters ("publicTrade." + a symbol of up to
 *   26 characters + quotes and comma) stay under the 21,000.
 * - argsPerSubscribe: 10 on spot (documented); 200 on linear (our choice: no documented limit,
 *   and a frame of 200 topics is about 5 kB).
 */
export const BYBIT_SPOT_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 500,
  connectAttempts: Object.freeze({ count: 500, windowMs: 5 * 60_000 }),
  argsPerSubscribe: 10,
});
export const BYBIT_LINEAR_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 500,
  connectAttempts: Object.freeze({ count: 500, windowMs: 5 * 60_000 }),
  argsPerSubscribe: 200,
});

/** Bybit sends prices as strings; "" means "no value" (e.g. linear `preOpenPrice`). */

function trade(d: Obj): MarketEvent {
  const s = d.s;
  const p = d.p;
  const v = d.v;
  if (typeof s !== 'string' || typeof p !== 'string' || typeof v !== 'string') {
    return err('malformed_frame', 'publicTrade item lacks s, p or v');
  }
  const time = d.T;
  if (typeof time !== 'number' || !(time > 0 && time < Infinity)) return err('invalid_timestamp', `publicTrade ${s} has no usable T`);
  const price = +p;
  const size = +v;
  // `!(x > 0 && x < Infinity)` rejects NaN, 0, negatives and Infinity in two comparisons.
  if (!(price > 0 && price < Infinity && size > 0 && size < Infinity)) {
    return err('invalid_price', `publicTrade ${s} p ${preview(p)} v ${preview(v)}`);
  }
  const side = d.S === 'Buy' ? 'buy' : d.S === 'Sell' ? 'sell' : undefined;
  return { kind: 'trade', symbol: s, price, size, eventTime: time, side };
}

function ticker(d: Obj, ts: unknown): MarketEvent[] {
  const s = d.symbol;
  if (typeof s !== 'string') return [err('malformed_frame', 'tickers data lacks symbol')];
  const eventTime = typeof ts === 'number' ? ts : undefined;
  if (ts !== undefined && !(eventTime !== undefined && eventTime > 0 && eventTime < Infinity)) {
    return [err('invalid_timestamp', `tickers ${s} has an unusable ts`)];
  }
  const out: MarketEvent[] = [];
  const q = quote(d, s, eventTime);
  if (q) out.push(q);
  // A bad quote refuses the whole ticker: its mark fields are from the same suspect message.
  if (q?.kind === 'error') return out;
  // One message, one lag observation: beside a quote the mark leaves its time out (ingest
  // observes lag for each event that has one, and both would be the same `ts`).
  const m = mark(d, s, q ? undefined : eventTime);
  if (m) out.push(m);
  return out;
}

function quote(d: Obj, s: string, eventTime: number | undefined): MarketEvent | undefined {
  const last = decimal(d.lastPrice);
  const bid = decimal(d.bid1Price);
  const ask = decimal(d.ask1Price);
  const bidSize = decimal(d.bid1Size);
  const askSize = decimal(d.ask1Size);
  if (last === undefined && bid === undefined && ask === undefined) return undefined;
  const bad = (x: number | undefined) => x !== undefined && !(x > 0 && x < Infinity);
  const badSize = (x: number | undefined) => x !== undefined && !(x >= 0 && x < Infinity);
  if (bad(last) || bad(bid) || bad(ask) || badSize(bidSize) || badSize(askSize)) {
    return err('invalid_price', `tickers ${s} last ${show(d.lastPrice)} bid ${show(d.bid1Price)} ask ${show(d.ask1Price)}`);
  }
  const q: QuoteEvent = { kind: 'quote', symbol: s, eventTime };
  if (last !== undefined) q.last = last;
  if (bid !== undefined) q.bid = bid;
  if (ask !== undefined) q.ask = ask;
  if (bidSize !== undefined) q.bidSize = bidSize;
  if (askSize !== undefined) q.askSize = askSize;
  return q;
}

/**
 * Linear tickers carry the perpetual's markPrice, indexPrice, fundingRate and nextFundingTime
 * (string ms); a delta only those that changed. Spot tickers have none of them: no event.
 * Dated futures send fundingRate "" and nextFundingTime "0": no funding, left out.
 */
function mark(d: Obj, s: string, eventTime: number | undefined): MarketEvent | undefined {
  const markPrice = decimal(d.markPrice);
  const indexPrice = decimal(d.indexPrice);
  const fundingRate = decimal(d.fundingRate);
  const next = decimal(d.nextFundingTime);
  if (markPrice === undefined && indexPrice === undefined && fundingRate === undefined && next === undefined) return undefined;
  const bad = (x: number | undefined) => x !== undefined && !(x > 0 && x < Infinity);
  if (bad(markPrice) || bad(indexPrice) || (fundingRate !== undefined && !(fundingRate > -Infinity && fundingRate < Infinity)) || (next !== undefined && !(next >= 0 && next < Infinity))) {
    return err('invalid_price', `tickers ${s} markPrice ${show(d.markPrice)} indexPrice ${show(d.indexPrice)} fundingRate ${show(d.fundingRate)} nextFundingTime ${show(d.nextFundingTime)}`);
  }
  const m: MarkEvent = { kind: 'mark', symbol: s };
  if (eventTime !== undefined) m.eventTime = eventTime;
  if (markPrice !== undefined) m.markPrice = markPrice;
  if (indexPrice !== undefined) m.indexPrice = indexPrice;
  if (fundingRate !== undefined) m.fundingRate = fundingRate;
  if (next !== undefined && next > 0) m.nextFundingTime = next;
  return m;
}

/** The depth this adapter subscribes (`orderbook.50.<symbol>`). */
export const BYBIT_BOOK_DEPTH = 50;

/**
 * orderbook.50: a snapshot on subscribe, then deltas (size 0 removes a level). "u" is the update
 * id; u = 1 is a snapshot after the venue's service restarted ("overwrite your local orderbook"),
 * whatever `type` says. Bybit documents no step for u, so only an update id that does not
 * advance is judged (a replay, ignored); `seq` orders books of different depths and is not used.
 */
function orderbook(msg: Obj, topic: string): MarketEvent {
  const d = msg.data;
  if (!isObj(d) || typeof d.s !== 'string' || !Number.isSafeInteger(d.u)) return err('malformed_frame', `${preview(topic)} without data.s and an integer data.u`);
  const bids = textLevels(d.b);
  const asks = textLevels(d.a);
  if (!bids || !asks) return err('invalid_price', `${preview(topic)} has a level that is not a price > 0 and a size >= 0`);
  const u = d.u as number;
  return { kind: 'book', symbol: d.s, snapshot: msg.type === 'snapshot' || u === 1, bids, asks, lastId: u };
}

export const BYBIT_BOOK: BookSupport = Object.freeze({
  integrity: 'snapshot' as const,
  depths: [BYBIT_BOOK_DEPTH],
  streamsPerSymbol: 1,
  subscribeFrames: (symbols: readonly string[]) => {
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += 10) {
      const args = symbols.slice(i, i + 10).map((sym) => `orderbook.${BYBIT_BOOK_DEPTH}.${sym}`);
      frames.push(JSON.stringify({ req_id: `book-${frames.length + 1}`, op: 'subscribe', args }));
    }
    return frames;
  },
});

function topicMessage(msg: Obj, topic: string, frame: string): MarketEvent[] {
  const dot = topic.indexOf('.');
  const channel = dot < 0 ? topic : topic.slice(0, dot);
  if (channel === 'publicTrade') {
    if (!Array.isArray(msg.data)) return [err('malformed_frame', `${preview(topic)} without a data array`)];
    const out: MarketEvent[] = [];
    for (const d of msg.data) out.push(isObj(d) ? trade(d) : err('malformed_frame', 'publicTrade item is not an object'));
    return out;
  }
  if (channel === 'tickers') {
    if (!isObj(msg.data)) return [err('malformed_frame', `${preview(topic)} without a data object`)];
    return ticker(msg.data, msg.ts);
  }
  if (topic.startsWith(`orderbook.${BYBIT_BOOK_DEPTH}.`)) return [orderbook(msg, topic)];
  return [err('unknown_message', `unknown topic ${preview(topic)}: ${preview(frame)}`)];
}

/** Answers to our ops: subscribe acks and refusals, pongs. */
function opMessage(msg: Obj, op: string, frame: string): MarketEvent[] {
  if (op === 'ping' || op === 'pong') {
    if (msg.success === false) return [err('venue_error', `bybit ping refused: ${show(msg.ret_msg)}`)];
    const pong: MarketEvent = { kind: 'pong' };
    // Our ping put Date.now() in req_id; spot and linear echo it.
    const sentAt = typeof msg.req_id === 'string' && msg.req_id !== '' ? +msg.req_id : NaN;
    if (sentAt > 0 && sentAt < Infinity) pong.sentAt = sentAt;
    // {"op":"pong","args":["<server ms>"]}: the venue's clock.
    const arg0: unknown = Array.isArray(msg.args) ? msg.args[0] : undefined;
    const server = typeof arg0 === 'string' && arg0 !== '' ? +arg0 : typeof arg0 === 'number' ? arg0 : NaN;
    if (server > 0 && server < Infinity) pong.serverTime = server;
    return [pong];
  }
  if (msg.success === false) {
    const text = `bybit ${preview(op)} refused: ${show(msg.ret_msg)}`;
    return [err(op === 'subscribe' ? 'subscribe_failed' : 'venue_error', text)];
  }
  if (op === 'subscribe') return [{ kind: 'subscribed', ok: true, message: `request ${show(msg.req_id ?? '')} acknowledged` }];
  if (op === 'unsubscribe') return [];
  return [err('unknown_message', `unknown op ${preview(op)}: ${preview(frame)}`)];
}

function parse(frame: string): MarketEvent[] {
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  if (typeof msg.topic === 'string') return topicMessage(msg, msg.topic, frame);
  if (typeof msg.op === 'string') return opMessage(msg, msg.op, frame);
  return [err('unknown_message', `unrecognised frame: ${preview(frame)}`)];
}

/**
 * A Bybit v5 public adapter for one category endpoint. Spot and linear speak the same protocol
 * and differ in endpoint and subscribe limits, so each is its own venue key.
 */
export function createBybitAdapter(venue: string, defaultUrl: string, limits: VenueLimits, split: InstrumentOf = splitConcatenated): Adapter {
  const perFrame = limits.argsPerSubscribe ?? 10;
  return {
    venue,
    defaultUrl,
    limits,
    defaultChannels: BYBIT_DEFAULT_CHANNELS,
    channels: BYBIT_CHANNELS,
    // Spot and perpetuals BTCUSDT; dated linear futures BTC-27DEC24.
    symbolSpelling: { pattern: /^[A-Z0-9]{2,}(-[A-Z0-9]+)?$/, example: 'BTCUSDT' },
    instrumentOf: split,
    streamsFor: (symbols, channels) => symbols.length * channels.length,
    // The path is the category; a base URL (testnet, proxy) is used as given.
    url: (base) => base,
    subscribeFrames(symbols, channels) {
      const topics: string[] = [];
      for (const s of symbols) for (const c of channels) topics.push(`${c}.${s}`);
      const frames: string[] = [];
      for (let i = 0; i < topics.length; i += perFrame) {
        const args = topics.slice(i, i + perFrame);
        frames.push(JSON.stringify({ req_id: `sub-${frames.length + 1}`, op: 'subscribe', args }));
      }
      return frames;
    },
    parse,
    book: BYBIT_BOOK,
    appPing: Object.freeze({ intervalMs: BYBIT_PING_INTERVAL_MS, frame: (now: number) => `{"req_id":"${now}","op":"ping"}` }),
  };
}

/** Bybit spot. */
export const bybit: Adapter = createBybitAdapter('bybit', BYBIT_SPOT_URL, BYBIT_SPOT_LIMITS);
/**
 * The spot endpoint sends no mark price or funding, and refuses nothing for asking: a linear feed
 * pointed at it would subscribe perpetual symbols that never come. Refused at config load.
 */
function linearUrlProblems(_options: Readonly<Record<string, unknown>>, feed: { readonly url?: string }): OptionProblem[] {
  let path: string;
  try {
    path = feed.url === undefined ? '' : new URL(feed.url).pathname;
  } catch {
    return []; // the url check reports it
  }
  return /\/v5\/public\/(spot|inverse|option)\/?$/.test(path)
    ? [{ path: ['url'], message: `${path} is not Bybit's linear category; bybit-linear needs ${new URL(BYBIT_LINEAR_URL).pathname} (perpetuals and futures)` }]
    : [];
}

/** Bybit USDT/USDC perpetuals and futures. */
export const bybitLinear: Adapter = {
  ...createBybitAdapter('bybit-linear', BYBIT_LINEAR_URL, BYBIT_LINEAR_LIMITS, splitBybitLinear),
  validateOptions: linearUrlProblems,
};
