/**
 * The per-feed and process-wide families: each one's definition beside the reader of its value,
 * in exposition order (they follow the per-symbol families). render.ts walks this table.
 */
import { DEFAULT_SHARD } from '../../config/defaults.js';
import type { BasisPair, ShardConfig } from '../../config/types.js';
import { LAG_BUCKETS, PROCESSING_BUCKETS, type FeedState } from '../../market/feed-state.js';
import type { BucketHistogram } from '../../market/histogram.js';
import type { SymbolState } from '../../market/symbol.js';
import { VENUE_STATES, type VenueStateName } from '../../market/venue-state.js';
import { def, X, type MetricDef } from '../def.js';
import { BOOK_FAMILIES } from './book.js';
import { escapeLabelValue } from '../text.js';
import { BACKFILL_FAMILIES } from './backfill.js';

/** Process-wide values that are not per feed. */
export interface SelfStats {
  queueDepth: number;
  queueCapacity: number;
  loopLag: number;
  loopLagMax: number;
  loopUtil: number;
  version: string;
  nodeVersion: string;
  /** Revision, branch and build date (src/version.ts); 'unknown' when absent. */
  build?: { revision: string; branch: string; buildDate: string };
  reloadOk: number;
  reloadTime: number;
  scrapeDuration: number;
  logsSuppressed: Record<string, number>;
  /** This replica's shard; absent: not sharded. */
  shard?: ShardConfig;
  /** The config's perpetual-to-spot pairs (families/perp.ts); absent: none. */
  basis?: readonly BasisPair[];
}

/**
 * How a family's value is read: `feed`, a series per feed (NaN: absent); `labelled`, a series per
 * feed and key of a record (every key, zeros included); `histogram`, cumulative buckets per feed;
 * `process`, one unlabelled series (NaN: absent); `series`, label text (escaped) and value of each
 * series, for families labelled by something other than a feed; `info`, below.
 */
export type FeedFamily =
  | { readonly kind: 'feed'; readonly def: MetricDef; read(f: FeedState, now: number): number }
  | { readonly kind: 'labelled'; readonly def: MetricDef; readonly label: string; read(f: FeedState, now: number): Readonly<Record<string, number>> }
  | { readonly kind: 'histogram'; readonly def: MetricDef; read(f: FeedState): BucketHistogram }
  | { readonly kind: 'process'; readonly def: MetricDef; read(self: SelfStats): number }
  | { readonly kind: 'series'; readonly def: MetricDef; series(feeds: readonly FeedState[], self: SelfStats): [labels: string, value: number][] }
  | InfoFamily;

/**
 * An info family: a series per symbol, always 1, whose label text (escaped) changes only with the
 * symbol's `key`. The renderer keeps its text until a symbol or a key changes (render.ts).
 */
export interface InfoFamily {
  readonly kind: 'info';
  readonly def: MetricDef;
  key(s: SymbolState): string;
  labels(s: SymbolState): string;
}

const feed = <D extends MetricDef>(d: D, read: (f: FeedState, now: number) => number) => ({ kind: 'feed' as const, def: d, read });
const proc = <D extends MetricDef>(d: D, read: (self: SelfStats) => number) => ({ kind: 'process' as const, def: d, read });
/** A state set: every state of the closed list, 1 for the current one (so each series exists from the first scrape). */
function venueStates(current: VenueStateName): Record<VenueStateName, number> {
  const out = {} as Record<VenueStateName, number>;
  for (const s of VENUE_STATES) out[s] = s === current ? 1 : 0;
  return out;
}
const unknown = (v: string | undefined) => escapeLabelValue(v ?? 'unknown');

export const FEED_FAMILIES = {
  // ---- feed health ----
  feedUp: feed(def('market_feed_up', 'gauge', X, '1 when every connection of the feed is open and subscribed, else 0.'), (f) => f.up),
  feedSymbols: feed(def('market_feed_symbols', 'gauge', X, 'Symbols configured on the feed.'), (f) => f.symbols.size),
  lastMessage: feed(
    def('market_feed_last_message_timestamp_seconds', 'gauge', X, 'Local time the last frame of the feed arrived (the feed\'s start until the first), Unix seconds.'),
    (f) => f.lastMessage / 1000,
  ),
  dataSilence: feed(
    def('market_feed_data_silence_seconds', 'gauge', X, 'Seconds, as of the scrape, since the quietest connection of the feed delivered market data (a trade, quote or perpetual mark update; acks, pongs and heartbeats do not count), or since the feed started.'),
    (f, now) => f.dataSilence(now),
  ),
  messages: feed(def('market_feed_messages_total', 'counter', X, 'Frames received from the feed.'), (f) => f.messages),
  receivedBytes: feed(def('market_feed_received_bytes_total', 'counter', X, 'Bytes of frames received from the feed.'), (f) => f.bytes),
  lag: { kind: 'histogram', def: def('market_feed_lag_seconds', 'histogram', X, 'Venue event time to local receive time.', LAG_BUCKETS), read: (f: FeedState) => f.lag },
  reconnects: {
    kind: 'labelled',
    def: def('market_feed_reconnects_total', 'counter', [...X, 'reason'], 'Reconnects, by why the previous connection or attempt ended (a refused attempt counts too).'),
    label: 'reason',
    read: (f: FeedState) => f.reconnects,
  },
  errors: {
    kind: 'labelled',
    def: def('market_feed_errors_total', 'counter', [...X, 'type'], 'Frames or events dropped, by type.'),
    label: 'type',
    read: (f: FeedState) => f.errors,
  },
  venueStatus: {
    kind: 'labelled',
    def: def(
      'market_venue_status',
      'gauge',
      [...X, 'status'],
      'What the venue says of its state, one series per state, 1 for the current one: online, maintenance, cancel_only, post_only (Kraken status channel), restart_announced (Binance serverShutdown, OKX notice 64008; held 2 min), unknown (nothing said, or an engine state not refreshable for 1 h with no connection open).',
    ),
    label: 'status',
    read: (f: FeedState, now: number) => venueStates(f.venue.state(now)),
  },
  venueMaintenanceStart: feed(
    def('market_venue_maintenance_start_timestamp_seconds', 'gauge', X, 'Start of the next maintenance window the venue announces for its spot data (Kraken upcoming_maintenance), Unix seconds; absent when none is announced.'),
    (f, now) => f.venue.nextMaintenance(now) / 1000,
  ),
  heartbeats: feed(def('market_feed_heartbeats_total', 'counter', X, 'Venue heartbeats received.'), (f) => f.heartbeats),
  pingRtt: feed(def('market_feed_ping_rtt_seconds', 'gauge', X, 'Round trip of the last answered ping.'), (f) => f.pingRtt),
  clockSkew: feed(def('market_feed_clock_skew_seconds', 'gauge', X, 'Estimated venue clock minus local clock (positive: venue ahead).'), (f) => f.clockSkew),

  // ---- saturation ----
  connections: feed(def('market_feed_connections', 'gauge', X, 'Open connections of the feed.'), (f) => f.connections),
  connectionsPlanned: feed(def('market_feed_connections_planned', 'gauge', X, 'Connections the pool needs for the configured symbols.'), (f) => f.connectionsPlanned),
  streams: feed(def('market_feed_streams', 'gauge', X, 'Streams (symbol x channel subscriptions) across the feed.'), (f) => f.streams),
  streamsLimit: feed(def('market_feed_streams_per_connection_limit', 'gauge', X, 'Streams one connection may carry (venue limit).'), (f) => f.streamsLimit),
  streamsMaxUsed: feed(def('market_feed_streams_per_connection_max', 'gauge', X, 'Streams on the fullest connection of the feed.'), (f) => f.streamsMax),
  queueDepth: proc(def('market_ingest_queue_depth', 'gauge', [], 'Events waiting to be processed.'), (s) => s.queueDepth),
  queueCapacity: proc(def('market_ingest_queue_capacity', 'gauge', [], 'Events the ingest queue holds before it conflates.'), (s) => s.queueCapacity),
  conflated: feed(def('market_ingest_conflated_total', 'counter', X, 'Events merged into a newer event of the same symbol because the queue was full.'), (f) => f.conflated),
  extraRefused: feed(
    def('market_indicator_extra_refused_total', 'counter', X, 'Extra-indicator instances not made because the feed had reached extraIndicators.maxInstances (their series stay absent).'),
    (f) => f.indicators.extraRefused,
  ),
  ...BACKFILL_FAMILIES,
  processing: {
    kind: 'histogram',
    def: def('market_processing_seconds', 'histogram', X, 'Time to take in one frame: decoding, parse, checks (price, time, sequence, lag) and queueing its events; applying them to bars, windows and indicators comes after.', PROCESSING_BUCKETS),
    read: (f: FeedState) => f.processing,
  },
  loopLag: proc(def('market_event_loop_lag_seconds', 'gauge', [], 'Event-loop delay p99 over the last interval.'), (s) => s.loopLag),
  loopLagMax: proc(def('market_event_loop_lag_max_seconds', 'gauge', [], 'Longest event-loop delay over the last interval.'), (s) => s.loopLagMax),
  loopUtil: proc(def('market_event_loop_utilization_ratio', 'gauge', [], 'Share of the last interval the event loop was busy.'), (s) => s.loopUtil),

  // ---- instruments ----
  // An info series to join (`* on(exchange, symbol) group_left(instrument)`), not a label on the
  // per-symbol families: one series per symbol where a label would lengthen all ~53 of each
  // symbol's lines (about 20% more bytes per full scrape at 10k symbols), and renaming an
  // instrument changes this one series instead of restarting every series of the symbol.
  instrumentInfo: {
    kind: 'info',
    def: def('market_instrument_info', 'gauge', ['exchange', 'symbol', 'instrument'], 'Always 1; the canonical instrument (BTC/USDT) of the symbol, for comparing one instrument across venues.'),
    key: (s: SymbolState) => s.instrument,
    labels: (s: SymbolState) => `exchange="${escapeLabelValue(s.exchange)}",symbol="${escapeLabelValue(s.symbol)}",instrument="${escapeLabelValue(s.instrument)}"`,
  },

  // ---- self ----
  buildInfo: {
    kind: 'series',
    def: def('market_exporter_build_info', 'gauge', ['version', 'revision', 'branch', 'build_date', 'node_version'], 'Always 1; labels say what is running.'),
    series: (_feeds: readonly FeedState[], self: SelfStats): [string, number][] => [
      [
        `version="${escapeLabelValue(self.version)}",revision="${unknown(self.build?.revision)}",branch="${unknown(self.build?.branch)}",build_date="${unknown(self.build?.buildDate)}",node_version="${escapeLabelValue(self.nodeVersion)}"`,
        1,
      ],
    ],
  },
  reloadOk: proc(def('market_exporter_config_last_reload_successful', 'gauge', [], '1 if the last config (re)load succeeded.'), (s) => s.reloadOk),
  reloadTime: proc(def('market_exporter_config_last_reload_success_timestamp_seconds', 'gauge', [], 'Time of the last successful config (re)load, Unix seconds.'), (s) => s.reloadTime),
  scrapeDuration: proc(def('market_exporter_scrape_duration_seconds', 'gauge', [], 'Time the previous /metrics render took.'), (s) => s.scrapeDuration),
  logsSuppressed: {
    kind: 'series',
    def: def('market_exporter_log_messages_suppressed_total', 'counter', ['kind'], 'Log lines not written because of the per-kind rate limit.'),
    series: (_feeds: readonly FeedState[], self: SelfStats) => Object.entries(self.logsSuppressed).map(([k, v]): [string, number] => [`kind="${escapeLabelValue(k)}"`, v]),
  },
  shardSymbols: {
    kind: 'series',
    def: def('market_exporter_shard_symbols', 'gauge', ['shard'], 'Symbols this replica carries over all its feeds (its shard of each feed\'s list); shard is its shard.index, shared by HA replicas of one shard.'),
    series: (feeds: readonly FeedState[], self: SelfStats): [string, number][] => {
      let carried = 0;
      for (const f of feeds) carried += f.symbols.size;
      return [[`shard="${(self.shard ?? DEFAULT_SHARD).index}"`, carried]];
    },
  },
  shards: proc(def('market_exporter_shards', 'gauge', [], 'shard.count: exporters the symbols are split over (1: not sharded).'), (s) => (s.shard ?? DEFAULT_SHARD).count),

  // ---- order books (opt-in per feed; families/book.ts) ----
  ...BOOK_FAMILIES,
} as const satisfies Record<string, FeedFamily>;
