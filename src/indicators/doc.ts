/**
 * The indicator sections of docs/config.md, generated from the registries (between the
 * `indicators:begin` and `indicators:end` markers; `npm run docs:metrics` writes them and a test
 * compares).
 */
import { EXTRA_INDICATORS } from './extra.js';
import type { ParamDef } from './kernel.js';
import { NATIVE_INDICATORS } from './registry.js';

export const DOC_BEGIN = '<!-- indicators:begin (generated from src/indicators by npm run docs:metrics) -->';
export const DOC_END = '<!-- indicators:end -->';

const defaults = (params: Readonly<Record<string, ParamDef>>): string =>
  Object.entries(params)
    .map(([k, d]) => `\`${k}: ${d.default}\``)
    .join(', ') || '-';

function rule(name: string, d: ParamDef): string {
  const low = d.minExclusive ? `> ${d.min}` : `${d.min}`;
  const range = d.minExclusive ? `\`${name}\` ${low} and ≤ ${d.max}` : `\`${name}\` ${low} to ${d.max}`;
  return `${range}${d.integer ? '' : ' (not only integers)'}${d.rule ? ` (${d.rule})` : ''}`;
}

const rules = (params: Readonly<Record<string, ParamDef>>): string[] => Object.entries(params).map(([k, d]) => rule(k, d));

export function indicatorsConfigMarkdown(): string {
  const native = NATIVE_INDICATORS.map((d) => {
    const params = d.params as Readonly<Record<string, ParamDef>>;
    const extra = d.key === 'macd' ? ['`fast` < `slow`'] : [];
    return `| \`${d.key}\` | ${d.summary} | ${defaults(params)} | ${[...rules(params), ...extra].join('; ')} | ${d.outputs.map((o) => `\`${o.name}\``).join(', ')} |`;
  });
  const extra = EXTRA_INDICATORS.map(
    (d) =>
      `| \`${d.key}\` | ${d.summary} | ${defaults(d.params)} | ${rules(d.params).join('; ') || '-'} | ${d.outputs.map((o) => `\`${o.name}\``).join(', ')} | ${Math.ceil(d.bytesPerInstance / 1000)} kB |`,
  );
  return `${DOC_BEGIN}
### Indicators

Native indicators: the project's own arithmetic on typed arrays, equal to TA-Lib's definitions,
a few hundred bytes per symbol and interval (one slot each, made at the first closed bar). Every
one has \`enabled\` (default \`true\`) and the parameters below.

| Key | What | Defaults | Rules | \`indicator\` label values |
| --- | --- | --- | --- | --- |
${native.join('\n')}

### Extra indicators

Indicators computed by the \`technicalindicators\` library, under \`extraIndicators:\`, off unless
named. Each runs on the feeds in its \`feeds\` list (feed names; every feed when left out) and,
in those, the symbols in its \`symbols\` list (every symbol when left out). One instance is one
indicator on one symbol's interval, and costs the heap below (a library object, against a few
hundred bytes for all the native ones together), so they are for a watch list:
\`maxInstances\` (default \`1000\`, 0 to 1000000) caps the instances a config may need (counted
over every feed's symbols before sharding), and a config that needs more is refused.

\`\`\`yaml
feeds:
  - {venue: binance, symbols: [BTCUSDT, ETHUSDT, SOLUSDT]}
extraIndicators:
  maxInstances: 1000
  stochastic: {period: 14, signalPeriod: 3, feeds: [binance], symbols: [BTCUSDT, ETHUSDT]}
  adx: {symbols: [BTCUSDT]}
\`\`\`

| Key | What | Defaults | Rules | \`indicator\` label values | Heap per instance |
| --- | --- | --- | --- | --- | --- |
${extra.join('\n')}
${DOC_END}`;
}

/** `doc` with its generated indicator sections replaced by the current ones. */
export function withIndicatorDocs(doc: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error('docs/config.md: indicator markers not found');
  return doc.slice(0, a) + indicatorsConfigMarkdown() + doc.slice(b + DOC_END.length);
}
