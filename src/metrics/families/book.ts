/**
 * The order-book families (books are opt-in per feed: `book:` in the config): each definition
 * beside its reader of the feed's BookSync state. A few series per configured book, band labels
 * only from the config. Gauges are absent while a book is out of sync (no snapshot yet, or a
 * failure and its resync under way): a stale book must not look like a live one.
 */
import { ASK, BID, type Side } from '../../book/book.js';
import type { BookSync } from '../../book/sync.js';
import type { FeedState } from '../../market/feed-state.js';
import { def, XS } from '../def.js';
import { escapeLabelValue, formatValue } from '../text.js';

type Series = [labels: string, value: number][];

const labels = (f: FeedState, sym: string) => `exchange="${escapeLabelValue(f.name)}",symbol="${escapeLabelValue(sym)}"`;

/** One series per book from `read`, left out when NaN. */
function perBook(feeds: readonly FeedState[], read: (b: BookSync) => number, syncedOnly = true): Series {
  const out: Series = [];
  for (const f of feeds) {
    for (const [sym, b] of f.books) {
      if (syncedOnly && !b.synced) continue;
      const v = read(b);
      if (v === v) out.push([labels(f, sym), v]);
    }
  }
  return out;
}

/** One series per book and band from `read`, left out when NaN or out of sync. */
function perBand(feeds: readonly FeedState[], read: (b: BookSync, bps: number) => number, side?: string): Series {
  const out: Series = [];
  for (const f of feeds) {
    for (const [sym, b] of f.books) {
      if (!b.synced) continue;
      for (const bps of b.bands) {
        const v = read(b, bps);
        if (v === v) out.push([`${labels(f, sym)},${side === undefined ? '' : `side="${side}",`}band_bps="${formatValue(bps)}"`, v]);
      }
    }
  }
  return out;
}

const depth = (feeds: readonly FeedState[]): Series => [
  ...perBand(feeds, (b, bps) => b.book.depthWithin(BID as Side, bps), 'bid'),
  ...perBand(feeds, (b, bps) => b.book.depthWithin(ASK as Side, bps), 'ask'),
];

export const BOOK_FAMILIES = {
  bookSynced: {
    kind: 'series' as const,
    def: def('market_book_synced', 'gauge', XS, '1 while the symbol\'s order book is in step with the venue (snapshot applied, no checksum or sequence failure since), else 0.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => (b.synced ? 1 : 0), false),
  },
  bookBestBidSize: {
    kind: 'series' as const,
    def: def('market_book_best_bid_size', 'gauge', XS, 'Base quantity at the best bid of the order book.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.book.bestBidSize),
  },
  bookBestAskSize: {
    kind: 'series' as const,
    def: def('market_book_best_ask_size', 'gauge', XS, 'Base quantity at the best ask of the order book.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.book.bestAskSize),
  },
  bookSpreadBps: {
    kind: 'series' as const,
    def: def('market_book_spread_bps', 'gauge', XS, 'Best ask minus best bid of the order book, in basis points of the mid.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.book.spreadBps),
  },
  bookDepth: {
    kind: 'series' as const,
    def: def('market_book_depth', 'gauge', [...XS, 'side', 'band_bps'], 'Base quantity resting on one side of the book within band_bps basis points of the mid (bands from the config; levels past the book\'s configured depth are not counted).'),
    series: depth,
  },
  bookImbalance: {
    kind: 'series' as const,
    def: def('market_book_imbalance_ratio', 'gauge', [...XS, 'band_bps'], '(bid depth - ask depth) / (bid depth + ask depth) within band_bps of the mid: +1 all bids, -1 all asks.'),
    series: (feeds: readonly FeedState[]) => perBand(feeds, (b, bps) => b.book.imbalance(bps)),
  },
  bookUpdates: {
    kind: 'series' as const,
    def: def('market_book_updates_total', 'counter', XS, 'Order-book messages applied (snapshots and updates).'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.updates, false),
  },
  bookChecksumFailures: {
    kind: 'series' as const,
    def: def('market_book_checksum_failures_total', 'counter', XS, 'Order-book messages whose venue checksum did not match the book (Kraken); each resubscribes the book.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.checksumFailures, false),
  },
  bookSequenceBreaks: {
    kind: 'series' as const,
    def: def('market_book_sequence_breaks_total', 'counter', XS, 'Order-book updates that did not follow the previous one (Binance: U > previous u + 1); each refetches a REST snapshot.'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.sequenceBreaks, false),
  },
  bookResyncs: {
    kind: 'series' as const,
    def: def('market_book_resyncs_total', 'counter', XS, 'Order books rebuilt after a checksum failure or sequence break (a resubscription or a refetched snapshot).'),
    series: (feeds: readonly FeedState[]) => perBook(feeds, (b) => b.resyncs, false),
  },
};
