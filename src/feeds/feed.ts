/**
 * One configured feed: an adapter plus the connections its symbols need. Plans the split
 * (pool.ts), paces connection attempts under the venue's limit, rolls connections before the
 * venue's maximum lifetime, and reports whether every planned connection is open.
 */
import type { FeedConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { AttemptWindow } from './attempts.js';
import { Connection } from './connection.js';
import { planConnections } from './pool.js';
import type { Adapter, ErrorType, ReconnectReason } from './types.js';

export interface FeedStatus {
  connectionsOpen: number;
  connectionsPlanned: number;
  streams: number;
  streamsMaxPerConnection: number;
  streamsLimit: number;
  /** Every planned connection is open (false when none is planned). */
  up: boolean;
}

export interface FeedHandlers {
  /** startedAt: the connection's monotonic reading as it handed the frame on (ConnectionHandlers). */
  onFrame(text: string, receivedAt: number, conn: number, startedAt: number): void;
  /** Whenever a connection opens or closes (not on stop()). */
  onStatus(status: FeedStatus): void;
  /** Every ended attempt of any connection, with its reason. */
  onReconnect(reason: ReconnectReason, detail: string): void;
  onPingRtt?(rttMs: number): void;
  onDrop?(type: ErrorType, detail: string): void;
  /**
   * A connection's session ended (closed, failed or abandoned): nothing more arrives on it, and
   * the next session of its `symbols` starts afresh (sequence numbers cannot be judged across it).
   */
  onSessionEnd?(symbols: readonly string[]): void;
}

export interface FeedOptions {
  config: FeedConfig;
  adapter: Adapter;
  maxFrameBytes: number;
  handlers: FeedHandlers;
  log: Logger;
  random?: () => number;
}

/** Roll a connection this long before the venue's lifetime ends: a tenth of it, at most 5 min. */
function lifetimeMargin(lifetimeMs: number): number {
  return Math.min(lifetimeMs / 10, 5 * 60_000);
}

/** One-shot like its connections: after stop(), build a new Feed (a config reload does). */
export class Feed {
  private readonly opts: FeedOptions;
  private readonly connections: Connection[];
  private readonly open: boolean[];
  private readonly opened: boolean[];
  private readonly lifetimeTimers: (NodeJS.Timeout | undefined)[];
  private readonly streamCounts: number[];
  private readonly groups: readonly (readonly string[])[];
  private readonly streamsLimit: number;
  private stopped = false;

  constructor(opts: FeedOptions) {
    this.opts = opts;
    const { config, adapter } = opts;
    const channels = config.channels ?? adapter.defaultChannels;
    this.streamsLimit = Math.min(adapter.limits.streamsPerConnection, config.streamsPerConnection ?? Infinity);
    const book = config.book && adapter.book ? { cfg: config.book, support: adapter.book } : undefined;
    // Planned as if every symbol had its book: never past the venue's limit, at the cost of a
    // connection that could carry a few more symbols when only some have books.
    const planned = book ? [...channels, ...Array.from({ length: book.support.streamsPerSymbol }, () => 'book')] : channels;
    const groups = planConnections(config.symbols, planned, this.streamsLimit);
    this.groups = groups;
    const booked = new Set(book?.cfg.symbols ?? []);
    /** Each connection's symbols that also have a book (books ride with their symbol's other streams). */
    const bookSymbols = groups.map((g) => g.filter((s) => booked.has(s)));
    this.streamCounts = groups.map((g, i) => adapter.streamsFor(g, channels) + bookSymbols[i]!.length * (book?.support.streamsPerSymbol ?? 0));
    this.open = groups.map(() => false);
    this.opened = groups.map(() => false);
    this.lifetimeTimers = groups.map(() => undefined);
    const limit = adapter.limits.connectAttempts;
    const window = limit ? new AttemptWindow(limit.count, limit.windowMs) : undefined;
    const base = config.url ?? adapter.defaultUrl;
    const log = opts.log.child({ feed: config.name });
    this.connections = groups.map(
      (symbols, i) =>
        new Connection({
          name: `${config.name}#${i}`,
          url: () => adapter.url(base, symbols, channels),
          subscribeFrames: () => {
            const frames = adapter.subscribeFrames(symbols, channels);
            const withBook = bookSymbols[i]!;
            return book && withBook.length > 0 ? [...frames, ...book.support.subscribeFrames(withBook, book.cfg.depth)] : frames;
          },
          appPing: adapter.appPing,
          config: config.connection,
          maxFrameBytes: opts.maxFrameBytes,
          outgoingPerSecond: adapter.limits.outgoingPerSecond,
          log,
          random: opts.random,
          attemptGate: window ? () => window.reserve(Date.now()) : undefined,
          handlers: {
            onOpen: () => this.onOpen(i),
            onFrame: (text, receivedAt, startedAt) => opts.handlers.onFrame(text, receivedAt, i, startedAt),
            onDown: (reason, detail) => this.onDown(i, reason, detail),
            onPingRtt: (rtt) => opts.handlers.onPingRtt?.(rtt),
            onDrop: (type, detail) => opts.handlers.onDrop?.(type, detail),
          },
        }),
    );
  }

  /** All planned connections have opened at least once (for /-/ready). */
  get everConnected(): boolean {
    return this.opened.every(Boolean);
  }

  start(): void {
    for (const c of this.connections) c.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (let i = 0; i < this.connections.length; i++) this.clearLifetime(i);
    await Promise.all(this.connections.map((c) => c.stop()));
    this.open.fill(false);
  }

  status(): FeedStatus {
    const connectionsOpen = this.open.filter(Boolean).length;
    const connectionsPlanned = this.connections.length;
    return {
      connectionsOpen,
      connectionsPlanned,
      streams: this.streamCounts.reduce((a, b) => a + b, 0),
      streamsMaxPerConnection: this.streamCounts.reduce((a, b) => Math.max(a, b), 0),
      streamsLimit: this.streamsLimit,
      up: connectionsPlanned > 0 && connectionsOpen === connectionsPlanned,
    };
  }

  /** Reconnect the connection `conn` (pipeline calls it on venue notices / fatal venue errors). */
  reconnect(conn: number, reason: ReconnectReason, detail: string): void {
    this.connection(conn).reconnect(reason, detail);
  }

  /** Send a text frame on connection `conn` (dropped if it is not open: it belonged to that session). */
  send(conn: number, frame: string): void {
    this.connection(conn).send(frame);
  }

  noteAlive(conn: number): void {
    this.connection(conn).noteAlive();
  }

  private connection(conn: number): Connection {
    const c = this.connections[conn];
    if (!c) throw new RangeError(`feed ${this.opts.config.name} has no connection ${conn}`);
    return c;
  }

  private onOpen(i: number): void {
    this.open[i] = true;
    this.opened[i] = true;
    const lifetime = this.opts.adapter.limits.maxLifetimeMs;
    if (lifetime !== undefined && lifetime > 0) {
      this.lifetimeTimers[i] = setTimeout(
        () => this.connection(i).reconnect('lifetime', `rolling before the venue's ${lifetime}ms lifetime`),
        lifetime - lifetimeMargin(lifetime),
      );
    }
    this.opts.handlers.onStatus(this.status());
  }

  private onDown(i: number, reason: ReconnectReason, detail: string): void {
    this.clearLifetime(i);
    const wasOpen = this.open[i];
    this.open[i] = false;
    if (wasOpen && !this.stopped) this.opts.handlers.onStatus(this.status());
    this.opts.handlers.onSessionEnd?.(this.groups[i] ?? []);
    this.opts.handlers.onReconnect(reason, detail);
  }

  private clearLifetime(i: number): void {
    clearTimeout(this.lifetimeTimers[i]);
    this.lifetimeTimers[i] = undefined;
  }
}
