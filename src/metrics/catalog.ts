/**
 * The catalogue: every metric family, the scrape groups and the indicator label values. Names are
 * spelled in src/metrics/families/, one table per kind of state, each definition beside the code
 * that reads its value; rules, dashboards, docs/metrics.md and tests are all checked against
 * METRICS. Base units, `_total` on counters, labels only from configuration.
 */

import { LAG_BUCKETS, PROCESSING_BUCKETS } from '../market/feed-state.js';
import type { MetricDef } from './def.js';
import { FEED_FAMILIES } from './families/feed.js';
import { PERP_FAMILIES } from './families/perp.js';
import { BAR_FAMILIES, INDICATOR_FAMILIES, SYMBOL_FAMILIES, WINDOW_FAMILIES } from './families/symbol.js';

export type { MetricDef, MetricType } from './def.js';
export { LAG_BUCKETS, PROCESSING_BUCKETS };

const defsOf = <T extends Record<string, { def: MetricDef }>>(t: T) =>
  Object.fromEntries(Object.entries(t).map(([k, f]) => [k, f.def])) as { [K in keyof T]: T[K]['def'] };

/**
 * Every family's definition by key. Each is spelled beside its reader (src/metrics/families/);
 * this is their union, in exposition order, for rules, dashboards, docs and tests to check against.
 */
export const METRICS = {
  ...defsOf(SYMBOL_FAMILIES),
  ...defsOf(BAR_FAMILIES),
  ...defsOf(WINDOW_FAMILIES),
  ...defsOf(INDICATOR_FAMILIES),
  ...defsOf(FEED_FAMILIES),
  ...defsOf(PERP_FAMILIES),
} as const;

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
    // What inhibits the fast lane's down alerts during an announced maintenance: as fast as they.
    METRICS.venueStatus,
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

export { INDICATOR_NAMES, type IndicatorName } from '../indicators/names.js';

/** Every metric name the exporter can expose, including histogram series suffixes. */
export function exposedNames(): Set<string> {
  const out = new Set<string>();
  for (const m of Object.values(METRICS) as MetricDef[]) {
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.add(m.name + s);
    else out.add(m.name);
  }
  return out;
}
