/** docs/metrics.md, generated from the catalogue so the two cannot drift (a test compares them). */
import { EXTRA_INDICATORS, EXTRA_OUTPUT_NAMES } from '../indicators/extra.js';
import { NATIVE_INDICATORS } from '../indicators/registry.js';
import { CONTACT_HOLD_MS, NOTICE_HOLD_MS, VENUE_STATES } from '../market/venue-state.js';
import { INDICATOR_NAMES, METRICS, type MetricDef } from './catalog.js';

/** What each `indicator` label value means, from the indicator registries. */
export const INDICATOR_MEANING: Readonly<Record<string, string>> = Object.fromEntries(
  [...NATIVE_INDICATORS, ...EXTRA_INDICATORS].flatMap((d) => d.outputs.map((o) => [o.name, o.meaning])),
);

export function metricsMarkdown(): string {
  const rows = (Object.values(METRICS) as MetricDef[]).map(
    (m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '-'} | ${m.help} |`,
  );
  const ind = INDICATOR_NAMES.map((n) => `| \`${n}\` | ${INDICATOR_MEANING[n]} |`);
  const extra = EXTRA_OUTPUT_NAMES.map((n) => `| \`${n}\` | ${INDICATOR_MEANING[n]} |`);
  return `# Metrics

Generated from \`src/metrics/families/\` (via \`src/metrics/catalog.ts\`) by \`npm run docs:metrics\`; a test fails when they differ.

Conventions: base units (seconds, ratios), \`_total\` on counters, labels only from configuration
(\`exchange\` is the feed's configured name, \`symbol\` a configured symbol, \`interval\` a configured
bar interval, \`window\` a configured tick window) or from closed sets in the code (\`reason\`,
\`type\`, \`indicator\`). A symbol the config does not name never becomes a series; it is counted in
\`market_feed_errors_total{type="unknown_symbol"}\`. Gauges with no value yet (no trade, indicator
still warming up) are absent rather than NaN.

| metric | type | labels | meaning |
|---|---|---|---|
${rows.join('\n')}

The process also exports prom-client's default \`process_*\` and \`nodejs_*\` metrics (CPU, memory,
GC, event loop), except the three \`nodejs_active_*_total\` gauges that \`promtool check metrics\`
rejects for their \`_total\` suffix.

## Indicator values (\`market_indicator{indicator=...}\`)

Computed on closed bars of each configured interval; periods come from the config
(see docs/config.md). Values equal TA-Lib's definitions.

| indicator | meaning |
|---|---|
${ind.join('\n')}

Extra indicators (\`extraIndicators\` in the config, computed by the \`technicalindicators\` library,
only for the feeds and symbols named there) add these values:

| indicator | meaning |
|---|---|
${extra.join('\n')}

## Venue status (\`market_venue_status{status=...}\`)

A state set: one series per state of a closed list (${VENUE_STATES.map((v) => `\`${v}\``).join(', ')}), 1 for the
current one and 0 for the others, so every series exists from the first scrape and a rule or panel
selects a state by name (\`market_venue_status{status="maintenance"} == 1\`) rather than by a
numeric code that a new state would renumber. Six series per feed, whatever the venue.

What the venue said holds as long as it can still be true (\`src/market/venue-state.ts\`):
- An engine state from a status channel (Kraken \`status\`: online, maintenance, cancel_only,
  post_only) holds while any connection of the feed is open (the venue pushes every change and
  repeats its state on every connect, so a reconnect refreshes it). With no connection open it
  holds ${CONTACT_HOLD_MS / 60_000} min after the last one closed, then is \`unknown\`.
- \`restart_announced\` (Binance \`serverShutdown\`, OKX notice 64008: the server carrying the
  connection is going away; the feed reconnects at once) holds ${NOTICE_HOLD_MS / 60_000} min after the latest notice,
  then clears by itself: nothing ever says a restart is over.
- Precedence: an engine state other than online, then restart_announced, then online, then
  \`unknown\` (nothing said: venues without a status channel, or Kraken before its first status).
- \`market_venue_maintenance_start_timestamp_seconds\` (Kraken \`upcoming_maintenance\`, the
  earliest window affecting spot data) follows the engine state's freshness; a status with an
  empty list removes it. Kraken removes a window from the list once it starts, when \`system\`
  itself changes.

MarketVenueMaintenance (docs/alerts.md) fires on maintenance, cancel_only, post_only and
restart_announced, and silences the feed's down and stale alerts in Alertmanager.

## One instrument across venues (\`market_instrument_info\`)

Every configured symbol has a canonical \`instrument\`: \`BTCUSDT\` on Binance and \`BTC-USDT\` on OKX
are \`BTC/USDT\`; \`XBT/USD\` on Kraken and \`BTC-USD\` on Coinbase are \`BTC/USD\`; perpetuals add their
settlement currency (\`BTC/USDT:USDT\`). Each adapter parses its venue's spelling
(\`src/feeds/instrument.ts\`), asset aliases such as XBT -> BTC apply, and the config can name any
symbol's instrument (docs/config.md, \`instruments\` and \`assetAliases\`). It is exported as an info
series to join, \`market_price * on(exchange, symbol) group_left(instrument) market_instrument_info\`,
not as a label on the per-symbol families:

- Cost: one series per symbol. At 10k symbols the exposition has 560k per-symbol series (53.8 MB);
  the info family adds 10k series and 0.9 MB (1.6%), where an \`instrument\` label on every
  per-symbol series would add 11.8 MB (22%) to every full scrape, and to every fast-lane one.
- Churn: renaming an instrument (a reload with a new alias) changes one series per symbol instead
  of ending and restarting all ~56 of them, with their history.
- It rides the 15 s lane: an instrument changes only with the config, and the cross-venue rules
  (prometheus/rules/market.rules.yml) join it with the 1 s prices.

## Label values of \`reason\` and \`type\`

See \`RECONNECT_REASONS\` and \`ERROR_TYPES\` in \`src/feeds/types.ts\`; each is listed in docs/runbook.md
where an alert uses it.
`;
}
