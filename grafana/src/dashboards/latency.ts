/**
 * Feed latency: the lag histogram as a heatmap per venue, its quantiles, the heartbeat round trip
 * and the venue clock skew that the lag numbers depend on.
 */
import { alertAnnotation, bargauge, dashboard, EX, heatmap, limit, q, timeseries } from '../build.js';
import type { DashboardJson } from '../schema.js';
import { exchangeVar, symbolVar, UID } from './common.js';

export function latency(): DashboardJson {
  return dashboard({
    uid: UID.latency,
    title: 'Feed latency',
    description: 'Venue event time to local receive time per feed, heartbeat round trip and clock skew.',
    variables: [exchangeVar(true), symbolVar(true)],
    annotation: alertAnnotation('exchange=~"$exchange|"'),
    rows: [
      {
        title: 'Lag distribution',
        panels: [
          heatmap({
            title: 'Lag heatmap: $exchange',
            description: 'Frames per second in each lag bucket (market_feed_lag_seconds). One panel per selected feed.',
            w: 12,
            h: 9,
            repeat: 'exchange',
            query: 'sum by (le) (rate(market_feed_lag_seconds_bucket{exchange=~"$exchange"}[$__rate_interval]))',
          }),
          bargauge({
            title: 'Lag buckets over the time range',
            description: 'Frames per lag bucket over the dashboard range; each bar counts the frames between the previous bound and its own.',
            w: 12,
            h: 9,
            decimals: 0,
            queries: [
              q(`sum by (le) (increase(market_feed_lag_seconds_bucket{${EX}}[$__range]))`, '{{le}} s', { format: 'heatmap' }),
            ],
          }),
        ],
      },
      {
        title: 'Quantiles',
        panels: [
          timeseries({
            title: 'Lag quantiles (1m)',
            description: 'p50, p90 and p99 per venue over one minute.',
            w: 12,
            h: 8,
            unit: 's',
            min: 0,
            legendCalcs: ['lastNotNull', 'max'],
            queries: [q(`exchange_quantile:market_feed_lag_seconds:rate1m{${EX}}`, '{{exchange}} q{{quantile}}')],
          }),
          timeseries({
            title: 'Lag p99 (5m) vs alert threshold',
            description: 'The p99 MarketFeedLagHigh compares, and its threshold per venue (dashed).',
            w: 12,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`exchange_quantile:market_feed_lag_seconds:rate5m{${EX}, quantile="0.99"}`, '{{exchange}} p99'),
              limit(`exchange:threshold_feed_lag_p99:seconds{${EX}}`, '{{exchange}} threshold'),
            ],
          }),
          timeseries({
            title: 'Mean lag',
            description: 'Average lag per venue: sum of lags over count of frames.',
            w: 12,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(
                `sum by (exchange) (rate(market_feed_lag_seconds_sum{${EX}}[$__rate_interval])) / sum by (exchange) (rate(market_feed_lag_seconds_count{${EX}}[$__rate_interval]))`,
                '{{exchange}}',
              ),
            ],
          }),
          timeseries({
            title: 'Frames with a venue timestamp',
            description: 'Frames per second that carried an event time and so were measured for lag.',
            w: 12,
            h: 8,
            unit: 'ops',
            queries: [q(`sum by (exchange) (rate(market_feed_lag_seconds_count{${EX}}[$__rate_interval]))`, '{{exchange}}')],
          }),
        ],
      },
      {
        title: 'Heartbeats and clocks',
        panels: [
          timeseries({
            title: 'Heartbeat round trip',
            description: 'Round trip of the last answered ping (WebSocket or venue-level).',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [q(`market_feed_ping_rtt_seconds{${EX}}`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Venue heartbeats per second',
            description: 'Heartbeat messages the venue sends (Coinbase and Kraken send one a second per product).',
            w: 8,
            h: 8,
            unit: 'ops',
            queries: [q(`rate(market_feed_heartbeats_total{${EX}}[$__rate_interval])`, '{{exchange}}')],
          }),
          timeseries({
            title: 'Clock skew',
            description: 'Venue clock minus local clock, from pongs that carry the venue time (positive: venue ahead), with the MarketFeedClockSkew limits (dashed). Lag figures are off by this much.',
            w: 8,
            h: 8,
            unit: 's',
            queries: [
              q(`market_feed_clock_skew_seconds{${EX}}`, '{{exchange}}'),
              limit('market:threshold_clock_skew:seconds', '+limit'),
              limit('-market:threshold_clock_skew:seconds', '-limit'),
            ],
          }),
        ],
      },
    ],
  });
}
