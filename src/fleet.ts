/**
 * The configured feeds as they run: one Feed (sockets) and one FeedState (numbers) per feed, the
 * feed's status copied into its state, and a reload's diff (unchanged feeds keep their sockets,
 * changed ones reconnect keeping the symbols they still carry, removed ones go). Frames go to the
 * pipeline; this module never applies an event.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config, FeedConfig } from './config/types.js';
import { Backfill } from './backfill/runner.js';
import { REST_VENUES } from './backfill/index.js';
import { genericRest } from './backfill/generic.js';
import { SnapshotFetcher } from './book/fetcher.js';
import { ExporterError } from './errors.js';
import { Feed, type FeedStatus } from './feeds/feed.js';
import { ADAPTERS } from './feeds/index.js';
import { DEFAULT_ASSET_ALIASES, instrumentOf } from './feeds/instrument.js';
import type { Adapter } from './feeds/types.js';
import type { FeedControl } from './ingest.js';
import type { Logger } from './log.js';
import { FeedState } from './market/feed-state.js';
import { shardSymbols } from './market/shard.js';
import type { SymbolState } from './market/symbol.js';
import type { Pipeline } from './pipeline.js';

/** One running feed. */
export interface Running {
  config: FeedConfig;
  adapter: Adapter;
  state: FeedState;
  feed: Feed;
  /** The feed's REST backfill, when its config turns it on. */
  backfill?: Backfill;
  /** REST snapshots of its books, for venues that resync that way. */
  snapshots?: SnapshotFetcher;
}

/** The feeds as this replica runs them: each with only the symbols of its shard. */
function shardedFeeds(config: Config): readonly FeedConfig[] {
  if (config.shard.count === 1) return config.feeds;
  return config.feeds.map((f) => ({ ...f, symbols: shardSymbols(f.name, f.symbols, config.shard) }));
}

/** What the renderer reads of a feed's sockets, copied whenever the feed reports it. */
function copyStatus(st: FeedState, s: FeedStatus): void {
  st.up = s.up ? 1 : 0;
  st.connections = s.connectionsOpen;
  st.connectionsPlanned = s.connectionsPlanned;
  st.streams = s.streams;
  st.streamsMax = s.streamsMaxPerConnection;
  st.streamsLimit = s.streamsLimit;
  st.venue.contact(s.connectionsOpen, Date.now());
}

/** The feed's config as far as its sockets and state care: instruments are labels only. */
function withoutInstruments(fc: FeedConfig): FeedConfig {
  const { instruments: _, ...rest } = fc;
  return rest;
}

/** Each symbol's canonical instrument, from the feed's overrides, its venue's spelling and the aliases. */
function nameInstruments(st: FeedState, fc: FeedConfig, configAliases: Readonly<Record<string, string>> | undefined): void {
  const split = ADAPTERS[fc.venue]?.instrumentOf;
  const aliases = configAliases ? { ...DEFAULT_ASSET_ALIASES, ...configAliases } : DEFAULT_ASSET_ALIASES;
  for (const s of st.symbols.values()) s.instrument = instrumentOf(s.symbol, split, fc.instruments, aliases);
}

export class Fleet {
  readonly feeds = new Map<string, Running>();

  constructor(
    private config: Config,
    private readonly pipeline: Pipeline,
    private readonly log: Logger,
  ) {}

  /** The config the feeds run, as last started or reloaded. */
  get current(): Config {
    return this.config;
  }

  /**
   * Ready once every feed has had all its connections open at least once and its start backfill,
   * if any, has ended (bounded: runner.ts READY_WAIT_MS), so the first scrape after ready is warm.
   */
  get ready(): boolean {
    for (const r of this.feeds.values()) if (!r.feed.everConnected || (r.backfill && !r.backfill.warm)) return false;
    return true;
  }

  *symbols(): Generator<SymbolState, void, undefined> {
    for (const r of this.feeds.values()) yield* r.state.symbols.values();
  }

  start(): void {
    for (const fc of shardedFeeds(this.config)) this.add(fc);
  }

  async stop(): Promise<void> {
    for (const r of this.feeds.values()) r.snapshots?.stop();
    await Promise.all([...this.feeds.values()].map((r) => Promise.all([r.feed.stop(), r.backfill?.stop()])));
  }

  /**
   * Apply a new, already validated config. Unchanged feeds keep their sockets and state; changed
   * feeds reconnect and keep the state of the symbols they still carry; removed symbols' series go.
   */
  async reload(next: Config): Promise<void> {
    const globalChanged =
      !isDeepStrictEqual(next.intervals, this.config.intervals) ||
      !isDeepStrictEqual(next.windows, this.config.windows) ||
      !isDeepStrictEqual(next.indicators, this.config.indicators) ||
      !isDeepStrictEqual(next.extraIndicators, this.config.extraIndicators) ||
      next.limits.queueCapacity !== this.config.limits.queueCapacity ||
      next.limits.maxFrameBytes !== this.config.limits.maxFrameBytes;
    this.config = next;
    // Compared and applied as sharded: a new shard count only touches feeds whose part changed.
    const feeds = shardedFeeds(next);
    if (globalChanged) {
      // Bars, windows and indicators are shaped by these settings: rebuild every feed.
      await Promise.all([...this.feeds.keys()].map((k) => this.remove(k)));
      this.pipeline.reset(next.limits.queueCapacity);
      for (const fc of feeds) this.add(fc);
      return;
    }
    const wanted = new Map(feeds.map((f) => [f.name, f]));
    for (const name of [...this.feeds.keys()]) if (!wanted.has(name)) await this.remove(name);
    for (const fc of feeds) {
      const r = this.feeds.get(fc.name);
      if (!r) this.add(fc);
      else if (!isDeepStrictEqual(withoutInstruments(r.config), withoutInstruments(fc))) await this.replace(r, fc);
      else if (!isDeepStrictEqual(r.config, fc)) r.config = fc;
    }
    // Instruments only label the symbols (market_instrument_info): renamed in place, no reconnect.
    for (const r of this.feeds.values()) nameInstruments(r.state, r.config, next.assetAliases);
  }

  private add(fc: FeedConfig, state?: FeedState): void {
    const venue = ADAPTERS[fc.venue];
    if (!venue) throw new ExporterError('UNKNOWN_VENUE', `feed ${fc.name}: no adapter for venue "${fc.venue}"`);
    // Venues whose frames depend on the feed's options (the generic JSON feed) build one per feed.
    const adapter = venue.configure ? venue.configure(fc.options) : venue;
    const st = state ?? new FeedState(fc.name, fc.symbols, this.config);
    nameInstruments(st, fc, this.config.assetAliases);
    const log = this.log.child({ exchange: fc.name });
    const pipeline = this.pipeline;
    const backfill = this.backfillFor(fc, st, log);
    const book = fc.book && adapter.book ? { cfg: fc.book, support: adapter.book } : undefined;
    st.configureBooks(book?.cfg, book?.support);
    const snapshots =
      book?.support.integrity === 'sequence'
        ? new SnapshotFetcher({
            support: book.support,
            restBase: book.cfg.restUrl ?? book.support.defaultRestUrl ?? '',
            depth: book.cfg.depth,
            onSnapshot: (sym, ev) => st.books.get(sym)?.onSnapshot(ev) === 'fetch_snapshot',
            wanted: (sym) => st.books.get(sym)?.awaitingSnapshot === true,
            onError: (detail) => pipeline.drop(st, 'venue_error', detail),
          })
        : undefined;
    const control: FeedControl = {
      noteAlive: (conn) => feed.noteAlive(conn),
      reconnect: (conn, reason, detail) => feed.reconnect(conn, reason, detail),
      resubscribeBook: (conn, sym) => {
        for (const frame of book?.support.resubscribeFrames?.(sym, book.cfg.depth) ?? []) feed.send(conn, frame);
      },
      fetchBookSnapshot: (sym) => snapshots?.request(sym),
    };
    const feed = new Feed({
      config: fc,
      adapter,
      maxFrameBytes: this.config.limits.maxFrameBytes,
      log,
      handlers: {
        onFrame: (text, receivedAt, conn, startedAt) => pipeline.frame(st, adapter, control, text, receivedAt, conn, startedAt),
        onStatus: (s) => {
          copyStatus(st, s);
          backfill?.status(s.up);
        },
        onReconnect: (reason) => {
          st.reconnects[reason]++;
        },
        onSessionEnd: (symbols) => {
          // Trades sent while we were away are not gaps we lost in a session: without this a
          // reconnect storm counts a gap on every symbol at every reconnect.
          for (const sym of symbols) {
            st.symbols.get(sym)?.seq.reset();
            // A book is rebuilt from the next session's snapshot: updates across the gap are lost.
            st.books.get(sym)?.reset();
          }
          backfill?.sessionEnded(symbols);
        },
        onPingRtt: (ms) => {
          st.pingRtt = ms / 1000;
        },
        onDrop: (type, detail) => pipeline.drop(st, type, detail),
      },
    });
    this.feeds.set(fc.name, { config: fc, adapter, state: st, feed, snapshots, ...(backfill ? { backfill } : {}) });
    const s = feed.status();
    // A reloaded feed keeps its FeedState, which still says what the old sockets were: the new
    // Feed has nothing open yet, and until a connection opens no onStatus will say so.
    copyStatus(st, s);
    feed.start();
    backfill?.start();
    log.info('feed started', { venue: fc.venue, symbols: fc.symbols.length, connections: s.connectionsPlanned });
    if (fc.symbols.length === 0) {
      const { index, count } = this.config.shard;
      log.info('feed idle: none of its symbols hash to this shard; other replicas carry them', { shard: index, shards: count });
    }
  }

  /** The feed's backfill when its config turns it on (validation made sure the venue has a REST API, built in or described). */
  private backfillFor(fc: FeedConfig, st: FeedState, log: Logger): Backfill | undefined {
    const rest = fc.backfill?.generic ? genericRest(fc.backfill.generic) : REST_VENUES[fc.venue];
    if (!fc.backfill || !rest) {
      st.backfill.state = 'off';
      return undefined;
    }
    return new Backfill({
      rest,
      baseUrl: fc.backfill.url ?? rest.defaultBaseUrl,
      depth: fc.backfill.depth,
      state: st,
      graceMs: () => this.config.barCloseGraceMs,
      backoff: fc.connection.backoff,
      timeoutMs: fc.connection.connectTimeoutMs,
      log: log.child({ component: 'backfill' }),
    });
  }

  private async remove(name: string): Promise<void> {
    const r = this.feeds.get(name);
    if (!r) return;
    this.feeds.delete(name);
    this.pipeline.forget(new Set(r.state.symbols.values()));
    r.snapshots?.stop();
    await Promise.all([r.feed.stop(), r.backfill?.stop()]);
    this.log.info('feed removed', { exchange: name });
  }

  private async replace(r: Running, fc: FeedConfig): Promise<void> {
    r.snapshots?.stop();
    await Promise.all([r.feed.stop(), r.backfill?.stop()]);
    const st = r.state;
    const keep = new Set(fc.symbols);
    const removed = new Set<SymbolState>();
    for (const [sym, s] of st.symbols) if (!keep.has(sym)) removed.add(s);
    this.pipeline.forget(removed);
    for (const s of removed) st.symbols.delete(s.symbol);
    const fresh = new FeedState(fc.name, fc.symbols.filter((s) => !st.symbols.has(s)), this.config);
    for (const [sym, s] of fresh.symbols) st.symbols.set(sym, s);
    st.reconnects.config_reload++;
    this.feeds.delete(fc.name);
    this.add(fc, st);
    this.log.info('feed reconfigured', { exchange: fc.name, added: fresh.symbols.size, removed: removed.size });
  }
}
