/**
 * The Symbol dashboard's derivatives row: a perpetual's mark against its index and the paired
 * spot price, funding rate and when it is next charged, and the basis, each next to the threshold
 * its alert uses. Empty for a spot symbol (no market_perp_* series).
 */
import { byName, EXS, limit, q, stat, timeseries, type RowSpec } from '../build.js';

export function derivativesRow(): RowSpec {
  return {
    title: 'Derivatives',
    panels: [
      stat({
        title: 'Funding rate',
        description: 'Funding rate for the current interval (positive: longs pay shorts).',
        w: 4,
        h: 4,
        unit: 'percentunit',
        decimals: 4,
        queries: [q(`market_perp_funding_rate{${EXS}}`, 'funding')],
      }),
      stat({
        title: 'Next funding',
        description: 'When the venue charges the next funding.',
        w: 4,
        h: 4,
        unit: 'dateTimeFromNow',
        queries: [q(`market_perp_next_funding_timestamp_seconds{${EXS}} * 1000`, 'next funding')],
      }),
      stat({
        title: 'Age of mark',
        description: 'Seconds since the last mark, index or funding update; red past the shipped market:threshold_perp_stale:seconds (120), beyond which the alerts stop judging the values.',
        w: 4,
        h: 4,
        unit: 's',
        decimals: 0,
        queries: [q(`time() - market_perp_last_update_timestamp_seconds{${EXS}}`, 'age')],
        steps: [
          { color: 'green', value: null },
          { color: 'red', value: 120 },
        ],
      }),
      timeseries({
        title: 'Basis (bps)',
        description: '(mark − spot) / spot in basis points against the spot instrument of the `basis:` config, with the MarketPerpBasisHigh limits (dashed).',
        w: 12,
        h: 8,
        queries: [
          q(`exchange_symbol:market_perp_basis:bps{${EXS}}`, 'vs {{spot_symbol}} on {{spot_exchange}}'),
          limit('market:threshold_perp_basis:bps', '+limit'),
          limit('-market:threshold_perp_basis:bps', '-limit'),
        ],
      }),
      timeseries({
        title: 'Mark and index',
        description: 'Mark price (what positions are valued and liquidated at) and index price (the venue\'s spot reference), with the last trade.',
        w: 12,
        h: 8,
        decimals: 4,
        queries: [
          q(`market_perp_mark_price{${EXS}}`, 'mark'),
          q(`market_perp_index_price{${EXS}}`, 'index'),
          q(`market_price{${EXS}}`, 'last trade'),
        ],
        overrides: [byName('mark', [{ id: 'custom.lineWidth', value: 2 }])],
      }),
      timeseries({
        title: 'Funding rate',
        description: 'Funding rate per interval, with the MarketPerpFundingHigh limits (dashed).',
        w: 12,
        h: 8,
        unit: 'percentunit',
        queries: [
          q(`market_perp_funding_rate{${EXS}}`, 'funding'),
          limit('market:threshold_perp_funding:ratio', '+limit'),
          limit('-market:threshold_perp_funding:ratio', '-limit'),
        ],
      }),
    ],
  };
}
