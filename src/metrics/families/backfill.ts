/**
 * The REST backfill's families (src/backfill/), each definition beside the reader of its value;
 * spread into FEED_FAMILIES, whose renderer walks them per feed.
 */
import type { FeedState } from '../../market/feed-state.js';
import { def, X } from '../def.js';

export const BACKFILL_FAMILIES = {
  backfillState: {
    kind: 'labelled',
    def: def(
      'market_backfill_state',
      'gauge',
      [...X, 'state'],
      'The feed\'s REST backfill of closed bars, 1 for its current state: off (not configured), running, done (everything asked for was fetched, or nothing was missing), partial (the last run gave up on some symbol or interval).',
    ),
    label: 'state',
    read: (f: FeedState) => f.backfill.states(),
  },
  backfillBars: {
    kind: 'feed',
    def: def('market_backfill_bars_total', 'counter', X, 'Closed bars received from the venue\'s REST API for the requested ranges.'),
    read: (f: FeedState) => f.backfill.bars,
  },
  backfillApplied: {
    kind: 'feed',
    def: def(
      'market_backfill_bars_applied_total',
      'counter',
      X,
      'Backfilled bars that reached the bars and indicators: in place of a flat fill or a bar never built, never of a bar live trades made.',
    ),
    read: (f: FeedState) => f.backfill.applied,
  },
  backfillErrors: {
    kind: 'labelled',
    def: def(
      'market_backfill_errors_total',
      'counter',
      [...X, 'type'],
      'Failed backfill requests, by type: http_4xx, http_5xx, rate_limited (429, 418 or the venue\'s in-band code), malformed, venue_error, network.',
    ),
    label: 'type',
    read: (f: FeedState) => f.backfill.errors,
  },
} as const;
