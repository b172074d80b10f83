/**
 * The contract between a venue adapter (pure: frames in, events out) and the rest of the exporter.
 * Adapters never touch sockets, timers or metrics; connection.ts and the pipeline do.
 */
import type { InstrumentOf } from './instrument.js';
import type { Book } from '../book/book.js';

/** Why a connection was (re)opened. A closed set: it becomes the `reason` label. */
export const RECONNECT_REASONS = [
  'closed', // the server closed the socket (any code not listed below)
  'error', // socket error (reset, refused, DNS, TLS)
  'connect_timeout', // no open within connection.connectTimeout
  'handshake_rejected', // HTTP status on the upgrade (429, 418, 5xx, ...)
  'ping_timeout', // protocol or app-level pings went unanswered
  'stale', // open, but silent for longer than connection.silenceTimeout
  'venue_notice', // the venue announced maintenance or asked us to reconnect
  'venue_error', // the venue sent an error frame that ends the session
  'lifetime', // the venue's maximum connection lifetime was reached
  'subscribe_failed', // the venue refused a subscription
  'config_reload', // the symbol set changed
] as const;
export type ReconnectReason = (typeof RECONNECT_REASONS)[number];

/** Why a frame or event was dropped. A closed set: it becomes the `type` label of errors_total. */
export const ERROR_TYPES = [
  'malformed_frame', // not JSON, truncated, binary where text was expected
  'oversized_frame', // larger than limits.maxFrameBytes
  'unknown_message', // valid JSON of a type the adapter does not know
  'invalid_price', // NaN, Infinity, zero or negative price or size, or a size over MAX_TRADE_SIZE (ingest.ts)
  'invalid_timestamp', // missing, unparseable, or more than 5 min ahead of the local clock (ingest.ts)
  'unknown_symbol', // a symbol that is not in the feed's config (never a new series)
  'venue_error', // the venue sent an error frame
  'subscribe_failed', // a subscription was refused
  'internal_error', // processing the event threw: a bug, counted so it shows instead of crashing
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** A trade print. Times are epoch milliseconds (fractions allowed for µs venues). */
export interface TradeEvent {
  kind: 'trade';
  symbol: string;
  price: number;
  size: number;
  /** Venue's event (or trade) time, epoch ms. */
  eventTime: number;
  /** Venue's per-symbol sequence number (trade id, sequence, seq) where it has one. */
  seq?: number;
  side?: 'buy' | 'sell';
}

/** Top of book / ticker: any subset of bid, ask and last. */
export interface QuoteEvent {
  kind: 'quote';
  symbol: string;
  bid?: number;
  ask?: number;
  bidSize?: number;
  askSize?: number;
  last?: number;
  eventTime?: number;
  seq?: number;
}

/**
 * Perpetual-swap state: mark and index price, funding rate and the next funding time. Any subset:
 * a Bybit ticker delta carries only what changed, OKX sends mark and funding on separate channels.
 */
export interface MarkEvent {
  kind: 'mark';
  symbol: string;
  markPrice?: number;
  indexPrice?: number;
  /** Per funding interval, as a ratio (0.0001 = 0.01%); may be negative. */
  fundingRate?: number;
  /** When the next funding is settled, epoch ms. */
  nextFundingTime?: number;
  /** Venue's event time, epoch ms. */
  eventTime?: number;
}

/** A venue heartbeat: proves the feed is alive even when nothing trades. */
export interface HeartbeatEvent {
  kind: 'heartbeat';
  symbol?: string;
  eventTime?: number;
  seq?: number;
}

/** Answer to an app-level ping. `sentAt` echoes our ping time (ms) where the venue echoes it. */
export interface PongEvent {
  kind: 'pong';
  /** Our local send time, epoch ms, if the venue echoes what we sent. */
  sentAt?: number;
  /** Venue clock when it answered, epoch ms (for clock-skew estimation). */
  serverTime?: number;
}

/** The venue confirmed (or refused) a subscription. */
export interface SubscribedEvent {
  kind: 'subscribed';
  ok: boolean;
  message?: string;
}

/** A frame that could not become market data: counted by type, logged at a bounded rate. */
export interface ErrorEvent {
  kind: 'error';
  type: ErrorType;
  message: string;
  /** Set when the error should end the connection (then it is the reconnect reason). */
  reconnect?: ReconnectReason;
}

/** A venue announcement (maintenance, forced disconnect ahead). */
export interface NoticeEvent {
  kind: 'notice';
  message: string;
  reconnect?: ReconnectReason;
}

/**
 * What a venue says of its own state, as the venue reports it (src/feeds/venue-status.ts parses
 * each venue's frames; market/venue-state.ts decides how long each word holds). A closed set: it
 * becomes the `status` label of market_venue_status, with `unknown` (nothing said, or said too
 * long ago) added by the state.
 * - online, maintenance, cancel_only, post_only: the trading engine's state (Kraken `status`).
 * - restart_announced: the server carrying this connection is about to close it for a restart or
 *   upgrade (Binance `serverShutdown`, OKX notice 64008); the socket layer reconnects at once.
 */
export const VENUE_STATUSES = ['online', 'maintenance', 'cancel_only', 'post_only', 'restart_announced'] as const;
export type VenueStatus = (typeof VENUE_STATUSES)[number];

/** The venue's own word on its state (not a notice: it drives market_venue_status). */
export interface VenueStatusEvent {
  kind: 'venue_status';
  status: VenueStatus;
  message: string;
  /**
   * Start of the next scheduled maintenance window the venue announces for this service, epoch ms
   * (Kraken `upcoming_maintenance`); null when the venue says none is scheduled; absent when the
   * frame does not say.
   */
  maintenanceStart?: number | null;
}

/**
 * Price levels of one symbol's book: a snapshot replaces the book, an update sets levels (qty 0
 * removes one). Levels are flat [price, qty, price, qty, ...] in the order the venue sent them.
 */
export interface BookEvent {
  kind: 'book';
  symbol: string;
  snapshot: boolean;
  bids: number[];
  asks: number[];
  /** The venue's checksum of its book after this message (Kraken: CRC32 of the top 10 levels). */
  checksum?: number;
  /** Decimals the venue writes prices and quantities with, read from the frame (for the checksum). */
  priceDecimals?: number;
  qtyDecimals?: number;
  /** First and last update id the message covers (Binance `U`, `u`; a REST snapshot's lastUpdateId as both). */
  firstId?: number;
  lastId?: number;
}

export type MarketEvent =
  | BookEvent
  | TradeEvent
  | QuoteEvent
  | MarkEvent
  | HeartbeatEvent
  | PongEvent
  | SubscribedEvent
  | ErrorEvent
  | NoticeEvent
  | VenueStatusEvent;

/** Limits the venue imposes; they drive the pool and the saturation metrics. */
export interface VenueLimits {
  /** Streams (symbol×channel subscriptions) one connection may carry. */
  streamsPerConnection: number;
  /** Connection attempts allowed per window per IP. */
  connectAttempts?: { count: number; windowMs: number };
  /** Subscriptions per subscribe frame (Bybit spot: 10). */
  argsPerSubscribe?: number;
  /** Forced disconnect after this long (Binance: 24 h). */
  maxLifetimeMs?: number;
  /** Client messages per second the venue accepts (Binance: 5). */
  outgoingPerSecond?: number;
}

export interface SymbolSpelling {
  readonly pattern: RegExp;
  /** Shown in the error: `BTC/USD`. */
  readonly example: string;
}

/** App-level keepalive for venues that need it (OKX text ping, Bybit/Kraken JSON ping). */
export interface AppPing {
  intervalMs: number;
  /** The frame to send; `now` is local epoch ms so venues that echo it give a round trip. */
  frame(now: number): string;
}

/**
 * One problem with a feed's venue-specific settings. `path` is relative to the feed entry
 * (`['options', 'fields', 'price']`, `['url']`), so the config loader can prefix `feeds[i]`.
 */
export interface OptionProblem {
  path: readonly (string | number)[];
  message: string;
}

/**
 * How a venue's book channel is kept honest: `checksum` (the venue sends a checksum of its top
 * levels; a mismatch resubscribes), `sequence` (diff updates carry update ids; a break refetches
 * a REST snapshot, as the venue documents) or `snapshot` (every push is the whole book, OKX
 * `books5`: nothing to keep in step).
 */
export type BookIntegrity = 'checksum' | 'sequence' | 'snapshot';

/** An adapter's order-book channel (opt-in per feed: `book:` in the config). */
export interface BookSupport {
  readonly integrity: BookIntegrity;
  /** Depths the venue lets a subscription ask for; absent: any from 1 to 1000. */
  readonly depths?: readonly number[];
  /** Streams one book costs on a connection. */
  readonly streamsPerSymbol: number;
  /** Frames (or stream names folded into frames) subscribing these symbols' books. */
  subscribeFrames(symbols: readonly string[], depth: number): string[];
  /** checksum venues: frames that drop and re-request one symbol's book, for a fresh snapshot. */
  resubscribeFrames?(symbol: string, depth: number): string[];
  /** sequence venues: the REST base URL when the feed's `book.restUrl` is not set. */
  readonly defaultRestUrl?: string;
  /** sequence venues: where a snapshot of `symbol` at `depth` levels is fetched. */
  snapshotUrl?(restBase: string, symbol: string, depth: number): string;
  /** sequence venues: a REST snapshot's body as a snapshot BookEvent. Never throws. */
  parseSnapshot?(symbol: string, body: string): BookEvent | ErrorEvent;
  /** checksum venues: the venue's checksum of a book, for comparison with BookEvent.checksum. */
  checksum?(book: Book, priceDecimals: number, qtyDecimals: number): number;
  /**
   * The `limits.maxFrameBytes` a feed with books needs, where the venue's first book frame is the
   * whole book (Coinbase `level2_batch`): below it that frame would be dropped as oversized and the
   * book never synced, so the config loader refuses the combination.
   */
  readonly minFrameBytes?: number;
}

/** A venue adapter. Pure: no sockets, timers or metrics. One file per venue under src/feeds/. */
export interface Adapter {
  readonly venue: string;
  readonly defaultUrl: string;
  readonly limits: VenueLimits;
  /** Channels subscribed when the config gives none. */
  readonly defaultChannels: readonly string[];
  /** Channels this adapter understands (validated at config load). */
  readonly channels: readonly string[];
  /**
   * How the venue spells a symbol, checked at config load: a symbol spelled for another venue
   * would subscribe to nothing and never trade. Absent: any spelling (the generic feed).
   */
  readonly symbolSpelling?: SymbolSpelling;
  /**
   * How the venue spells a pair (src/feeds/instrument.ts), for each symbol's canonical
   * `instrument`. Absent: the symbol is its own instrument unless the config names one.
   */
  readonly instrumentOf?: InstrumentOf;
  /** Streams one symbol costs on a connection (one per channel). */
  streamsFor(symbols: readonly string[], channels: readonly string[]): number;
  /** The URL to open for this connection's symbols (Binance puts streams in the URL). */
  url(base: string, symbols: readonly string[], channels: readonly string[]): string;
  /** Frames to send right after open (empty when the URL subscribes). */
  subscribeFrames(symbols: readonly string[], channels: readonly string[]): string[];
  /** Parse one text frame. Never throws: bad input becomes an ErrorEvent. */
  parse(frame: string): MarketEvent[];
  /** App-level ping, if the venue needs one on top of WebSocket pings. */
  readonly appPing?: AppPing;
  /**
   * Venue-specific checks of a feed (its `options`, and anything the venue requires, such as a
   * `url` for a venue without a default endpoint). Called by the config loader; empty when valid.
   */
  validateOptions?(options: Readonly<Record<string, unknown>>, feed: { readonly url?: string }): OptionProblem[];
  /**
   * The adapter for one feed, built from its validated `options`. Venues whose frames depend on
   * options (the generic JSON adapter) implement it; the exporter calls it once per feed.
   */
  configure?(options: Readonly<Record<string, unknown>>): Adapter;
  /** The venue's order-book channel, where the adapter has one. */
  readonly book?: BookSupport;
}
