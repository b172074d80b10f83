/**
 * Market feeds overview: the page an on-call opens first. Is every feed up and fresh, how fast are
 * frames arriving and how late, what broke (reconnects, gaps, errors), and which alerts fire.
 */
import { alertAnnotation, bargauge, dashboard, EX, EXS, limit, q, stat, table, timeseries } from '../build.js';
import type { DashboardJson } from '../schema.js';
import { exchangeVar, latencyLink, symbolLink, symbolVar, UID } from './common.js';

const UP_MAPPINGS = [
  {
    type: 'value' as const,
    options: {
      '0': { text: 'DOWN', color: 'red', index: 0 },
      '1': { text: 'UP', color: 'green', index: 1 },
    },
  },
];

/**
 * The venue's state (market_venue_status, a state set) as one number per feed for a table cell:
 * higher is less normal, so `max` over replicas shows the worst. Only the panel encodes it; the
 * metric stays a state set (docs/metrics.md, "Venue status").
 */
const VENUE_STATES = [
  ['online', 'online', 'green'],
  ['unknown', 'no status', 'text'],
  ['restart_announced', 'restarting', 'blue'],
  ['post_only', 'post only', 'orange'],
  ['cancel_only', 'cancel only', 'orange'],
  ['maintenance', 'MAINTENANCE', 'purple'],
] as const;
const VENUE_STATE_QUERY = `max by (exchange) (${VENUE_STATES.map(([s], i) => `${i} * (market_venue_status{${EX}, status="${s}"} == 1)`).join(' or ')})`;
const VENUE_MAPPINGS = [
  {
    type: 'value' as const,
    options: Object.fromEntries(VENUE_STATES.map(([, text, color], i) => [String(i), { text, color, index: i }])),
  },
];

export function overview(): DashboardJson {
  return dashboard({
    uid: UID.overview,
    title: 'Market feeds overview',
    description: 'Every feed: up, what its venue says of itself (maintenance), message rate, lag, staleness, reconnects, gaps, errors and firing alerts.',
    variables: [exchangeVar(true), symbolVar(true)],
    annotation: alertAnnotation('exchange=~"$exchange|", symbol=~"$symbol|"'),
    rows: [
      {
        title: 'Status',
        panels: [
          stat({
            title: 'Feeds',
            description:
              'UP when every connection of the feed is open and subscribed (market_feed_up) on at least one replica of every shard; feeds idle in a shard are left out. Click for its latency.',
            w: 8,
            h: 4,
            queries: [q(`min by (exchange) (shard_exchange:market_feed_up:max{${EX}})`, '{{exchange}}')],
            mappings: UP_MAPPINGS,
            links: [latencyLink('__field.labels')],
          }),
          stat({
            title: 'Exporter scrape',
            description: 'Whether Prometheus can scrape the exporter (up{job="market-exporter"}). DOWN: every other panel is blind.',
            w: 4,
            h: 4,
            queries: [q('up{job="market-exporter"}', '{{instance}}')],
            mappings: UP_MAPPINGS,
          }),
          stat({
            title: 'Firing alerts',
            description: 'Alerts Prometheus is firing for the selection, exporter-wide alerts included.',
            w: 4,
            h: 4,
            queries: [q('count(ALERTS{alertstate="firing", exchange=~"$exchange|"}) or vector(0)', 'firing')],
            steps: [
              { color: 'green', value: null },
              { color: 'red', value: 1 },
            ],
          }),
          stat({
            title: 'Messages / s',
            description: 'Frames per second across the selected feeds, over the last minute; HA replicas of a shard count once.',
            w: 4,
            h: 4,
            unit: 'ops',
            sparkline: true,
            queries: [q(`sum(shard_exchange:market_feed_messages:max_rate1m{${EX}})`, 'frames/s')],
          }),
          stat({
            title: 'Symbols',
            description: 'Symbols carried on the selected feeds, summed over shards; HA replicas of a shard count once.',
            w: 4,
            h: 4,
            queries: [q(`sum(shard_exchange:market_feed_symbols:max{${EX}})`, 'symbols')],
          }),
          table({
            title: 'Feeds at a glance',
            description:
              'One row per feed. Up: every shard has a replica with all connections open. Lag is the worst 5m p99 of venue event time to receive; staleness is the time since the newest frame of the stalest shard. Venue: what the venue says of itself (market_venue_status; MAINTENANCE, cancel/post only and restarting silence its down and stale alerts), the least normal replica; Next maintenance: the start of the next window the venue announced (Kraken). HA replicas count once.',
            w: 24,
            h: 7,
            queries: [
              q(`min by (exchange) (shard_exchange:market_feed_up:max{${EX}})`),
              q(`sum by (exchange) (shard_exchange:market_feed_symbols:max{${EX}})`),
              q(`sum by (exchange) (shard_exchange:market_feed_messages:max_rate1m{${EX}})`),
              q(`max by (exchange) (exchange_quantile:market_feed_lag_seconds:rate5m{${EX}, quantile="0.99"})`),
              q(`max by (exchange) (time() - shard_exchange:market_feed_last_message_timestamp_seconds:max{${EX}})`),
              q(`sum by (exchange) (exchange:market_feed_reconnects:increase5m{${EX}})`),
              q(`sum by (exchange) (max by (job, exchange, symbol) (exchange_symbol:market_sequence_gaps:increase5m{${EX}}))`),
              q(VENUE_STATE_QUERY),
              q(`1000 * min by (exchange) (market_venue_maintenance_start_timestamp_seconds{${EX}})`),
            ],
            columns: {
              exchange: 'Exchange',
              'Value #A': 'Up',
              'Value #B': 'Symbols',
              'Value #C': 'Frames/s',
              'Value #D': 'Lag p99 (5m)',
              'Value #E': 'Since last frame',
              'Value #F': 'Reconnects (5m)',
              'Value #G': 'Gaps (5m)',
              'Value #H': 'Venue',
              'Value #I': 'Next maintenance',
            },
            overrides: [
              { matcher: { id: 'byName', options: 'Lag p99 (5m)' }, properties: [{ id: 'unit', value: 's' }] },
              { matcher: { id: 'byName', options: 'Since last frame' }, properties: [{ id: 'unit', value: 's' }] },
              { matcher: { id: 'byName', options: 'Frames/s' }, properties: [{ id: 'unit', value: 'ops' }] },
              { matcher: { id: 'byName', options: 'Next maintenance' }, properties: [{ id: 'unit', value: 'dateTimeAsIso' }] },
              {
                matcher: { id: 'byName', options: 'Venue' },
                properties: [
                  { id: 'mappings', value: VENUE_MAPPINGS },
                  { id: 'custom.cellOptions', value: { type: 'color-text' } },
                ],
              },
              {
                matcher: { id: 'byName', options: 'Exchange' },
                properties: [{ id: 'links', value: [latencyLink('__data.fields')] }],
              },
            ],
          }),
        ],
      },
      {
        title: 'Throughput and freshness',
        panels: [
          timeseries({
            title: 'Messages per second',
            description: 'Frames received per feed (1m rate). A drop to zero with the feed still UP is a stall.',
            w: 8,
            h: 8,
            unit: 'ops',
            queries: [q(`exchange:market_feed_messages:rate1m{${EX}}`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Trades per second',
            description: 'Trades received per feed (1m rate).',
            w: 8,
            h: 8,
            unit: 'ops',
            queries: [q(`exchange:market_trades:rate1m{${EX}}`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Seconds since last frame',
            description:
              'Staleness per feed against the MarketFeedStale threshold (dashed), and seconds since its quietest connection delivered market data (acks, pongs and heartbeats do not count) against the silence threshold of MarketFeedDown.',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`time() - market_feed_last_message_timestamp_seconds{${EX}}`, '{{exchange}}'),
              limit(`exchange:threshold_feed_stale:seconds{${EX}}`, '{{exchange}} stale threshold'),
              q(`max by (exchange) (market_feed_data_silence_seconds{${EX}})`, '{{exchange}} no market data'),
              limit(`exchange:threshold_feed_silent:seconds{${EX}}`, '{{exchange}} silence threshold'),
            ],
          }),
          timeseries({
            title: 'Feed lag p50 / p99',
            description: 'Venue event time to local receive time, 1m quantiles, against the MarketFeedLagHigh threshold (dashed).',
            w: 12,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`exchange_quantile:market_feed_lag_seconds:rate1m{${EX}, quantile=~"0.5|0.99"}`, '{{exchange}} q{{quantile}}'),
              limit(`exchange:threshold_feed_lag_p99:seconds{${EX}}`, '{{exchange}} p99 threshold'),
            ],
          }),
          bargauge({
            title: 'Stalest symbols',
            description: 'The ten symbols longest without a trade, quote or heartbeat. Click one for its dashboard.',
            w: 12,
            h: 8,
            unit: 's',
            queries: [
              q(`topk(10, time() - market_symbol_last_update_timestamp_seconds{${EXS}})`, '{{exchange}} {{symbol}}'),
            ],
            links: [symbolLink('__field.labels')],
          }),
        ],
      },
      {
        title: 'Disruptions',
        panels: [
          timeseries({
            title: 'Reconnects (5m)',
            description: 'Connections re-opened in the last 5 minutes, against the MarketFeedReconnectStorm threshold (dashed).',
            w: 8,
            h: 8,
            decimals: 0,
            min: 0,
            queries: [
              q(`exchange:market_feed_reconnects:increase5m{${EX}}`, '{{exchange}}'),
              limit('market:threshold_reconnects_5m:count', 'storm threshold'),
            ],
          }),
          bargauge({
            title: 'Reconnect reasons',
            description: 'Why connections were re-opened over the dashboard time range.',
            w: 4,
            h: 8,
            decimals: 0,
            queries: [q(`sum by (reason) (increase(market_feed_reconnects_total{${EX}}[$__range]))`, '{{reason}}')],
          }),
          timeseries({
            title: 'Sequence gaps (5m)',
            description: 'Jumps forward in the venue sequence per feed (messages presumed lost), 5m increase.',
            w: 6,
            h: 8,
            decimals: 0,
            min: 0,
            queries: [
              q(`sum by (exchange) (exchange_symbol:market_sequence_gaps:increase5m{${EXS}})`, '{{exchange}} gaps'),
              q(`60 * exchange:market_sequence_missed:rate5m{${EX}}`, '{{exchange}} missed/min'),
            ],
          }),
          timeseries({
            title: 'Errors per frame',
            description: 'Dropped frames or events of each type per frame received (5m), against the MarketFeedErrors threshold (dashed).',
            w: 6,
            h: 8,
            unit: 'percentunit',
            min: 0,
            queries: [
              q(`exchange_type:market_feed_errors:ratio_rate5m{${EX}}`, '{{exchange}} {{type}}'),
              limit('market:threshold_feed_errors:ratio', 'error threshold'),
            ],
          }),
        ],
      },
      {
        title: 'Alerts',
        panels: [
          table({
            title: 'Pending and firing alerts',
            description: 'From Prometheus (ALERTS). Silences and notifications live in Alertmanager (Alerting in the Grafana menu).',
            w: 24,
            h: 7,
            queries: [q('ALERTS{exchange=~"$exchange|"}')],
            columns: { alertname: 'Alert', alertstate: 'State', severity: 'Severity', exchange: 'Exchange', symbol: 'Symbol' },
            hide: ['Value', 'job', 'instance'],
          }),
        ],
      },
    ],
  });
}
