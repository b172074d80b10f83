/**
 * The one place a metric name is spelled. Rules, dashboards, docs/metrics.md and tests are all
 * checked against METRICS. Base units, `_total` on counters, labels only from configuration.
 */
import { NATIVE_OUTPUT_NAMES, type NativeOutput } from '../indicators/registry.js';

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

/** Feed lag buckets: venue event time to receive, from sub-millisecond to "something is wrong". */
export const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Per-frame processing buckets: the hot path should sit in the microseconds. */
export const PROCESSING_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
] as const;

const def = <const N extends string>(
  name: N,
  type: MetricType,
  labels: readonly string[],
  help: string,
  buckets?: readonly number[],
) => ({ name, type, labels, help, ...(buckets ? { buckets } : {}) }) as const;

const X = ['exchange'] as const;
const XS = ['exchange', 'symbol'] as const;

export const METRICS = {
  // ---- market ----
  price: def('market_price', 'gauge', XS, 'Last traded price (quote currency).'),
  bid: def('market_bid_price', 'gauge', XS, 'Best bid price.'),
  ask: def('market_ask_price', 'gauge', XS, 'Best ask price.'),
  spread: def('market_spread', 'gauge', XS, 'Best ask minus best bid (quote currency).'),
  volume: def('market_traded_volume_total', 'counter', XS, 'Traded base-currency volume.'),
  trades: def('market_trades_total', 'counter', XS, 'Trades received.'),
  lastTrade: def('market_last_trade_timestamp_seconds', 'gauge', XS, 'Venue event time of the last trade, Unix seconds.'),
  barOpen: def('market_bar_open', 'gauge', [...XS, 'interval'], 'Open of the last closed bar.'),
  barHigh: def('market_bar_high', 'gauge', [...XS, 'interval'], 'High of the last closed bar.'),
  barLow: def('market_bar_low', 'gauge', [...XS, 'interval'], 'Low of the last closed bar.'),
  barClose: def('market_bar_close', 'gauge', [...XS, 'interval'], 'Close of the last closed bar.'),
  barVolume: def('market_bar_volume', 'gauge', [...XS, 'interval'], 'Base-currency volume of the last closed bar.'),
  barEnd: def('market_bar_end_timestamp_seconds', 'gauge', [...XS, 'interval'], 'End time of the last closed bar, Unix seconds.'),
  lateTrades: def('market_bar_late_trades_total', 'counter', XS, 'Trades that arrived after their bar had closed (not applied to bars).'),
  windowReturn: def('market_window_return_ratio', 'gauge', [...XS, 'window'], 'Price change over the trailing window, from its first to its last tick, as a ratio (0.01 = +1%).'),
  windowHigh: def('market_window_high_price', 'gauge', [...XS, 'window'], 'Highest tick price in the trailing window.'),
  windowLow: def('market_window_low_price', 'gauge', [...XS, 'window'], 'Lowest tick price in the trailing window.'),
  indicator: def('market_indicator', 'gauge', [...XS, 'interval', 'indicator'], 'Technical indicator computed on closed bars (see docs/metrics.md for the indicator values).'),

  // ---- feed health ----
  feedUp: def('market_feed_up', 'gauge', X, '1 when every connection of the feed is open and subscribed, else 0.'),
  feedSymbols: def('market_feed_symbols', 'gauge', X, 'Symbols configured on the feed.'),
  lastMessage: def('market_feed_last_message_timestamp_seconds', 'gauge', X, 'Local time the last frame of the feed arrived (the feed\'s start until the first), Unix seconds.'),
  dataSilence: def('market_feed_data_silence_seconds', 'gauge', X, 'Seconds, as of the scrape, since the quietest connection of the feed delivered market data (a trade or quote; acks, pongs and heartbeats do not count), or since the feed started.'),
  symbolLastMessage: def('market_symbol_last_update_timestamp_seconds', 'gauge', XS, 'Local time the last trade, quote or heartbeat for the symbol arrived, Unix seconds.'),
  messages: def('market_feed_messages_total', 'counter', X, 'Frames received from the feed.'),
  receivedBytes: def('market_feed_received_bytes_total', 'counter', X, 'Bytes of frames received from the feed.'),
  lag: def('market_feed_lag_seconds', 'histogram', X, 'Venue event time to local receive time.', LAG_BUCKETS),
  reconnects: def('market_feed_reconnects_total', 'counter', [...X, 'reason'], 'Reconnects, by why the previous connection or attempt ended (a refused attempt counts too).'),
  errors: def('market_feed_errors_total', 'counter', [...X, 'type'], 'Frames or events dropped, by type.'),
  heartbeats: def('market_feed_heartbeats_total', 'counter', X, 'Venue heartbeats received.'),
  pingRtt: def('market_feed_ping_rtt_seconds', 'gauge', X, 'Round trip of the last answered ping.'),
  clockSkew: def('market_feed_clock_skew_seconds', 'gauge', X, 'Estimated venue clock minus local clock (positive: venue ahead).'),
  seqGaps: def('market_sequence_gaps_total', 'counter', XS, 'Sequence gaps seen (a jump forward in the venue sequence).'),
  seqMissed: def('market_sequence_missed_total', 'counter', XS, 'Sequence numbers skipped over by gaps (messages presumed lost).'),
  seqDuplicates: def('market_sequence_duplicates_total', 'counter', XS, 'Messages whose sequence number was already seen.'),
  seqOutOfOrder: def('market_sequence_out_of_order_total', 'counter', XS, 'Messages older than the latest seen sequence number (late, not duplicate).'),

  // ---- saturation ----
  connections: def('market_feed_connections', 'gauge', X, 'Open connections of the feed.'),
  connectionsPlanned: def('market_feed_connections_planned', 'gauge', X, 'Connections the pool needs for the configured symbols.'),
  streams: def('market_feed_streams', 'gauge', X, 'Streams (symbol x channel subscriptions) across the feed.'),
  streamsLimit: def('market_feed_streams_per_connection_limit', 'gauge', X, 'Streams one connection may carry (venue limit).'),
  streamsMaxUsed: def('market_feed_streams_per_connection_max', 'gauge', X, 'Streams on the fullest connection of the feed.'),
  queueDepth: def('market_ingest_queue_depth', 'gauge', [], 'Events waiting to be processed.'),
  queueCapacity: def('market_ingest_queue_capacity', 'gauge', [], 'Events the ingest queue holds before it conflates.'),
  conflated: def('market_ingest_conflated_total', 'counter', X, 'Events merged into a newer event of the same symbol because the queue was full.'),
  processing: def('market_processing_seconds', 'histogram', X, 'Time to process one frame (parse, sequence, bars, windows, metrics).', PROCESSING_BUCKETS),
  loopLag: def('market_event_loop_lag_seconds', 'gauge', [], 'Event-loop delay p99 over the last interval.'),
  loopLagMax: def('market_event_loop_lag_max_seconds', 'gauge', [], 'Longest event-loop delay over the last interval.'),
  loopUtil: def('market_event_loop_utilization_ratio', 'gauge', [], 'Share of the last interval the event loop was busy.'),

  // ---- self ----
  buildInfo: def('market_exporter_build_info', 'gauge', ['version', 'revision', 'branch', 'build_date', 'node_version'], 'Always 1; labels say what is running.'),
  reloadOk: def('market_exporter_config_last_reload_successful', 'gauge', [], '1 if the last config (re)load succeeded.'),
  reloadTime: def('market_exporter_config_last_reload_success_timestamp_seconds', 'gauge', [], 'Time of the last successful config (re)load, Unix seconds.'),
  scrapeDuration: def('market_exporter_scrape_duration_seconds', 'gauge', [], 'Time the previous /metrics render took.'),
  logsSuppressed: def('market_exporter_log_messages_suppressed_total', 'counter', ['kind'], 'Log lines not written because of the per-kind rate limit.'),
  shardSymbols: def('market_exporter_shard_symbols', 'gauge', ['shard'], 'Symbols this replica carries over all its feeds (its shard of each feed\'s list); shard is its shard.index, shared by HA replicas of one shard.'),
  shards: def('market_exporter_shards', 'gauge', [], 'shard.count: exporters the symbols are split over (1: not sharded).'),
} as const satisfies Record<string, MetricDef>;

export type MetricKey = keyof typeof METRICS;

/**
 * Scrape groups, selected with `/metrics?collect[]=<group>` (or left out with `exclude[]=`), as
 * node_exporter filters its collectors: a scrape job per group, each at its own interval. `health`
 * and `moves` are the fast lane, what the alerts that must notify in seconds read (scraped every
 * second: small, so cheap at that rate); `rest` is everything else, including the process
 * metrics, scraped at the usual 15 s. A family is in exactly one group, so two jobs never
 * scrape the same series.
 */
export const SCRAPE_GROUPS = {
  health: [
    METRICS.feedUp,
    METRICS.feedSymbols,
    METRICS.lastMessage,
    METRICS.dataSilence,
    METRICS.messages,
    METRICS.reconnects,
    METRICS.errors,
    METRICS.queueDepth,
    METRICS.queueCapacity,
    METRICS.conflated,
    METRICS.symbolLastMessage,
    METRICS.seqGaps,
    METRICS.seqMissed,
    // The shard every feed rule joins on: in the same scrape as the series it labels, or the
    // first seconds after a (re)start would see them without it and alert twice (with and
    // without `shard`).
    METRICS.shardSymbols,
  ],
  moves: [METRICS.price, METRICS.windowReturn],
  rest: [] as MetricDef[],
} satisfies Record<string, readonly MetricDef[]>;
export type ScrapeGroup = keyof typeof SCRAPE_GROUPS;
export const SCRAPE_GROUP_NAMES = Object.keys(SCRAPE_GROUPS) as ScrapeGroup[];

/** The group of a family: `rest` unless a fast-lane group names it. */
export function scrapeGroupOf(def: MetricDef): ScrapeGroup {
  for (const g of SCRAPE_GROUP_NAMES) if ((SCRAPE_GROUPS[g] as readonly MetricDef[]).includes(def)) return g;
  return 'rest';
}

/**
 * The native indicators' label values, in the order of src/indicators/registry.ts. Closed set;
 * which are exported depends on config. Extra indicators add theirs (EXTRA_OUTPUT_NAMES), per
 * symbol, where a config names them.
 */
export const INDICATOR_NAMES: readonly IndicatorName[] = NATIVE_OUTPUT_NAMES;
export type IndicatorName = NativeOutput;

/** Every metric name the exporter can expose, including histogram series suffixes. */
export function exposedNames(): Set<string> {
  const out = new Set<string>();
  for (const m of Object.values(METRICS) as MetricDef[]) {
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(m.name + s);
    else out.add(m.name);
  }
  return out;
}
