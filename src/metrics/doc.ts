/** docs/metrics.md, generated from the catalogue so the two cannot drift (a test compares them). */
import { INDICATOR_NAMES, METRICS, type MetricDef } from './catalog.js';

const INDICATOR_MEANING: Record<(typeof INDICATOR_NAMES)[number], string> = {
  rsi: 'Relative Strength Index (Wilder), 0-100',
  bb_upper: 'Bollinger upper band: SMA + k x population stddev',
  bb_middle: 'Bollinger middle band: SMA of closes',
  bb_lower: 'Bollinger lower band: SMA - k x population stddev',
  bb_percent_b: 'Bollinger %B: (close - lower) / (upper - lower)',
  bb_bandwidth: 'Bollinger bandwidth: (upper - lower) / middle',
  sma: 'Simple moving average of closes',
  ema: 'Exponential moving average of closes (seeded with the SMA)',
  macd: 'MACD line: EMA(fast) - EMA(slow)',
  macd_signal: 'MACD signal: EMA(signal) of the MACD line',
  macd_histogram: 'MACD histogram: line - signal',
  atr: 'Average True Range (Wilder)',
  volatility: 'Sample stddev of log returns of closes over the period (not annualised)',
};

export function metricsMarkdown(): string {
  const rows = (Object.values(METRICS) as MetricDef[]).map(
    (m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '-'} | ${m.help} |`,
  );
  const ind = INDICATOR_NAMES.map((n) => `| \`${n}\` | ${INDICATOR_MEANING[n]} |`);
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

## Label values of \`reason\` and \`type\`

See \`RECONNECT_REASONS\` and \`ERROR_TYPES\` in \`src/feeds/types.ts\`; each is listed in docs/runbook.md
where an alert uses it.
`;
}
