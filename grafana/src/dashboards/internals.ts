/**
 * Exporter internals: is the exporter itself keeping up? Connections and streams against venue
 * limits, the ingest queue against its capacity, drops, per-frame processing time, the event
 * loop, memory and CPU.
 */
import { alertAnnotation, bargauge, dashboard, EX, limit, q, stat, table, timeseries, variable } from '../build.js';
import type { DashboardJson } from '../schema.js';
import { exchangeVar, symbolVar, UID } from './common.js';

/** Process-wide series of the selected exporters (Prometheus and Alertmanager expose process_* too). */
const INST = 'instance=~"$instance"';
const PROC = `job="market-exporter", ${INST}`;

export function internals(): DashboardJson {
  return dashboard({
    uid: UID.internals,
    title: 'Exporter internals',
    description: 'Connections and streams vs limits, ingest queue vs capacity, drops, processing time, event loop, memory and CPU.',
    variables: [
      exchangeVar(true),
      symbolVar(true),
      variable({
        name: 'instance',
        label: 'Exporter',
        description: 'Exporter processes (the Prometheus instance label).',
        query: 'label_values(market_exporter_build_info, instance)',
        multi: true,
      }),
    ],
    annotation: alertAnnotation('exchange=~"$exchange|"'),
    rows: [
      {
        title: 'Exporter',
        panels: [
          table({
            title: 'Build',
            description: 'What is running where.',
            w: 7,
            h: 5,
            queries: [q(`market_exporter_build_info{${INST}}`)],
            columns: { instance: 'Instance', version: 'Version', node_version: 'Node.js' },
            hide: ['Value', 'job'],
          }),
          table({
            title: 'Shards',
            description:
              'Which shard of the symbols each exporter carries (shard.index), how many symbols that is, and of how many shards (shard.count). Exporters with the same shard are HA replicas (docs/scaling.md).',
            w: 6,
            h: 5,
            queries: [
              q(`max by (instance, shard) (market_exporter_shard_symbols{${INST}})`),
              q(`max by (instance) (market_exporter_shards{${INST}})`),
            ],
            columns: { instance: 'Instance', shard: 'Shard', 'Value #A': 'Symbols', 'Value #B': 'Of shards' },
          }),
          stat({
            title: 'Config reload',
            description: 'Whether the last config (re)load succeeded; a failed reload keeps the previous config running.',
            w: 3,
            h: 5,
            queries: [q(`min(market_exporter_config_last_reload_successful{${INST}})`, 'last reload')],
            mappings: [
              {
                type: 'value',
                options: { '0': { text: 'FAILED', color: 'red', index: 0 }, '1': { text: 'OK', color: 'green', index: 1 } },
              },
            ],
          }),
          stat({
            title: 'Config loaded',
            description: 'When the running config was last loaded successfully.',
            w: 4,
            h: 5,
            unit: 'dateTimeFromNow',
            queries: [q(`max(market_exporter_config_last_reload_success_timestamp_seconds{${INST}}) * 1000`, 'loaded')],
          }),
          stat({
            title: 'Uptime',
            description: 'Time since the exporter process started.',
            w: 4,
            h: 5,
            unit: 's',
            queries: [q(`time() - max(process_start_time_seconds{${PROC}})`, 'uptime')],
          }),
        ],
      },
      {
        title: 'Connections and streams',
        panels: [
          timeseries({
            title: 'Connections: open vs planned',
            description: 'Open connections per feed against the number the pool needs for the configured symbols.',
            w: 8,
            h: 8,
            decimals: 0,
            min: 0,
            queries: [
              q(`market_feed_connections{${EX}}`, '{{exchange}} open'),
              q(`market_feed_connections_planned{${EX}}`, '{{exchange}} planned'),
            ],
          }),
          timeseries({
            title: 'Streams per connection vs venue limit',
            description: 'Streams on the fullest connection, as a share of what one connection may carry, against the MarketPoolSaturated threshold (dashed).',
            w: 8,
            h: 8,
            unit: 'percentunit',
            min: 0,
            queries: [
              q(`exchange:market_feed_streams_per_connection:utilisation_ratio{${EX}}`, '{{exchange}}'),
              limit('market:threshold_pool_streams:ratio', 'saturation threshold'),
            ],
          }),
          table({
            title: 'Pool',
            description: 'Streams and symbols per feed, and the venue limit per connection.',
            w: 8,
            h: 8,
            queries: [
              q(`max by (exchange) (market_feed_streams{${EX}})`),
              q(`max by (exchange) (market_feed_streams_per_connection_max{${EX}})`),
              q(`max by (exchange) (market_feed_streams_per_connection_limit{${EX}})`),
              q(`max by (exchange) (market_feed_symbols{${EX}})`),
              q(`min by (exchange) (exchange:market_feed_connections:availability_ratio{${EX}})`),
            ],
            columns: {
              exchange: 'Exchange',
              'Value #A': 'Streams',
              'Value #B': 'Fullest connection',
              'Value #C': 'Limit per connection',
              'Value #D': 'Symbols',
              'Value #E': 'Connections open',
            },
            overrides: [{ matcher: { id: 'byName', options: 'Connections open' }, properties: [{ id: 'unit', value: 'percentunit' }] }],
          }),
        ],
      },
      {
        title: 'Ingest',
        panels: [
          timeseries({
            title: 'Ingest queue depth vs capacity',
            description: 'Events waiting to be processed. At capacity the queue conflates per symbol.',
            w: 8,
            h: 8,
            min: 0,
            queries: [
              q(`market_ingest_queue_depth{${INST}}`, '{{instance}} depth'),
              limit(`market_ingest_queue_capacity{${INST}}`, '{{instance}} capacity'),
            ],
          }),
          timeseries({
            title: 'Queue utilisation',
            description: 'Depth over capacity against the MarketQueueSaturated threshold (dashed).',
            w: 8,
            h: 8,
            unit: 'percentunit',
            min: 0,
            queries: [
              q(`instance:market_ingest_queue:utilisation_ratio{${INST}}`, '{{instance}}'),
              limit('market:threshold_queue:ratio', 'saturation threshold'),
            ],
          }),
          timeseries({
            title: 'Conflated events',
            description: 'Events merged into a newer one of the same symbol because the queue was full (per second). Frames that could not be used at all are under Errors, by type.',
            w: 8,
            h: 8,
            min: 0,
            queries: [
              q(`exchange:market_ingest_conflated:rate5m{${EX}}`, '{{exchange}} conflated/s'),
            ],
          }),
          timeseries({
            title: 'Processing time per frame',
            description: 'Taking in one frame: decoding, parse, checks (price, time, sequence, lag) and queueing its events, which are applied after: p99 over 5m and p50.',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`exchange_quantile:market_processing_seconds:rate5m{${EX}}`, '{{exchange}} p99 (5m)'),
              q(
                `histogram_quantile(0.5, sum by (exchange, le) (rate(market_processing_seconds_bucket{${EX}}[$__rate_interval])))`,
                '{{exchange}} p50',
              ),
            ],
          }),
          timeseries({
            title: 'Received bytes',
            description: 'Bytes of frames received per feed (1m rate).',
            w: 8,
            h: 8,
            unit: 'Bps',
            queries: [q(`exchange:market_feed_received_bytes:rate1m{${EX}}`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Extra indicators refused',
            description: 'Extra-indicator instances not made because the feed reached extraIndicators.maxInstances: their series are absent. Above 0, raise the limit or name fewer symbols (docs/config.md).',
            w: 8,
            h: 8,
            min: 0,
            queries: [q(`max by (exchange) (market_indicator_extra_refused_total{${EX}})`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Backfill state',
            description: 'Each feed\'s REST backfill of closed bars (docs/config.md, backfill): the state at 1. partial: the last run gave up on some symbol or interval; see the errors beside.',
            w: 8,
            h: 8,
            min: 0,
            queries: [q(`max by (exchange, state) (market_backfill_state{${EX}}) > 0`, '{{exchange}} {{state}}')],
          }),
          timeseries({
            title: 'Backfilled bars',
            description: 'Closed bars received from the venues\' REST APIs, and those used (the rest were already made by live trades), per minute.',
            w: 8,
            h: 8,
            min: 0,
            queries: [
              q(`sum by (exchange) (increase(market_backfill_bars_total{${EX}}[1m]))`, '{{exchange}} received'),
              q(`sum by (exchange) (increase(market_backfill_bars_applied_total{${EX}}[1m]))`, '{{exchange}} used'),
            ],
          }),
          timeseries({
            title: 'Backfill errors',
            description: 'Failed backfill requests per minute by type: rate_limited (429/418 or the venue\'s code), http_4xx, http_5xx, malformed, venue_error, network.',
            w: 8,
            h: 8,
            min: 0,
            queries: [q(`sum by (exchange, type) (increase(market_backfill_errors_total{${EX}}[1m]))`, '{{exchange}} {{type}}')],
          }),
        ],
      },
      {
        title: 'Process',
        panels: [
          timeseries({
            title: 'Event-loop lag',
            description: 'Event-loop delay p99 and max over the last interval, against the MarketEventLoopLag threshold (dashed).',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`market_event_loop_lag_seconds{${INST}}`, '{{instance}} p99'),
              q(`market_event_loop_lag_max_seconds{${INST}}`, '{{instance}} max'),
              limit('market:threshold_event_loop_lag:seconds', 'threshold'),
            ],
          }),
          timeseries({
            title: 'Event-loop utilisation',
            description: 'Share of time the event loop was busy. Near 100% the exporter falls behind its feeds.',
            w: 8,
            h: 8,
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [q(`market_event_loop_utilization_ratio{${INST}}`, '{{instance}}')],
          }),
          timeseries({
            title: 'CPU',
            description: 'CPU seconds per second, user and system.',
            w: 8,
            h: 8,
            unit: 'percentunit',
            min: 0,
            stack: true,
            queries: [
              q(`rate(process_cpu_user_seconds_total{${PROC}}[$__rate_interval])`, '{{instance}} user'),
              q(`rate(process_cpu_system_seconds_total{${PROC}}[$__rate_interval])`, '{{instance}} system'),
            ],
          }),
          timeseries({
            title: 'Memory',
            description: 'Resident set size, V8 heap used and total, and memory held outside the heap.',
            w: 8,
            h: 8,
            unit: 'bytes',
            min: 0,
            queries: [
              q(`process_resident_memory_bytes{${PROC}}`, '{{instance}} RSS'),
              q(`nodejs_heap_size_used_bytes{${PROC}}`, '{{instance}} heap used'),
              q(`nodejs_heap_size_total_bytes{${PROC}}`, '{{instance}} heap total'),
              q(`nodejs_external_memory_bytes{${PROC}}`, '{{instance}} external'),
            ],
          }),
          timeseries({
            title: 'Garbage collection',
            description: 'Share of time spent in GC, by kind.',
            w: 8,
            h: 8,
            unit: 'percentunit',
            min: 0,
            stack: true,
            queries: [q(`sum by (instance, kind) (rate(nodejs_gc_duration_seconds_sum{${PROC}}[$__rate_interval]))`, '{{instance}} {{kind}}')],
          }),
          timeseries({
            title: 'Scrape duration',
            description: 'How long the exporter took to render /metrics, and the whole scrape as Prometheus saw it.',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`market_exporter_scrape_duration_seconds{${INST}}`, '{{instance}} render'),
              q(`scrape_duration_seconds{${PROC}}`, '{{instance}} scrape'),
            ],
          }),
          bargauge({
            title: 'File descriptors',
            description: 'Open file descriptors as a share of the process limit.',
            w: 8,
            h: 5,
            unit: 'percentunit',
            min: 0,
            max: 1,
            queries: [q(`process_open_fds{${PROC}} / process_max_fds{${PROC}}`, '{{instance}}')],
            steps: [
              { color: 'green', value: null },
              { color: 'red', value: 0.8 },
            ],
          }),
          timeseries({
            title: 'Log lines suppressed',
            description: 'Log lines dropped by the per-kind rate limit: something is logging in a loop.',
            w: 16,
            h: 5,
            decimals: 0,
            min: 0,
            queries: [q(`sum by (instance, kind) (increase(market_exporter_log_messages_suppressed_total{${INST}}[$__rate_interval]))`, '{{instance}} {{kind}}')],
          }),
        ],
      },
    ],
  });
}
