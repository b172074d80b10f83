/**
 * Coinbase Exchange market data feed: `matches`, `ticker` and `heartbeat` channels over
 * wss://ws-feed.exchange.coinbase.com. Pure: frames in, events out.
 *
 * Sources (Coinbase Developer Platform, Exchange docs, read 2026): "Exchange WebSocket Overview"
 * (docs.cdp.coinbase.com/exchange/docs/websocket-overview: subscribe, subscriptions message,
 * sequence numbers), "Exchange WebSocket Channels" (…/websocket-channels: heartbeat, matches,
 * ticker, match, level2_batch, snapshot, l2update), "Exchange WebSocket Rate Limits" (…/websocket-rate-limits), "Exchange WebSocket
 * Errors" (…/websocket-errors) and "Exchange WebSocket Best Practices" (…/websocket-best-practices).
 *
 * Decisions worth knowing:
 * - `seq` is the match's `trade_id`, on `match` messages only. The documented per-product
 *   `sequence` counts every message of the product's full feed (received/open/done/change
 *   too), so on the matches channel it jumps between two consecutive matches and every match
 *   would look like a gap; ticker and match even share it, so attaching it to both would count
 *   duplicates. Trade ids are consecutive per product and every trade is a `match` (the docs point
 *   to the last trade id to detect matches "dropped from this channel"), so a jump in them is a
 *   real loss.
 * - `last_match`, the first message after subscribing, is the product's last trade *before* we
 *   subscribed: it becomes a quote with only `last` (the price is known at once) and no event time
 *   or seq, so a reconnect neither counts that trade twice nor records its age as lag.
 * - Ticker messages batch cascading matches, so they are quotes (best bid/ask, sizes, last price)
 *   and never trades; with `matches` also subscribed, trades would otherwise count twice.
 * - Heartbeats (once a second per product) carry the product and time but no `seq`: their
 *   `sequence`/`last_trade_id` repeat the latest number rather than having one of their own, so
 *   they would register as duplicates. They keep the per-symbol staleness and heartbeat metrics
 *   moving on products that do not trade.
 * - `side` on a match is the maker's side ("sell" = an up-tick): the taker, whose side the
 *   TradeEvent reports, is on the other side.
 * - Error frames: Coinbase sends `{"type":"error"}` before it disconnects a client (slow consumer,
 *   too many messages, message too big) and when it refuses a subscribe. The only frames this
 *   adapter sends are subscribes, so an error naming a subscription is `subscribe_failed` and any
 *   other is `venue_error`; both end the connection, because the session is over either way
 *   (a refused subscribe leaves a socket that carries nothing).
 * - Books (`level2_batch`, opt-in with `book:`): the first `snapshot` is the whole book, so a feed
 *   with books needs limits.maxFrameBytes of at least 16 MiB (checked at config load). Coinbase
 *   documents no sequence number or checksum on level2_batch: an l2update is applied as it comes,
 *   and a reconnect's new snapshot rebuilds the book.
 */
import { parseRfc3339 } from './rfc3339.js';
import type { Adapter, BookSupport, ErrorEvent, MarketEvent, QuoteEvent, VenueLimits } from './types.js';
import { err, isObj, jsonObject, type Obj, positive, preview, show, textLevels } from './frame.js';
import { splitSeparated } from './instrument.js';

/** Coinbase Market Data (no authentication). The sandbox is wss://ws-feed-public.sandbox.exchange.coinbase.com. */
export const COINBASE_URL = 'wss://ws-feed.exchange.coinbase.com';

export const COINBASE_CHANNELS = ['matches', 'ticker', 'heartbeat'] as const;
/** All three: trades, top of book, and a per-product heartbeat for staleness. */
export const COINBASE_DEFAULT_CHANNELS = COINBASE_CHANNELS;

/**
 * Product × channel subscriptions per subscribe frame. Coinbase documents no number, only that an
 * oversized frame is refused ("Message too big": "break up your subscription messages into
 * smaller requests"); 150 keeps a frame around 2 kB.
 */
export const SUBSCRIPTIONS_PER_FRAME = 150;

/**
 * - streamsPerConnection: Coinbase documents no per-connection cap; its best practices ask to
 *   spread subscriptions over several connections. 300 (100 products × 3 channels) is our choice.
 * - connectAttempts: "Requests per second per IP: 8" (bursts up to 20) in the overview's rate limits.
 * - outgoingPerSecond: "All WebSocket inbound messages are subject to a rate limit of 10 RPS"
 *   (websocket-rate-limits). The connection paces subscribes to it.
 * - The first subscribe must arrive within 5 s of connecting or Coinbase disconnects: the
 *   connection sends subscribe frames as soon as the socket opens, well inside that.
 * - No documented connection lifetime; Coinbase answers WebSocket protocol pings, so no app ping.
 */
export const COINBASE_LIMITS: VenueLimits = Object.freeze({
  streamsPerConnection: 300,
  connectAttempts: Object.freeze({ count: 8, windowMs: 1_000 }),
  argsPerSubscribe: SUBSCRIPTIONS_PER_FRAME,
  outgoingPerSecond: 10,
});






/** `!(x > 0 && x < Infinity)` rejects NaN, 0, negatives and Infinity in two comparisons. */

function match(m: Obj): MarketEvent {
  const product = m.product_id;
  const p = m.price;
  const q = m.size;
  const id = m.trade_id;
  if (typeof product !== 'string' || typeof p !== 'string' || typeof q !== 'string' || !Number.isSafeInteger(id)) {
    return err('malformed_frame', 'match lacks product_id, price, size or an integer trade_id');
  }
  const time = typeof m.time === 'string' ? parseRfc3339(m.time) : NaN;
  if (time !== time) return err('invalid_timestamp', `match ${product} time ${show(m.time)}`);
  const price = +p;
  const size = +q;
  if (!(positive(price) && positive(size))) return err('invalid_price', `match ${product} price ${preview(p)} size ${preview(q)}`);
  // `side` is the maker's; the taker set the direction from the other side of the book.
  const side = m.side === 'sell' ? 'buy' : m.side === 'buy' ? 'sell' : undefined;
  return { kind: 'trade', symbol: product, price, size, eventTime: time, seq: id as number, side };
}

function lastMatch(m: Obj): MarketEvent {
  const product = m.product_id;
  const p = m.price;
  if (typeof product !== 'string' || typeof p !== 'string') return err('malformed_frame', 'last_match lacks product_id or price');
  const last = +p;
  if (!positive(last)) return err('invalid_price', `last_match ${product} price ${preview(p)}`);
  return { kind: 'quote', symbol: product, last };
}

/** An optional decimal string: undefined when absent, NaN when present but not a number. */
function optional(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? +v : NaN;
}

function ticker(m: Obj): MarketEvent {
  const product = m.product_id;
  const p = m.price;
  if (typeof product !== 'string' || typeof p !== 'string') return err('malformed_frame', 'ticker lacks product_id or price');
  const last = +p;
  const bid = optional(m.best_bid);
  const ask = optional(m.best_ask);
  const bidSize = optional(m.best_bid_size);
  const askSize = optional(m.best_ask_size);
  const badSize = (s: number | undefined) => s !== undefined && !(s >= 0 && s < Infinity);
  if (!positive(last) || (bid !== undefined && !positive(bid)) || (ask !== undefined && !positive(ask)) || badSize(bidSize) || badSize(askSize)) {
    return err('invalid_price', `ticker ${product} price ${preview(p)} bid ${show(m.best_bid)} ask ${show(m.best_ask)}`);
  }
  let eventTime: number | undefined;
  if (m.time !== undefined) {
    eventTime = typeof m.time === 'string' ? parseRfc3339(m.time) : NaN;
    if (eventTime !== eventTime) return err('invalid_timestamp', `ticker ${product} time ${show(m.time)}`);
  }
  const q: QuoteEvent = { kind: 'quote', symbol: product, last };
  if (bid !== undefined) q.bid = bid;
  if (ask !== undefined) q.ask = ask;
  if (bidSize !== undefined) q.bidSize = bidSize;
  if (askSize !== undefined) q.askSize = askSize;
  if (eventTime !== undefined) q.eventTime = eventTime;
  return q;
}

function heartbeat(m: Obj): MarketEvent {
  const product = m.product_id;
  if (typeof product !== 'string') return err('malformed_frame', 'heartbeat lacks product_id');
  const time = typeof m.time === 'string' ? parseRfc3339(m.time) : NaN;
  return time === time ? { kind: 'heartbeat', symbol: product, eventTime: time } : { kind: 'heartbeat', symbol: product };
}

/** The book channel (opt-in per feed: `book:`); not one of `channels`, so never a default. */
export const COINBASE_BOOK_CHANNEL = 'level2_batch';

/**
 * Frames of up to 16 MiB must pass for a `level2_batch` book: its first message is the product's
 * whole book, several MB for BTC-USD, far past the default 1 MiB.
 */
export const COINBASE_BOOK_MIN_FRAME_BYTES = 16 << 20;

/**
 * level2_batch `snapshot`: the whole book, `bids`/`asks` as [price, size] strings. Coinbase
 * documents no sequence number or checksum on this channel, so nothing is judged; a reconnect
 * rebuilds the book from the next session's snapshot.
 */
function l2snapshot(m: Obj): MarketEvent {
  const product = m.product_id;
  if (typeof product !== 'string') return err('malformed_frame', 'snapshot lacks product_id');
  const bids = textLevels(m.bids);
  const asks = textLevels(m.asks);
  if (!bids || !asks) return err('invalid_price', `snapshot ${product} has a level that is not [price > 0, size >= 0] strings`);
  return { kind: 'book', symbol: product, snapshot: true, bids, asks };
}

/** level2_batch `l2update`: `changes` as [side, price, size], the size absolute ("0" removes the level). */
function l2update(m: Obj): MarketEvent {
  const product = m.product_id;
  const changes = m.changes;
  if (typeof product !== 'string' || !Array.isArray(changes)) return err('malformed_frame', 'l2update lacks product_id or changes');
  const bids: number[] = [];
  const asks: number[] = [];
  for (const ch of changes) {
    if (!Array.isArray(ch) || typeof ch[1] !== 'string' || typeof ch[2] !== 'string') {
      return err('malformed_frame', `l2update ${product} change is not [side, price, size]`);
    }
    const side = ch[0] === 'buy' ? bids : ch[0] === 'sell' ? asks : undefined;
    if (!side) return err('malformed_frame', `l2update ${product} side ${show(ch[0])}`);
    const price = +ch[1];
    const size = +ch[2];
    if (!(positive(price) && size >= 0 && size < Infinity)) return err('invalid_price', `l2update ${product} price ${preview(ch[1])} size ${preview(ch[2])}`);
    side.push(price, size);
  }
  return { kind: 'book', symbol: product, snapshot: false, bids, asks };
}

/**
 * Coinbase `level2_batch` (level2 batched every 50 ms, no authentication): `snapshot` then
 * `l2update`s. Integrity `snapshot`: nothing to check in step, as Coinbase documents none.
 */
export const COINBASE_BOOK: BookSupport = Object.freeze({
  integrity: 'snapshot' as const,
  streamsPerSymbol: 1,
  minFrameBytes: COINBASE_BOOK_MIN_FRAME_BYTES,
  subscribeFrames: (symbols: readonly string[]) => {
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += SUBSCRIPTIONS_PER_FRAME) {
      frames.push(JSON.stringify({ type: 'subscribe', product_ids: symbols.slice(i, i + SUBSCRIPTIONS_PER_FRAME), channels: [COINBASE_BOOK_CHANNEL] }));
    }
    return frames;
  },
});

function subscriptions(m: Obj): MarketEvent {
  const channels = Array.isArray(m.channels) ? m.channels : [];
  const parts: string[] = [];
  for (const c of channels) {
    if (typeof c === 'string') parts.push(c);
    else if (isObj(c)) parts.push(`${show(c.name)}(${Array.isArray(c.product_ids) ? c.product_ids.length : 0})`);
  }
  return { kind: 'subscribed', ok: true, message: preview(`subscribed: ${parts.join(', ')}`) };
}

function venueError(m: Obj): ErrorEvent {
  const message = typeof m.message === 'string' ? m.message : 'error';
  const reason = typeof m.reason === 'string' ? m.reason : '';
  const text = `coinbase error: ${preview(message)}${reason ? ` (${preview(reason)})` : ''}`;
  if (/subscri/i.test(message)) return err('subscribe_failed', text, 'subscribe_failed');
  return err('venue_error', text, 'venue_error');
}

function parse(frame: string): MarketEvent[] {
  const msg = jsonObject(frame);
  if (Array.isArray(msg)) return msg;
  switch (msg.type) {
    case 'match':
      return [match(msg)];
    case 'ticker':
      return [ticker(msg)];
    case 'heartbeat':
      return [heartbeat(msg)];
    case 'last_match':
      return [lastMatch(msg)];
    case 'l2update':
      return [l2update(msg)];
    case 'snapshot':
      return [l2snapshot(msg)];
    case 'subscriptions':
      return [subscriptions(msg)];
    case 'error':
      return [venueError(msg)];
    default:
      return [err('unknown_message', `unknown type ${show(msg.type)}`)];
  }
}

/** Coinbase Exchange. */
export const coinbase: Adapter = {
  venue: 'coinbase',
  defaultUrl: COINBASE_URL,
  limits: COINBASE_LIMITS,
  defaultChannels: COINBASE_DEFAULT_CHANNELS,
  channels: COINBASE_CHANNELS,
  symbolSpelling: { pattern: /^[A-Z0-9]+-[A-Z0-9]+$/, example: 'BTC-USD' },
  instrumentOf: (s) => splitSeparated(s, '-'),
  streamsFor: (symbols, channels) => symbols.length * channels.length,
  // Everything is subscribed with frames on the one endpoint.
  url: (base) => base,
  subscribeFrames(symbols, channels) {
    const perFrame = Math.max(1, Math.floor(SUBSCRIPTIONS_PER_FRAME / Math.max(1, channels.length)));
    const frames: string[] = [];
    for (let i = 0; i < symbols.length; i += perFrame) {
      frames.push(JSON.stringify({ type: 'subscribe', product_ids: symbols.slice(i, i + perFrame), channels: [...channels] }));
    }
    return frames;
  },
  parse,
  book: COINBASE_BOOK,
};
