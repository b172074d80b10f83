/**
 * The validated, frozen configuration. YAML keys are the camelCase names below; durations in YAML
 * are strings like "500ms", "30s", "5m", "1h" (or plain numbers of milliseconds) and are stored
 * here as milliseconds. Defaults live in defaults.ts and nowhere else.
 */
import type { GenericBackfill } from '../backfill/generic.js';
import type { NativeIndicatorConfig } from '../indicators/registry.js';

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0..1: each delay is drawn uniformly from [d*(1-jitter), d]. */
  jitter: number;
  /** A connection that stayed up this long resets the backoff to initialMs. */
  resetAfterMs: number;
}

export interface ConnectionConfig {
  connectTimeoutMs: number;
  /** WebSocket protocol ping interval (0 = off). */
  pingIntervalMs: number;
  /** Consecutive unanswered pings before the connection is declared dead. */
  maxMissedPings: number;
  /** Open but no frame for this long: a stall; reconnect (0 = off). */
  silenceTimeoutMs: number;
  backoff: BackoffConfig;
}

/** Order books of a feed (opt-in): which symbols, how deep, and the bands depth is summed within. */
export interface BookConfig {
  /** A subset of the feed's symbols. */
  symbols: string[];
  /** Distances from the mid, in basis points, within which depth is summed per side: ascending, unique. */
  bands: number[];
  /** Levels held per side (and subscribed, where the venue takes a depth). */
  depth: number;
  /** REST base for venues whose books resync from a REST snapshot (Binance); the venue's own by default. */
  restUrl?: string;
}

export interface FeedConfig {
  /** The `exchange` label. Unique. Defaults to the venue. */
  name: string;
  /** Adapter key in src/feeds/index.ts (binance, coinbase, kraken, okx, bybit, bybit-linear, binance-usdm, generic). */
  venue: string;
  /** As the venue spells them (BTCUSDT, BTC-USD, BTC/USD). */
  symbols: string[];
  /** Override the adapter's endpoint: a testnet, a proxy, a local server. */
  url?: string;
  /** Subset of the adapter's channels; defaults to the adapter's defaultChannels. */
  channels?: string[];
  /** Override the venue's streams-per-connection limit (lower it, never raise it past the venue). */
  streamsPerConnection?: number;
  /** Per-feed override of the global connection settings. */
  connection: ConnectionConfig;
  /** Venue-specific options (the generic JSON adapter's field paths live here). */
  options: Record<string, unknown>;
  /** Order books for some of the symbols; absent: none. */
  book?: BookConfig;
  /**
   * Canonical instrument (`BTC/USDT`) of some symbols, over what the adapter parses
   * (src/feeds/instrument.ts). Absent: every symbol's is parsed.
   */
  instruments?: Record<string, string>;
  /** Closed bars fetched over the venue's REST API at start and after a disconnect; absent: off. */
  backfill?: BackfillConfig;
}

/** A feed's `backfill:` (src/backfill/). */
export interface BackfillConfig {
  /** Bars per interval fetched when the indicators have none (enough to warm them). */
  depth: number;
  /** Override the venue's REST base URL (a proxy, a local server). */
  url?: string;
  /** A venue without a REST API of its own (generic): the API described in config. */
  generic?: GenericBackfill;
}

/** Each native indicator's `enabled` and parameters, by key: derived from src/indicators/registry.ts. */
export type IndicatorConfig = NativeIndicatorConfig;

/** One extra indicator (src/indicators/extra.ts) and where it runs. */
export interface ExtraIndicatorConfig {
  /** Its key in EXTRA_INDICATORS, as under `extraIndicators:` in the file. */
  indicator: string;
  params: Record<string, number>;
  /** Feed names it runs on; undefined: every feed. */
  feeds?: string[];
  /** Symbols it runs on, in those feeds; undefined: every symbol. */
  symbols?: string[];
}

export interface ExtraIndicatorsConfig {
  /** Instances (indicator x symbol x interval) allowed in all; a config that needs more is refused. */
  maxInstances: number;
  indicators: ExtraIndicatorConfig[];
}

export interface LimitsConfig {
  /** Events held in the ingest queue before it conflates per symbol. */
  queueCapacity: number;
  /** Frames larger than this are dropped (and counted) by the socket layer. */
  maxFrameBytes: number;
}

/** This replica's part of the symbols: see src/market/shard.ts and docs/scaling.md. */
export interface ShardConfig {
  /** 0-based position of this replica; less than count. HA replicas of one shard share it. */
  index: number;
  /** Replicas the symbols are split over; 1 = not sharded (carry every symbol). */
  count: number;
}

/** One feed's symbol, named by the feed's `name` (its `exchange` label). */
export interface FeedSymbol {
  feed: string;
  symbol: string;
}

/** A perpetual and the spot instrument its basis is measured against (docs/config.md, `basis`). */
export interface BasisPair {
  perp: FeedSymbol;
  spot: FeedSymbol;
}

export interface Config {
  /** host:port for the HTTP server. */
  listen: string;
  feeds: FeedConfig[];
  /** Bar intervals, as labels ("1m") and their length in ms. */
  intervals: { label: string; ms: number }[];
  /** Rolling tick windows for return/high/low. */
  windows: { label: string; ms: number }[];
  /** Bars of an idle symbol close this long after their end. */
  barCloseGraceMs: number;
  indicators: IndicatorConfig;
  /** Library-computed indicators for the feeds and symbols named (none by default). */
  extraIndicators: ExtraIndicatorsConfig;
  limits: LimitsConfig;
  /** Every feed carries only the symbols that hash to shard.index (all of them when count is 1). */
  shard: ShardConfig;
  /** Perpetuals and their spot instruments: exported as market_perp_spot_info for the basis rule. */
  basis: BasisPair[];
  /** Whether POST /-/reload is served. */
  enableReloadEndpoint: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Asset codes to rename in instruments (XBT: BTC), over DEFAULT_ASSET_ALIASES; absent: those alone. */
  assetAliases?: Record<string, string>;
  /** The file it came from, for messages; undefined for the built-in default. */
  source?: string;
}
