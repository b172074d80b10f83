/** Variables and links every dashboard shares, so a link carries the same selection everywhere. */
import { variable } from '../build.js';

/** Stable dashboard UIDs: alert notifications and runbooks link to them (alertmanager/templates/links.tmpl). */
export const UID = {
  overview: 'market-exporter',
  symbol: 'market-symbol',
  latency: 'market-feed-latency',
  internals: 'market-exporter-internals',
} as const;

export const exchangeVar = (multi: boolean) =>
  variable({
    name: 'exchange',
    label: 'Exchange',
    description: 'The feed (its `name` in the exporter config).',
    query: 'label_values(market_feed_up, exchange)',
    multi,
  });

export const symbolVar = (multi: boolean) =>
  variable({
    name: 'symbol',
    label: 'Symbol',
    description: 'Symbols of the selected feeds that have sent a trade, quote or heartbeat.',
    query: 'label_values(market_symbol_last_update_timestamp_seconds{exchange=~"$exchange"}, symbol)',
    multi,
  });

/** Link from a value carrying exchange and symbol labels to that symbol's dashboard. */
export const symbolLink = (labels: '__field.labels' | '__data.fields') => ({
  title: 'Symbol dashboard',
  url: `/d/${UID.symbol}/symbol?var-exchange=\${${labels}.exchange}&var-symbol=\${${labels}.symbol}&\${__url_time_range}`,
});

/** Link from a value carrying an exchange label to the feed latency dashboard. */
export const latencyLink = (labels: '__field.labels' | '__data.fields') => ({
  title: 'Feed latency',
  url: `/d/${UID.latency}/feed-latency?var-exchange=\${${labels}.exchange}&\${__url_time_range}`,
});
