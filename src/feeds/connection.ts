/**
 * The one WebSocket lifecycle: connect (with a timeout), resubscribe, keep alive (protocol pings,
 * optional app pings, silence detection), and reconnect with backoff, always naming a reason.
 * The only module that owns a socket; adapters stay pure.
 *
 * Frame size: ws's own `maxPayload` closes the connection with 1009 when exceeded, which would
 * turn one oversized frame into a reconnect (and a resubscribe storm on a venue that keeps
 * sending it). So ws gets a generous ceiling (payloadCeiling) that only guards memory, and
 * frames over `maxFrameBytes` but under the ceiling are dropped here and reported, with the
 * connection left up. A frame over the ceiling still ends the connection (reason `error`) and is
 * reported as oversized too.
 *
 * Liveness: any frame (even a dropped one) and noteAlive() reset the silence timer; a protocol
 * pong, noteAlive(), or any frame since the last ping clears missed pings (in a burst the pong
 * queues behind megabytes of frames, and a connection that is delivering is not dead). Pongs
 * deliberately do not count as data: a venue whose stream froze while its socket still answers
 * pings is the stall the silence timer is for.
 * App pings are keepalives only; the pipeline reports their pongs through noteAlive().
 * pingIntervalMs 0 and silenceTimeoutMs 0 turn those checks off.
 *
 * Fair reads: frame handling is charged to a per-turn read budget shared by every connection
 * (read-budget.ts). Once it is spent, this socket is paused and its frames wait in a backlog that
 * is handed on, in order, in later turns (round-robin with other connections); the socket resumes
 * when the backlog is empty. The backlog is needed, not just the pause: ws emits every frame of
 * the chunk it is parsing even after pause(), and a chunk holds hundreds of frames. Frames keep
 * their arrival time. A socket paused by us is not silent: handing on its backlog counts as proof
 * of life. A backlog outlives its socket (frames that arrived before a loss are still delivered,
 * before any of the next socket's) but not stop(); a lost socket is resumed so its close completes.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import type { ConnectionConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { AppPing, ErrorType, ReconnectReason } from './types.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { WallClock } from '../runtime/wall-clock.js';
import { sharedReadBudget, type ReadBudget } from './read-budget.js';

export interface ConnectionHandlers {
  /** Socket open and subscribe frames sent. */
  onOpen(): void;
  /**
   * Every text frame. receivedAt: epoch ms at arrival (WallClock); startedAt: the read budget's
   * monotonic reading taken as the frame was handed on, for the handler to time its work from.
   */
  onFrame(text: string, receivedAt: number, startedAt: number): void;
  /**
   * An attempt ended: an open connection was lost, or an attempt failed before opening. Called
   * exactly once per attempt, after the next attempt is scheduled (so `lastBackoffMs` is set).
   * Not called by stop().
   */
  onDown(reason: ReconnectReason, detail: string): void;
  /** WebSocket protocol pong round trip. */
  onPingRtt?(rttMs: number): void;
  /** Frames dropped at the socket layer: oversized, binary. */
  onDrop?(type: ErrorType, detail: string): void;
}

export interface ConnectionOptions {
  /** For logs, e.g. "binance#0". */
  name: string;
  /** Re-evaluated on every (re)connect. */
  url: () => string;
  /** Re-sent after every (re)connect. */
  subscribeFrames: () => string[];
  appPing?: AppPing;
  config: ConnectionConfig;
  maxFrameBytes: number;
  /** Pace outgoing text frames (subscribes, app pings, send()) to this many per second. */
  outgoingPerSecond?: number;
  handlers: ConnectionHandlers;
  log: Logger;
  /** Injectable for jitter tests. */
  random?: () => number;
  /**
   * Called right before each attempt; returns ms to wait first (the slot is then booked).
   * The feed uses it to keep all its connections under the venue's attempts-per-window.
   */
  attemptGate?: () => number;
  /** Per-turn read time shared with other connections (default: the process-wide one). */
  readBudget?: ReadBudget;
}

/** ws closes with 1009 above this; below it, oversized frames are dropped and the socket kept. */
const PAYLOAD_CEILING_MIN = 16 * 1024 * 1024;
/** How long a graceful close waits for the server's close frame before destroying the socket. */
const CLOSE_GRACE_MS = 1_000;

type State = 'idle' | 'connecting' | 'subscribing' | 'open' | 'waiting' | 'stopped';
type QueueItem = string | (() => void);

/** A frame received while the read budget was spent, waiting for a later turn. */
interface Pending {
  data: RawData;
  isBinary: boolean;
  receivedAt: number;
}

interface LossExtra {
  /** Close with 1000 (a reconnect we asked for) rather than tear the socket down. */
  graceful?: boolean;
  /** HTTP status of a rejected upgrade. */
  status?: number;
  retryAfterMs?: number;
}

/**
 * One logical connection that keeps itself open until stop(). One-shot: start() after stop()
 * does nothing; build a new Connection instead.
 */
export class Connection {
  private readonly opts: ConnectionOptions;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly payloadCeiling: number;
  private state: State = 'idle';
  private ws: WebSocket | undefined;
  /** Every socket not yet closed, current or discarded: stop() waits for all of them. */
  private readonly closing = new Set<Promise<void>>();
  private failures = 0;
  private backoffMs = 0;
  private openedAt: number | undefined;
  /** When a frame or pong last proved the stream alive, on the read budget's clock (monotonic). */
  private lastAliveAt = 0;
  private missedPings = 0;
  private pingOutstanding = false;
  /** When the last protocol ping was sent, on the read budget's clock (as lastAliveAt). */
  private pingSentAt = 0;
  private queue: QueueItem[] = [];
  private nextSendAt = 0;
  private readonly budget: ReadBudget;
  /** Arrival times from the budget's readings (one clock reading a frame, not two). */
  private readonly wall = new WallClock();
  /** Frames not yet handed on, oldest first from backlogHead. */
  private backlog: (Pending | undefined)[] = [];
  private backlogHead = 0;
  private drainQueued = false;
  /** The socket we paused until the backlog is delivered. */
  private pausedWs: WebSocket | undefined;

  private retryTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private appPingTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private sendTimer: NodeJS.Timeout | undefined;

  constructor(opts: ConnectionOptions) {
    this.opts = opts;
    this.random = opts.random ?? Math.random;
    this.log = opts.log.child({ conn: opts.name });
    this.payloadCeiling = Math.max(PAYLOAD_CEILING_MIN, 4 * opts.maxFrameBytes);
    this.budget = opts.readBudget ?? sharedReadBudget;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Consecutive failed attempts; 0 once the connection has stayed up for resetAfterMs. */
  get attempts(): number {
    if (this.openedAt !== undefined && this.uptime() >= this.opts.config.backoff.resetAfterMs) return 0;
    return this.failures;
  }

  get lastBackoffMs(): number {
    return this.backoffMs;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.attempt();
  }

  async stop(): Promise<void> {
    if (this.state !== 'stopped') {
      this.state = 'stopped';
      // Frames held back belong to a consumer that is going away.
      this.backlog = [];
      this.backlogHead = 0;
      this.clearSocketState();
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      const ws = this.ws;
      this.ws = undefined;
      // close() on a connecting socket aborts the handshake; on an open one it says goodbye and
      // falls back to destroying the socket after CLOSE_GRACE_MS (ws's closeTimeout).
      if (ws) ws.close(1000, 'stopping');
    }
    await Promise.all([...this.closing]);
  }

  /** Called by the pipeline when an app-level pong (or any proof of life) arrives. */
  noteAlive(): void {
    this.lastAliveAt = this.budget.now();
    this.missedPings = 0;
  }

  /** Ask for a reconnect now (venue notice, venue error, config change). */
  reconnect(reason: ReconnectReason, detail: string): void {
    if (this.ws) this.lost(this.ws, reason, detail, { graceful: true });
    // Waiting in backoff: the next attempt re-reads url() and subscribeFrames() anyway, and
    // skipping the wait could break the venue's attempt limits.
    else this.log.debug('reconnect requested while not connected', { reason, detail, state: this.state });
  }

  /** Send a text frame (paced by outgoingPerSecond). Dropped when not connected: it belonged to that session. */
  send(frame: string): void {
    if (!this.ws || (this.state !== 'open' && this.state !== 'subscribing')) {
      this.log.debug('send while not open: dropped', { state: this.state });
      return;
    }
    this.enqueue(frame);
  }

  private attempt(): void {
    const wait = this.opts.attemptGate?.() ?? 0;
    if (wait > 0) {
      this.state = 'waiting';
      this.retryTimer = setTimeout(() => this.open(), wait);
    } else this.open();
  }

  private open(): void {
    this.retryTimer = undefined;
    this.state = 'connecting';
    this.openedAt = undefined;
    let ws: WebSocket;
    try {
      const options: WebSocket.ClientOptions & { closeTimeout: number } = {
        maxPayload: this.payloadCeiling,
        closeTimeout: Math.min(CLOSE_GRACE_MS, this.opts.config.connectTimeoutMs),
        followRedirects: false,
        // ws would check every text frame's UTF-8 (1-2% of ingest CPU) and drop the whole
        // connection on one bad byte. Decoding replaces bad bytes instead, and the frame then
        // fails parsing or names no configured symbol: one counted drop, the feed stays up.
        skipUTF8Validation: true,
      };
      ws = new WebSocket(this.opts.url(), options);
    } catch (err) {
      // A malformed URL throws synchronously; treat it like any failed attempt.
      this.ws = undefined;
      this.scheduleRetry('error', errorMessage(err), {}, false);
      return;
    }
    this.ws = ws;
    this.track(ws);
    this.connectTimer = setTimeout(
      () => this.lost(ws, 'connect_timeout', `no open within ${this.opts.config.connectTimeoutMs}ms`),
      this.opts.config.connectTimeoutMs,
    );
    ws.on('open', () => this.onSocketOpen(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on('pong', (data: Buffer) => this.onPong(ws, data));
    ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
      res.resume();
      const detail = `status=${status}` + (retryAfterMs !== undefined ? ` retry_after_ms=${retryAfterMs}` : '');
      this.lost(ws, 'handshake_rejected', detail, { status, retryAfterMs });
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (ws !== this.ws) return; // a discarded socket finishing its teardown
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.opts.handlers.onDrop?.('oversized_frame', `frame over the ${this.payloadCeiling} byte ceiling`);
      }
      this.lost(ws, 'error', err.message);
    });
    ws.on('close', (code: number, reason: Buffer) => {
      const why = reason.toString();
      this.lost(ws, 'closed', `code=${code}` + (why ? ` reason=${why}` : ''));
    });
  }

  /** Remember the socket until it has closed, so stop() can wait for it. */
  private track(ws: WebSocket): void {
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
  }

  private onSocketOpen(ws: WebSocket): void {
    if (ws !== this.ws) return;
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'subscribing';
    this.openedAt = performance.now();
    this.lastAliveAt = this.budget.now();
    this.missedPings = 0;
    this.pingOutstanding = false;
    const cfg = this.opts.config;
    if (cfg.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.onPingTick(ws), cfg.pingIntervalMs);
    if (cfg.silenceTimeoutMs > 0) this.armSilence(ws, cfg.silenceTimeoutMs);
    const appPing = this.opts.appPing;
    if (appPing && appPing.intervalMs > 0) {
      this.appPingTimer = setInterval(() => this.enqueue(appPing.frame(Date.now())), appPing.intervalMs);
    }
    for (const frame of this.opts.subscribeFrames()) this.enqueue(frame);
    this.enqueue(() => {
      this.state = 'open';
      this.log.info('connected', { attempts: this.failures });
      this.opts.handlers.onOpen();
    });
  }

  private onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (ws !== this.ws) return;
    const t0 = this.budget.now();
    const receivedAt = this.wall.at(t0);
    // Any frame, even one we drop, proves the stream is flowing.
    this.lastAliveAt = t0;
    if (this.backlogHead < this.backlog.length || this.budget.exhausted) {
      // Behind a backlog even with budget left, or frames would overtake it.
      this.backlog.push({ data, isBinary, receivedAt });
      if (this.pausedWs !== ws) {
        this.pausedWs = ws;
        ws.pause();
      }
      this.queueDrain();
      return;
    }
    this.deliver(data, isBinary, receivedAt, t0);
    this.budget.end(t0);
  }

  private queueDrain(): void {
    if (this.drainQueued) return;
    this.drainQueued = true;
    this.budget.defer(this.drainBacklog);
  }

  /** Our turn: hand on backlog frames while the budget lasts, then resume the socket or wait again. */
  private readonly drainBacklog = (): void => {
    this.drainQueued = false;
    if (this.state === 'stopped') return;
    // The socket is quiet because we paused it, not because the venue went silent.
    if (this.pausedWs !== undefined && this.pausedWs === this.ws) this.lastAliveAt = this.budget.now();
    try {
      // At least one frame per turn: progress whatever the budget.
      for (let first = true; this.backlogHead < this.backlog.length && (first || !this.budget.exhausted); first = false) {
        const p = this.backlog[this.backlogHead] as Pending;
        this.backlog[this.backlogHead++] = undefined;
        const t0 = this.budget.now();
        this.deliver(p.data, p.isBinary, p.receivedAt, t0);
        this.budget.end(t0);
      }
    } finally {
      // Even after a throwing handler the rest gets its turn and the socket is not left paused.
      // (A stop() from a handler emptied the backlog and released the pause already.)
      if (this.backlogHead < this.backlog.length) this.queueDrain();
      else {
        this.backlog = [];
        this.backlogHead = 0;
        this.releasePause();
      }
    }
  };

  /** Resume the socket we paused, if any (a no-op on a closed one). */
  private releasePause(): void {
    const ws = this.pausedWs;
    this.pausedWs = undefined;
    ws?.resume();
  }

  /** Hand one received frame on: to onFrame, or to onDrop when it is binary or oversized. */
  private deliver(data: RawData, isBinary: boolean, receivedAt: number, startedAt: number): void {
    if (isBinary) {
      this.opts.handlers.onDrop?.('malformed_frame', `binary frame of ${byteLength(data)} bytes`);
      return;
    }
    const size = byteLength(data);
    if (size > this.opts.maxFrameBytes) {
      this.opts.handlers.onDrop?.('oversized_frame', `${size} bytes > ${this.opts.maxFrameBytes}`);
      return;
    }
    this.opts.handlers.onFrame(toText(data), receivedAt, startedAt);
  }

  private onPingTick(ws: WebSocket): void {
    if (ws !== this.ws) return;
    // Frames since the last ping prove the peer alive: in a burst its pong waits behind them.
    if (this.pingOutstanding && this.lastAliveAt > this.pingSentAt) this.missedPings = 0;
    else if (this.pingOutstanding) {
      this.missedPings++;
      if (this.missedPings >= Math.max(1, this.opts.config.maxMissedPings)) {
        this.lost(ws, 'ping_timeout', `${this.missedPings} pings unanswered`);
        return;
      }
    }
    this.pingOutstanding = true;
    this.pingSentAt = this.budget.now();
    // The payload carries the send time, so each pong times its own ping even when pings overlap.
    ws.ping(performance.now().toFixed(3));
  }

  private onPong(ws: WebSocket, data: Buffer): void {
    if (ws !== this.ws) return;
    this.pingOutstanding = false;
    this.missedPings = 0;
    const sentAt = Number(data.toString());
    if (data.length > 0 && Number.isFinite(sentAt)) this.opts.handlers.onPingRtt?.(performance.now() - sentAt);
  }

  private armSilence(ws: WebSocket, delay: number): void {
    this.silenceTimer = setTimeout(() => {
      if (ws !== this.ws) return;
      const limit = this.opts.config.silenceTimeoutMs;
      const idle = this.budget.now() - this.lastAliveAt;
      // Checked lazily rather than re-armed per frame: one timer per silence period, not per frame.
      if (idle >= limit) this.lost(ws, 'stale', `no frame for ${Math.round(idle)}ms`);
      else this.armSilence(ws, limit - idle);
    }, delay);
  }

  private enqueue(item: QueueItem): void {
    this.queue.push(item);
    this.pump();
  }

  /** Drain the outgoing queue, no faster than outgoingPerSecond. */
  private pump(): void {
    if (this.sendTimer) return;
    const rate = this.opts.outgoingPerSecond;
    while (this.queue.length > 0) {
      const ws = this.ws;
      if (!ws) return;
      const item = this.queue[0] as QueueItem;
      if (typeof item === 'function') {
        this.queue.shift();
        item();
        continue;
      }
      const now = performance.now();
      if (rate && rate > 0 && now < this.nextSendAt) {
        this.sendTimer = setTimeout(() => {
          this.sendTimer = undefined;
          this.pump();
        }, this.nextSendAt - now);
        return;
      }
      this.queue.shift();
      ws.send(item);
      if (rate && rate > 0) this.nextSendAt = now + 1000 / rate;
    }
  }

  private uptime(): number {
    return this.openedAt === undefined ? 0 : performance.now() - this.openedAt;
  }

  /** The attempt on `ws` is over: tear it down, schedule the next one, report once. */
  private lost(ws: WebSocket, reason: ReconnectReason, detail: string, extra: LossExtra = {}): void {
    if (ws !== this.ws || this.state === 'stopped') return;
    this.ws = undefined;
    const wasOpen = this.openedAt !== undefined;
    const uptime = this.uptime();
    this.clearSocketState();
    if (extra.graceful) ws.close(1000, reason);
    else ws.terminate();
    if (wasOpen && uptime >= this.opts.config.backoff.resetAfterMs) this.failures = 0;
    this.scheduleRetry(reason, detail, extra, wasOpen, uptime);
  }

  private scheduleRetry(
    reason: ReconnectReason,
    detail: string,
    extra: LossExtra,
    wasOpen: boolean,
    uptime = 0,
  ): void {
    this.failures++;
    const harder = extra.status === 429 || extra.status === 418;
    let delay = backoffDelay(this.failures, this.opts.config.backoff, this.random, harder);
    // The venue's own wait wins, even past our cap: retrying earlier only extends a ban.
    if (extra.retryAfterMs !== undefined) delay = Math.max(delay, extra.retryAfterMs);
    this.backoffMs = delay;
    this.openedAt = undefined;
    this.state = 'waiting';
    this.retryTimer = setTimeout(() => this.attempt(), delay);
    const fields = { reason, detail, uptime_ms: wasOpen ? Math.round(uptime) : undefined, attempt: this.failures, next_delay_ms: delay };
    if (wasOpen) this.log.info('disconnected', fields);
    // A feed that cannot connect is down: an operator at --log-level warn must hear of it. Rate
    // limited (per kind, across connections): a dead endpoint fails again on every backoff step.
    else this.log.limited('connect_failed', 'connect failed', fields);
    this.opts.handlers.onDown(reason, detail);
  }

  /** Cancel everything tied to the current socket (not the retry timer). */
  private clearSocketState(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.pingTimer);
    clearInterval(this.appPingTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.sendTimer);
    this.connectTimer = this.pingTimer = this.appPingTimer = this.silenceTimer = this.sendTimer = undefined;
    this.queue = [];
    this.nextSendAt = 0;
    // A paused socket never reads the peer's close frame: resume it so a graceful close completes.
    this.releasePause();
    this.pingOutstanding = false;
    this.missedPings = 0;
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
