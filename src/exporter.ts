/**
 * The running exporter: one Feed (sockets) and one FeedState (numbers) per configured feed, the
 * ingest queue and its drain loop, the idle-bar timer, and config reload. The thin shell around
 * ingest.ts and market/.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config, FeedConfig } from './config/types.js';
import { Feed, type FeedStatus } from './feeds/feed.js';
import { ADAPTERS } from './feeds/index.js';
import { WORK_BUDGET_MS } from './feeds/read-budget.js';
import type { Adapter } from './feeds/types.js';
import { errorFields, ExporterError } from './errors.js';
import { applier, Ingest, type FeedControl } from './ingest.js';
import type { Logger } from './log.js';
import { FeedState } from './market/feed-state.js';
import { IngestQueue, type ApplyProbe } from './market/queue.js';
import { shardSymbols } from './market/shard.js';
import type { SymbolState } from './market/symbol.js';

/** Events applied per drain slice before yielding, so /metrics and timers stay responsive. */
const DRAIN_SLICE = 4096;
/**
 * Events applied as they arrive, per event-loop turn, before the rest wait for the drain (never
 * more than the queue's capacity). A socket read carries tens to hundreds of frames; applied at
 * once, the first need not wait for the last to be parsed (arrival-to-metrics latency stays in
 * microseconds), while a larger burst still goes through the queue, which conflates past its
 * capacity.
 */
const EAGER_PER_TURN = DRAIN_SLICE;
/**
 * Longest stretch of apply work (eager apply, a drain slice, a pass of the idle-bar tick) before
 * the event loop gets a turn. Events differ a lot in cost: one that closes a bar updates every
 * indicator, and at a minute boundary thousands of symbols close bars at once; counts alone let a
 * slice run for hundreds of milliseconds at 10k symbols.
 */
const APPLY_BUDGET_MS = WORK_BUDGET_MS;
/** Events applied between two clock reads while draining. */
const APPLY_STEP = 64;
const TICK_MS = 1000;

/** The feeds as this replica runs them: each with only the symbols of its shard. */
function shardedFeeds(config: Config): readonly FeedConfig[] {
  if (config.shard.count === 1) return config.feeds;
  return config.feeds.map((f) => ({ ...f, symbols: shardSymbols(f.name, f.symbols, config.shard) }));
}

interface Running {
  config: FeedConfig;
  adapter: Adapter;
  state: FeedState;
  feed: Feed;
}

export interface ExporterOptions {
  log: Logger;
  /** URL of the in-process simulator, for feeds with venue `simulator`. */
  simulatorUrl?: string;
  now?: () => number;
}

export class Exporter {
  readonly feeds = new Map<string, Running>();
  private queue: IngestQueue;
  private ingest: Ingest;
  private config: Config;
  private drainScheduled = false;
  private eager: number;
  /** When this turn's eager apply must stop (0: not started this turn). */
  private eagerUntil = 0;
  /** The idle-bar pass under way, if one is: it runs in slices across event-loop turns. */
  private tickPass: { symbols: Iterator<SymbolState>; now: number } | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private stopped = false;
  private probe: ApplyProbe | undefined;

  constructor(
    config: Config,
    private readonly opts: ExporterOptions,
  ) {
    this.config = config;
    this.queue = new IngestQueue(config.limits.queueCapacity);
    this.ingest = new Ingest(this.queue, opts.log);
    this.eager = Math.min(EAGER_PER_TURN, this.queue.capacity);
  }

  /** FeedState by feed name, for the renderer. */
  states(): Map<string, FeedState> {
    const m = new Map<string, FeedState>();
    for (const [k, r] of this.feeds) m.set(k, r.state);
    return m;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }
  get queueCapacity(): number {
    return this.queue.capacity;
  }

  /**
   * Benchmark hook: called after every applied event with the performance.now() its frame
   * arrived at (NaN for a conflated record), so arrival-to-metrics latency can be measured in
   * process. Unset (the default) it costs the hot path one field test per event.
   */
  setApplyProbe(probe: ApplyProbe | undefined): void {
    this.probe = probe;
    this.queue.setProbe(probe);
  }

  /** Ready once every feed has had all its connections open at least once. */
  get ready(): boolean {
    for (const r of this.feeds.values()) if (!r.feed.everConnected) return false;
    return true;
  }

  start(): void {
    for (const fc of shardedFeeds(this.config)) this.add(fc);
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    await Promise.all([...this.feeds.values()].map((r) => r.feed.stop()));
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
      this.queue = new IngestQueue(next.limits.queueCapacity);
      this.queue.setProbe(this.probe);
      this.ingest = new Ingest(this.queue, this.opts.log);
      for (const fc of feeds) this.add(fc);
      return;
    }
    const wanted = new Map(feeds.map((f) => [f.name, f]));
    for (const name of [...this.feeds.keys()]) if (!wanted.has(name)) await this.remove(name);
    for (const fc of feeds) {
      const r = this.feeds.get(fc.name);
      if (!r) this.add(fc);
      else if (!isDeepStrictEqual(r.config, fc)) await this.replace(r, fc);
    }
  }

  private add(fc: FeedConfig, state?: FeedState): void {
    const venue = ADAPTERS[fc.venue];
    if (!venue) throw new ExporterError('UNKNOWN_VENUE', `feed ${fc.name}: no adapter for venue "${fc.venue}"`);
    // Venues whose frames depend on the feed's options (the generic JSON feed) build one per feed.
    const adapter = venue.configure ? venue.configure(fc.options) : venue;
    const st = state ?? new FeedState(fc.name, fc.symbols, this.config);
    const log = this.opts.log.child({ exchange: fc.name });
    const url = fc.venue === 'simulator' && !fc.url ? this.opts.simulatorUrl : fc.url;
    const control: FeedControl = {
      noteAlive: (conn) => feed.noteAlive(conn),
      reconnect: (conn, reason, detail) => feed.reconnect(conn, reason, detail),
    };
    const feed = new Feed({
      config: url === fc.url ? fc : { ...fc, url },
      adapter,
      maxFrameBytes: this.config.limits.maxFrameBytes,
      log,
      handlers: {
        onFrame: (text, receivedAt, conn) => {
          try {
            this.ingest.frame(st, adapter, control, text, receivedAt, conn);
          } catch (e) {
            // Inside ws's listener a throw would take the process down; one frame is all it costs.
            this.ingest.drop(st, 'internal_error', (e as Error).stack ?? String(e));
          }
          // FIFO either way: eager apply only takes what is at the head, so order is kept.
          if (this.eager > 0 && this.queue.depth > 0) this.applyEagerly();
          this.scheduleDrain();
        },
        onStatus: (s: FeedStatus) => {
          st.up = s.up ? 1 : 0;
          st.connections = s.connectionsOpen;
          st.connectionsPlanned = s.connectionsPlanned;
          st.streams = s.streams;
          st.streamsMax = s.streamsMaxPerConnection;
          st.streamsLimit = s.streamsLimit;
        },
        onReconnect: (reason) => {
          st.reconnects[reason]++;
        },
        onSessionEnd: (symbols) => {
          // Trades sent while we were away are not gaps we lost in a session: without this a
          // reconnect storm counts a gap on every symbol at every reconnect.
          for (const sym of symbols) st.symbols.get(sym)?.seq.reset();
        },
        onPingRtt: (ms) => {
          st.pingRtt = ms / 1000;
        },
        onDrop: (type, detail) => this.ingest.drop(st, type, detail),
      },
    });
    this.feeds.set(fc.name, { config: fc, adapter, state: st, feed });
    const s = feed.status();
    // A reloaded feed keeps its FeedState, which still says what the old sockets were: the new
    // Feed has nothing open yet, and until a connection opens no onStatus will say so.
    st.up = s.up ? 1 : 0;
    st.connections = s.connectionsOpen;
    st.connectionsPlanned = s.connectionsPlanned;
    st.streams = s.streams;
    st.streamsLimit = s.streamsLimit;
    st.streamsMax = s.streamsMaxPerConnection;
    feed.start();
    log.info('feed started', { venue: fc.venue, symbols: fc.symbols.length, connections: s.connectionsPlanned });
    if (fc.symbols.length === 0) {
      const { index, count } = this.config.shard;
      log.info('feed idle: none of its symbols hash to this shard; other replicas carry them', { shard: index, shards: count });
    }
  }

  private async remove(name: string): Promise<void> {
    const r = this.feeds.get(name);
    if (!r) return;
    this.feeds.delete(name);
    this.queue.forget(new Set(r.state.symbols.values()));
    await r.feed.stop();
    this.opts.log.info('feed removed', { exchange: name });
  }

  private async replace(r: Running, fc: FeedConfig): Promise<void> {
    await r.feed.stop();
    const st = r.state;
    const keep = new Set(fc.symbols);
    const removed = new Set<SymbolState>();
    for (const [sym, s] of st.symbols) if (!keep.has(sym)) removed.add(s);
    this.queue.forget(removed);
    for (const s of removed) st.symbols.delete(s.symbol);
    const fresh = new FeedState(fc.name, fc.symbols.filter((s) => !st.symbols.has(s)), this.config);
    for (const [sym, s] of fresh.symbols) st.symbols.set(sym, s);
    st.reconnects.config_reload++;
    this.feeds.delete(fc.name);
    this.add(fc, st);
    this.opts.log.info('feed reconfigured', { exchange: fc.name, added: fresh.symbols.size, removed: removed.size });
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.stopped) return;
    this.drainScheduled = true;
    setImmediate(() => this.drain());
  }

  private applyEagerly(): void {
    const now = performance.now();
    if (this.eagerUntil === 0) this.eagerUntil = now + APPLY_BUDGET_MS;
    if (now >= this.eagerUntil) return void (this.eager = 0);
    try {
      this.eager -= this.queue.drain(applier, this.eager);
    } catch (e) {
      this.applyFailed(e);
    }
  }

  /** Applying to symbol state threw: a bug. The event is gone from the queue; log it, keep serving. */
  private applyFailed(e: unknown): void {
    this.opts.log.limited('internal_error', 'applying an event failed', errorFields(e));
  }

  private drain(): void {
    this.drainScheduled = false;
    this.eager = Math.min(EAGER_PER_TURN, this.queue.capacity);
    this.eagerUntil = 0;
    const until = performance.now() + APPLY_BUDGET_MS;
    try {
      for (let done = 0; done < DRAIN_SLICE && this.queue.depth > 0 && performance.now() < until; ) {
        const n = this.queue.drain(applier, APPLY_STEP);
        if (n === 0) break;
        done += n;
      }
    } catch (e) {
      this.applyFailed(e);
    }
    if (this.queue.depth > 0) this.scheduleDrain();
  }

  /** Close idle bars and expire idle windows: one pass over every symbol, in slices. */
  private tick(): void {
    // A pass still running (a slow machine) finishes first; the next tick starts a new one.
    if (this.tickPass) return;
    this.tickPass = { symbols: this.allSymbols(), now: (this.opts.now ?? Date.now)() };
    this.tickSlice();
  }

  private *allSymbols(): Generator<SymbolState, void, undefined> {
    for (const r of this.feeds.values()) yield* r.state.symbols.values();
  }

  private tickSlice(): void {
    const pass = this.tickPass;
    if (!pass || this.stopped) return void (this.tickPass = undefined);
    const until = performance.now() + APPLY_BUDGET_MS;
    let n = 0;
    try {
      for (let r = pass.symbols.next(); !r.done; r = pass.symbols.next()) {
        r.value.tick(pass.now, this.config.barCloseGraceMs);
        if ((++n & 63) === 0 && performance.now() >= until) {
          setImmediate(() => this.tickSlice());
          return;
        }
      }
    } catch (e) {
      // Outside any listener a throw would end the process; this pass ends, the next tick retries.
      this.applyFailed(e);
    }
    this.tickPass = undefined;
  }
}
