/** What the exporter knows about one configured feed: plain counters, read by the renderer. */
import type { Config } from '../config/types.js';
import { ERROR_TYPES, RECONNECT_REASONS, type ErrorType, type ReconnectReason } from '../feeds/types.js';
import { LAG_BUCKETS, PROCESSING_BUCKETS } from '../metrics/catalog.js';
import { BucketHistogram } from '../metrics/histogram.js';
import { SymbolState } from './symbol.js';

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export class FeedState {
  messages = 0;
  bytes = 0;
  /**
   * Starts at the feed's creation so a feed that connects but never sends a frame still goes
   * stale (the stale alert compares against this), rather than having no series to judge.
   */
  lastMessage: number;
  heartbeats = 0;
  pingRtt = NaN;
  clockSkew = NaN;
  up = 0;
  connections = 0;
  connectionsPlanned = 0;
  streams = 0;
  streamsLimit = 0;
  streamsMax = 0;
  conflated = 0;
  /** Every reason and type starts at 0, so rate() works from the first scrape. */
  readonly reconnects = zeroes<ReconnectReason>(RECONNECT_REASONS);
  readonly errors = zeroes<ErrorType>(ERROR_TYPES);
  readonly lag = new BucketHistogram(LAG_BUCKETS);
  readonly processing = new BucketHistogram(PROCESSING_BUCKETS);
  readonly symbols = new Map<string, SymbolState>();

  constructor(
    readonly name: string,
    symbols: readonly string[],
    cfg: Pick<Config, 'intervals' | 'windows' | 'indicators'>,
    now: number = Date.now(),
  ) {
    this.lastMessage = now;
    for (const s of symbols) this.symbols.set(s, new SymbolState(name, s, cfg));
  }
}
