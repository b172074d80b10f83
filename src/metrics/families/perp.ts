/**
 * The perpetual-swap families: mark and index price, funding rate and next funding time of each
 * symbol that has received a mark event (market/perp.ts), and the configured perpetual-to-spot
 * pairs (`basis:`) the basis recording rule joins on. Each definition beside its reader; render.ts
 * walks this table after the per-feed families.
 *
 * Like market_price, the values stay at what the venue last sent when the feed goes quiet or down:
 * market_perp_last_update_timestamp_seconds says how old they are, and the alerts on them require
 * it to be recent (prometheus/alerts/perp.alerts.yml), so a dead feed cannot keep one firing.
 */
import type { FeedState } from '../../market/feed-state.js';
import type { PerpState } from '../../market/perp.js';
import type { SymbolState } from '../../market/symbol.js';
import { def, XS, type MetricDef } from '../def.js';
import type { FeedFamily, SelfStats } from './feed.js';
import { escapeLabelValue } from '../text.js';

const labelsOf = (s: SymbolState): string => `exchange="${escapeLabelValue(s.exchange)}",symbol="${escapeLabelValue(s.symbol)}"`;

/** A series per symbol with perpetual state, valued by `read`; NaN: left out. */
const perp = <D extends MetricDef>(d: D, read: (p: PerpState) => number) => ({
  kind: 'series' as const,
  def: d,
  read,
  series(feeds: readonly FeedState[]): [string, number][] {
    const out: [string, number][] = [];
    for (const f of feeds)
      for (const s of f.symbols.values()) {
        if (s.perp === undefined) continue;
        const v = read(s.perp);
        if (v === v) out.push([labelsOf(s), v]);
      }
    return out;
  },
});

export const PERP_FAMILIES = {
  markPrice: perp(def('market_perp_mark_price', 'gauge', XS, 'Mark price of a perpetual swap, as the venue last sent it (quote currency).'), (p) => p.mark),
  indexPrice: perp(def('market_perp_index_price', 'gauge', XS, 'Index price (the spot reference) of a perpetual swap, as the venue last sent it.'), (p) => p.index),
  fundingRate: perp(
    def('market_perp_funding_rate', 'gauge', XS, 'Funding rate of a perpetual swap for the current funding interval, as a ratio (0.0001 = 0.01%); positive: longs pay shorts.'),
    (p) => p.funding,
  ),
  nextFunding: perp(def('market_perp_next_funding_timestamp_seconds', 'gauge', XS, 'When the venue settles the next funding of a perpetual swap, Unix seconds.'), (p) => p.nextFunding / 1000),
  perpLastUpdate: perp(
    def('market_perp_last_update_timestamp_seconds', 'gauge', XS, 'Local time the last mark, index or funding update of a perpetual swap arrived, Unix seconds.'),
    (p) => p.updatedAt / 1000,
  ),
  spotInfo: {
    kind: 'series' as const,
    def: def('market_perp_spot_info', 'gauge', [...XS, 'spot_exchange', 'spot_symbol'], 'Always 1: the spot instrument (`basis:` in the config) the basis of a perpetual is measured against.'),
    series(feeds: readonly FeedState[], self: SelfStats): [string, number][] {
      const out: [string, number][] = [];
      for (const b of self.basis ?? []) {
        // Only for a perpetual this replica carries (its shard), like every per-symbol series.
        const s = feeds.find((f) => f.name === b.perp.feed)?.symbols.get(b.perp.symbol);
        if (!s) continue;
        out.push([`${labelsOf(s)},spot_exchange="${escapeLabelValue(b.spot.feed)}",spot_symbol="${escapeLabelValue(b.spot.symbol)}"`, 1]);
      }
      return out;
    },
  },
} as const satisfies Record<string, FeedFamily>;
