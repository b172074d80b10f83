/** What the exporter knows about one configured feed: plain counters, read by the renderer. */
import { BookSync } from '../book/sync.js';
import type { BookConfig, Config } from '../config/types.js';
import { ERROR_TYPES, RECONNECT_REASONS, type BookSupport, type ErrorType, type ReconnectReason } from '../feeds/types.js';
import { IndicatorBank } from '../indicators/bank.js';
import { BackfillStats } from '../backfill/stats.js';
import { BucketHistogram } from './histogram.js';
import { SymbolState } from './symbol.js';
import { VenueState } from './venue-state.js';

/**
 * Feed lag buckets: venue event time to receive, from sub-millisecond to "something is wrong".
 * 20 ms is the longest a live frame should wait in the exporter (docs/performance.md): with only
 * 10 and 25, a wait histogram could not tell whether that holds.
 */
export const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
/** Per-frame processing buckets: the hot path should sit in the microseconds. */
export const PROCESSING_BUCKETS = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
] as const;

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export class FeedState {
  messages = 0;
  bytes = 0;
  /**
   * Starts at the feed's creation so a feed that connects but never sends a frame still goes
   * stale (the stale alert compares against this), rather than having no series to judge.
   * A number from its definition on (the constructor sets it): a field defined undefined, as one
   * declared without a value is, V8 keeps tagged, and every frame's write was a new heap number.
   */
  lastMessage = NaN;
  /** When the feed's state was made: each connection's market data is judged from here until its first. */
  readonly started: number;
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
  /**
   * Local time each connection (by its index in the pool) last delivered market data. Kept per
   * connection and per slot rather than per socket: a reconnect does not make a silent venue look
   * fresh, and one silent connection among several is not hidden by the others' traffic.
   */
  private readonly dataAt: number[] = [];
  /** What the feed's REST backfill has done (src/backfill/); state `off` when not configured. */
  readonly backfill = new BackfillStats();
  /** Order books of the symbols the feed's `book:` names (none by default). */
  books = new Map<string, BookSync>();
  /** Every symbol's indicator state (bank.ts); `extraRefused` counts extras past the cap. */
  readonly indicators: IndicatorBank;
  /** What the venue says of its own state (maintenance, restarts): market_venue_status. */
  readonly venue = new VenueState();

  constructor(
    readonly name: string,
    symbols: readonly string[],
    cfg: Pick<Config, 'intervals' | 'windows' | 'indicators'> & Partial<Pick<Config, 'extraIndicators'>>,
    now: number = Date.now(),
  ) {
    this.lastMessage = now;
    this.started = now;
    this.indicators = new IndicatorBank(cfg.indicators, cfg.extraIndicators);
    for (const s of symbols) this.symbols.set(s, new SymbolState(name, s, cfg, this.indicators));
  }

  /**
   * Keep books for what `cfg` names. A book whose depth and bands are unchanged keeps its state
   * and counters across a reload; any other is made afresh.
   */
  configureBooks(cfg: BookConfig | undefined, support: BookSupport | undefined): void {
    const next = new Map<string, BookSync>();
    if (cfg && support) {
      for (const sym of cfg.symbols) {
        if (!this.symbols.has(sym)) continue;
        const old = this.books.get(sym);
        const same = old && old.depth === cfg.depth && old.bands.length === cfg.bands.length && old.bands.every((b, i) => b === cfg.bands[i]);
        next.set(sym, same ? old : new BookSync(support, cfg.depth, cfg.bands));
      }
    }
    this.books = next;
  }

  /** A trade or quote arrived on connection `conn` at `at` (ms). Control frames must not call this. */
  noteData(conn: number, at: number): void {
    this.dataAt[conn] = at;
  }

  /**
   * Seconds since the quietest planned connection delivered market data, as of `now` (ms); NaN
   * when no connection is planned (a feed with no symbols in this shard is idle, not silent).
   */
  dataSilence(now: number): number {
    let oldest = Infinity;
    for (let i = 0; i < this.connectionsPlanned; i++) oldest = Math.min(oldest, this.dataAt[i] ?? this.started);
    return oldest === Infinity ? NaN : Math.max(0, now - oldest) / 1000;
  }
}
