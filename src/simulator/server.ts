/**
 * A real WebSocket server speaking Binance's spot stream protocol, with knobs that make it
 * misbehave on purpose (gaps, duplicates, bad frames, stalls, disconnects, price shocks), so tests,
 * benchmarks and alert demos have a venue they control.
 *
 * Protocol (as web-socket-streams.md describes Binance): `/stream` (combined payloads, optional
 * `?streams=a/b`) and `/ws` or `/ws/<stream>/<stream>` (raw payloads); SUBSCRIBE, UNSUBSCRIBE,
 * LIST_SUBSCRIPTIONS, SET_PROPERTY/GET_PROPERTY `combined`; `trade` and `bookTicker` data for
 * subscribed streams only; unknown symbols are accepted and simply never trade. The server pings
 * every 20 s and drops a client that has not answered for a minute; it answers client pings
 * itself (ws `autoPong: false`) so `silence` can leave them unanswered.
 *
 * Knobs act immediately. `pause` stops only the rate-driven flow (explicit knobs still send);
 * `silence` stops everything: data, knob frames, answers to requests, pings and pongs.
 * The same knobs are served over HTTP on the same port (see control.ts).
 *
 * Throughput: a 10 ms tick sends what is due, one pre-framed write per client (wire.ts); about
 * 300k frames/s to one client on one core. A client that cannot keep up loses frames (counted in
 * `framesDropped`) once 8 MiB are waiting for it; while every client is that far behind, the
 * frames are not even built (their trade ids are skipped, as if sent and lost).
 *
 * Backfill is the exception: it is history an exporter needs whole, so it waits for a slow client
 * instead of dropping its frames (see backfill()).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { DEFAULT_LIMITS } from '../config/defaults.js';
import { DEFAULT_SIMULATOR, type SimulatorConfig } from './defaults.js';
import { errorFields } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { handleControl, type BackfillResult, type SimulatorKnobs, type SimulatorState } from './control.js';
import { Market, combinedFrame, malformedFrame, syntheticSymbol, type MalformedKind, type SymbolMarket } from './market.js';
import { encodeTextFrames } from './wire.js';

export interface SimulatorOptions extends Partial<SimulatorConfig> {
  /** Bind address; loopback unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  log?: Logger;
  /** Server ping interval (Binance: 20 s). */
  pingIntervalMs?: number;
  /** A client that answered no ping for this long is dropped (Binance: a minute). */
  pongTimeoutMs?: number;
  /** How often the rate-driven flow sends what is due. */
  tickMs?: number;
  /** The `oversized` malformed frame exceeds this many bytes. */
  oversizeBytes?: number;
  /** A client whose unsent data exceeds this loses frames (counted) instead of growing memory. */
  maxBufferedBytes?: number;
  /**
   * Spread the symbols' trades evenly over time instead of in step (each symbol's first trade
   * then comes at a different moment): a steady flow for latency benchmarks.
   */
  stagger?: boolean;
  /** A backfill stops waiting for a client whose send buffer has not shrunk for this long. */
  backfillStallMs?: number;
}

interface Client {
  readonly ws: WebSocket;
  /** The upgraded TCP socket: each tick's frames are written to it pre-framed (wire.ts). */
  readonly socket: Duplex;
  /** Combined (`/stream`) clients get the {"stream","data"} wrapper; raw (`/ws`) clients do not. */
  combined: boolean;
  readonly streams: Set<string>;
  lastPongAt: number;
  /** tradesGenerated when it connected: it has seen a market's trades numbered above this. */
  readonly since: number;
  /** Frames queued during this tick; sent together in one write. */
  readonly batch: string[];
}

/**
 * A late tick makes up at most this much time. The rate is a target, not a promise: when the
 * process cannot keep up, owing it the whole backlog would make the next tick slower still and
 * the loop would spiral into seconds-long stalls. `tradesGenerated` tells a benchmark what it got.
 */
const MAX_CATCHUP_MS = 50;
/** Trades a backfill queues before it writes them and checks that every client has room. */
const BACKFILL_BATCH = 4096;
/** More trades per symbol than this in one backfill is a typo (a step of a millisecond), not history. */
const MAX_BACKFILL_PER_SYMBOL = 1_000_000;
const METHODS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'LIST_SUBSCRIPTIONS', 'SET_PROPERTY', 'GET_PROPERTY'];

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Stream names are lowercase symbol + '@' + channel (channel case kept: bookTicker). */
function normaliseStream(s: string): string {
  const at = s.indexOf('@');
  return at < 0 ? s.toLowerCase() : s.slice(0, at).toLowerCase() + s.slice(at);
}

/** Binance accepts a 64-bit integer, an alphanumeric string of up to 36 characters, or null. */
function validId(id: unknown): boolean {
  return id === null || Number.isSafeInteger(id) || (typeof id === 'string' && id.length <= 36 && /^[A-Za-z0-9-]*$/.test(id));
}

function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export class Simulator implements SimulatorKnobs {
  readonly url: string;
  readonly port: number;
  private readonly market: Market;
  private readonly configured: SymbolMarket[];
  /** Fractional trades owed to each configured symbol, carried between ticks. */
  private readonly due: Float64Array;
  private readonly clients = new Set<Client>();
  /** Stream name -> subscribed clients. Empty sets are removed. */
  private readonly subs = new Map<string, Set<Client>>();
  private rate: number;
  private paused = false;
  private silent = false;
  private lagMs = 0;
  private lastTickAt = performance.now();
  private tradesGenerated = 0;
  private framesSent = 0;
  private framesDropped = 0;
  private backfilling = false;
  private backfillWaits = 0;
  private readonly tickTimer: NodeJS.Timeout;
  private readonly pingTimer: NodeJS.Timeout;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly cfg: SimulatorConfig,
    private readonly opts: Required<
      Pick<SimulatorOptions, 'pingIntervalMs' | 'pongTimeoutMs' | 'tickMs' | 'oversizeBytes' | 'maxBufferedBytes' | 'stagger' | 'backfillStallMs'>
    >,
    private readonly log: Logger,
    host: string,
  ) {
    const addr = http.address() as AddressInfo;
    this.port = addr.port;
    const urlHost = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    this.url = `ws://${urlHost}:${this.port}`;
    this.market = new Market({ startPrice: cfg.startPrice, volatility: cfg.volatility, seed: cfg.seed, firstTradeId: cfg.firstTradeId });
    this.configured = cfg.symbols.map((s) => this.market.get(s.toUpperCase()));
    // With equal accumulators every symbol comes due in the same tick, so a steady rate arrives as
    // one burst per 1/rate seconds. `stagger` starts them at spread fractions (golden-ratio steps).
    this.due = Float64Array.from(this.configured, (_, i) => (opts.stagger ? (i * 0.6180339887498949) % 1 : 0));
    this.rate = cfg.ratePerSymbol;
    this.tickTimer = setInterval(() => this.tick(), opts.tickMs).unref();
    this.pingTimer = setInterval(() => this.pingAll(), opts.pingIntervalMs).unref();
  }

  /** Start listening (127.0.0.1, a free port, DEFAULT_SIMULATOR settings unless given). */
  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const { host = '127.0.0.1', port = 0, log, pingIntervalMs, pongTimeoutMs, tickMs, oversizeBytes, maxBufferedBytes, stagger, backfillStallMs, ...rest } = options;
    const cfg: SimulatorConfig = {
      symbols: rest.symbols ?? DEFAULT_SIMULATOR.symbols,
      ratePerSymbol: rest.ratePerSymbol ?? DEFAULT_SIMULATOR.ratePerSymbol,
      startPrice: rest.startPrice ?? DEFAULT_SIMULATOR.startPrice,
      volatility: rest.volatility ?? DEFAULT_SIMULATOR.volatility,
      seed: rest.seed ?? DEFAULT_SIMULATOR.seed,
      firstTradeId: rest.firstTradeId ?? DEFAULT_SIMULATOR.firstTradeId,
    };
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, clientTracking: false, maxPayload: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const sim = new Simulator(
      http,
      wss,
      cfg,
      {
        pingIntervalMs: pingIntervalMs ?? 20_000,
        pongTimeoutMs: pongTimeoutMs ?? 60_000,
        tickMs: tickMs ?? 10,
        oversizeBytes: oversizeBytes ?? DEFAULT_LIMITS.maxFrameBytes,
        maxBufferedBytes: maxBufferedBytes ?? 8 << 20,
        stagger: stagger ?? false,
        backfillStallMs: backfillStallMs ?? 30_000,
      },
      log ?? createLogger({ level: 'warn' }),
      host,
    );
    http.on('request', (req, res) => sim.onRequest(req, res));
    http.on('upgrade', (req, socket, head) => sim.onUpgrade(req, socket, head));
    return sim;
  }

  // ---- knobs ----

  state(): SimulatorState {
    return {
      url: this.url,
      symbols: this.configured.map((m) => m.symbol),
      ratePerSymbol: this.rate,
      paused: this.paused,
      silent: this.silent,
      lagMs: this.lagMs,
      seed: this.cfg.seed,
      clients: this.clients.size,
      streams: this.subs.size,
      tradesGenerated: this.tradesGenerated,
      framesSent: this.framesSent,
      framesDropped: this.framesDropped,
      backfilling: this.backfilling,
      backfillWaits: this.backfillWaits,
    };
  }

  /** Trades per second per configured symbol (0 stops the flow, like pause). */
  setRate(perSymbol: number): void {
    if (!(perSymbol >= 0 && perSymbol < Infinity)) throw new RangeError(`rate must be a finite number >= 0, got ${perSymbol}`);
    this.rate = perSymbol;
  }

  /**
   * One trade for each of `n` symbols in the same millisecond, like a market-open snapshot: the
   * configured symbols first, then synthetic SYM0000, SYM0001, ... Only subscribers receive
   * them. Returns the frames queued.
   */
  burst(n: number): number {
    const reachable = this.configured.length + this.syntheticSubscribed(n - this.configured.length);
    if (reachable < n) {
      throw new RangeError(
        `n=${n}, but only ${reachable} symbols are configured or subscribed: a burst is one trade per symbol (burst?symbol=S&n=K sends K trades of one symbol)`,
      );
    }
    if (this.silent) return 0;
    const t = Date.now() - this.lagMs;
    let frames = 0;
    for (let i = 0; i < n; i++) {
      let m: SymbolMarket;
      if (i < this.configured.length) m = this.configured[i] as SymbolMarket;
      else {
        const sym = syntheticSymbol(i - this.configured.length);
        // Nobody listening: do not grow the market map for a symbol no one will see.
        if (!this.market.has(sym) && !this.subs.has(`${sym.toLowerCase()}@trade`) && !this.subs.has(`${sym.toLowerCase()}@bookTicker`)) continue;
        m = this.market.get(sym);
      }
      frames += this.emit(m, t);
    }
    this.flush();
    return frames;
  }

  /** Of the first `count` synthetic symbols, how many exist or have a subscriber. */
  private syntheticSubscribed(count: number): number {
    let n = 0;
    for (let i = 0; i < count; i++) {
      const sym = syntheticSymbol(i);
      if (this.market.has(sym) || this.subs.has(`${sym.toLowerCase()}@trade`) || this.subs.has(`${sym.toLowerCase()}@bookTicker`)) n++;
    }
    return n;
  }

  /**
   * The market of a symbol a knob names: configured, or subscribed by some client. Anything else
   * is refused (RangeError: 400 over HTTP), so a typo is not answered with a silent ok.
   */
  private known(symbol: string): SymbolMarket {
    const lower = symbol.toLowerCase();
    if (!this.market.has(symbol) && !this.subs.has(`${lower}@trade`) && !this.subs.has(`${lower}@bookTicker`)) {
      const list = this.configured.slice(0, 10).map((m) => m.symbol).join(', ') + (this.configured.length > 10 ? ', ...' : '');
      throw new RangeError(`unknown symbol ${symbol}: the simulator trades ${list} and any symbol a client subscribes to`);
    }
    return this.market.get(symbol);
  }

  /** `k` trades of one symbol in the same millisecond. Returns the frames queued. */
  burstSymbol(symbol: string, k: number): number {
    const m = this.known(symbol);
    if (this.silent) return 0;
    const t = Date.now() - this.lagMs;
    let frames = 0;
    for (let i = 0; i < k; i++) frames += this.emit(m, t);
    this.flush();
    return frames;
  }

  /** The symbol's next trade skips `n` ids. */
  gap(symbol: string, n: number): void {
    this.known(symbol).gap(n);
  }

  /** Resend the symbol's last trade frame to its subscribers. Returns the frames sent. */
  duplicate(symbol: string): number {
    const m = this.known(symbol);
    const subs = this.subs.get(m.tradeStream);
    if (this.silent || !m.lastTrade || !subs) return 0;
    const n = this.enqueue(subs, m.tradeStream, m.lastTrade);
    this.flush();
    return n;
  }

  /**
   * Send one bad frame. Trade-shaped kinds go to the symbol's trade subscribers; json, truncated
   * and binary go to every client. Returns the frames sent.
   */
  malformed(kind: MalformedKind, symbol?: string): number {
    const m = symbol === undefined ? this.market.get(this.configured[0]?.symbol ?? 'BTCUSDT') : this.known(symbol);
    if (this.silent) return 0;
    const everyone = kind === 'json' || kind === 'truncated' || kind === 'binary';
    const targets = everyone ? this.clients : (this.subs.get(m.tradeStream) ?? new Set<Client>());
    const t = Date.now() - this.lagMs;
    let n = 0;
    for (const c of targets) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      c.ws.send(malformedFrame(kind, m, t, c.combined, this.opts.oversizeBytes));
      n++;
    }
    this.framesSent += n;
    return n;
  }

  /** Stop (or restart) sending anything and answering pings: a stalled connection. */
  silence(on: boolean): void {
    if (this.silent && !on) {
      // A silence is not the client's fault: restart its pong clock.
      const now = Date.now();
      for (const c of this.clients) c.lastPongAt = now;
      this.lastTickAt = performance.now();
    }
    this.silent = on;
    if (on) for (const c of this.clients) c.batch.length = 0;
  }

  /** Close every client with `code`, or reset every connection (no close frame) without one. */
  disconnect(code?: number): number {
    if (code !== undefined && !isValidCloseCode(code)) throw new RangeError(`close code ${code} cannot be sent (1000-1014 except 1004-1006, or 3000-4999)`);
    const n = this.clients.size;
    for (const c of this.clients) {
      if (code === undefined) c.ws.terminate();
      else c.ws.close(code, 'simulator disconnect');
    }
    return n;
  }

  /** The symbol's next trade moves the price by `pct` percent. */
  shock(symbol: string, pct: number): void {
    if (!(pct > -100 && pct < Infinity)) throw new RangeError(`pct must be > -100, got ${pct}`);
    this.known(symbol).shock(pct);
  }

  /**
   * The symbol's trades keep coming at its current price (each moved by at most `noise` of it, a
   * ratio) until thaw(): a frozen price on a live feed.
   */
  freeze(symbol: string, noise = 0): void {
    if (!(noise >= 0 && noise < 0.01)) throw new RangeError(`noise must be from 0 to under 0.01, got ${noise}`);
    this.known(symbol).freeze(noise);
  }

  /** The symbol's price walks again, from where it froze. */
  thaw(symbol: string): void {
    this.known(symbol).thaw();
  }

  /** Event and trade times are set `ms` in the past from now on. */
  lag(ms: number): void {
    if (!(ms >= 0 && ms < Infinity)) throw new RangeError(`lag must be a finite number >= 0, got ${ms}`);
    this.lagMs = ms;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.lastTickAt = performance.now();
  }

  /**
   * History for an exporter that starts now: for every configured symbol with a trade subscriber,
   * one trade per `stepMs` of event time over (end - minutes, end], oldest first, each on the
   * symbol's walk with the next id, so a subscriber sees no sequence gap and the live flow
   * continues where it ends. Trades only: a book ticker carries no time to backdate. A step of at
   * most the shortest bar interval gives every bar of that interval a trade.
   *
   * Symbol by symbol, not as a tape of all symbols in time order: an exporter closes an idle bar
   * on its wall clock, which is hours past a backdated bar's end, so a bar whose trades were
   * spread over the whole backfill would be closed after its first trade and the rest would be
   * late. One symbol's trades back to back are applied before that pass can run between them.
   *
   * Unlike the live flow, nothing is dropped for a slow client: frames go out in batches, and
   * before each batch the backfill waits for every client whose unsent data is over the limit.
   * A client that closes, or whose buffer does not shrink for `backfillStallMs`, has its frames
   * counted in `skipped` (its ids are used up: it sees a gap). The rate-driven flow waits while a
   * backfill runs and until every client has been handed all of it, so live trades never land
   * between backdated ones nor are dropped behind them. One backfill at a time.
   */
  async backfill(minutes: number, stepMs = 30_000, end = Date.now() - this.lagMs, opts: { allowLate?: boolean } = {}): Promise<BackfillResult> {
    if (!(stepMs > 0 && stepMs < Infinity)) throw new RangeError(`step must be a positive number of ms, got ${stepMs}`);
    if (!(minutes >= 0 && minutes < Infinity) || !Number.isFinite(end)) throw new RangeError(`minutes and end must be finite, got ${minutes}, ${end}`);
    // The epsilon: minutes given as a decimal number of steps (0.35 min of 7 s) must not lose one.
    const perSymbol = Math.floor((minutes * 60_000) / stepMs + 1e-9);
    if (perSymbol < 1) throw new RangeError(`${minutes} minutes is less than one step of ${stepMs} ms`);
    if (perSymbol > MAX_BACKFILL_PER_SYMBOL) throw new RangeError(`${perSymbol} trades per symbol; at most ${MAX_BACKFILL_PER_SYMBOL} (a longer step?)`);
    if (this.backfilling) throw new RangeError('a backfill is already running');
    const markets = this.configured.filter((m) => this.subs.has(m.tradeStream));
    const from = end - (perSymbol - 1) * stepMs;
    if (!opts.allowLate) this.refuseLate(markets, from);
    const result: BackfillResult = { symbols: markets.length, trades: 0, sent: 0, skipped: 0, from, to: end, stepMs };
    if (markets.length === 0) return result;
    this.backfilling = true;
    const stalled = new Set<Client>();
    try {
      let queued = 0;
      for (const m of markets) {
        for (let k = perSymbol - 1; k >= 0; k--) {
          const t = end - k * stepMs;
          const payload = m.trade(t, t);
          m.tradeNo = ++this.tradesGenerated;
          result.trades++;
          const subs = this.subs.get(m.tradeStream);
          if (subs) queued += this.enqueue(subs, m.tradeStream, payload);
          if (queued >= BACKFILL_BATCH) {
            this.flushBackfill(result, stalled);
            queued = 0;
            await this.roomForBackfill(stalled);
            // Stopping: the clients are gone; the rest of the history has no one to go to.
            if (this.stopping) return result;
          }
        }
      }
      this.flushBackfill(result, stalled);
      // The live flow drops frames for a client over the limit: resumed while a slow client still
      // held the history's tail, its first live trades were lost (an id gap). It resumes once every
      // client has been handed all of the history.
      await this.roomForBackfill(stalled, 0);
    } finally {
      for (const c of this.clients) c.batch.length = 0;
      this.backfilling = false;
      this.lastTickAt = performance.now();
    }
    return result;
  }

  /**
   * A client that already has a trade of a symbol stamped at or after `from` takes the backfill
   * as late trades (its bars are past them): all of it counted late, none applied. Refused, with
   * what to do instead, unless asked for.
   */
  private refuseLate(markets: readonly SymbolMarket[], from: number): void {
    for (const m of markets) {
      if (!(m.lastEventTime >= from)) continue;
      for (const c of this.subs.get(m.tradeStream) ?? []) {
        if (c.since >= m.tradeNo) continue;
        throw new RangeError(
          `a connected client already has a ${m.symbol} trade at ${new Date(m.lastEventTime).toISOString()}, after this backfill starts (${new Date(from).toISOString()}): it would all arrive late. Backfill before the live flow reaches the client (start with rate 0 or pause, connect, backfill, resume), or pass allowLate=true`,
        );
      }
    }
  }

  /** Close every client (1001 going away), then the listener. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.tickTimer);
      clearInterval(this.pingTimer);
      const closed = [...this.clients].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            c.ws.once('close', () => resolve());
            c.ws.close(1001, 'simulator stopping');
          }),
      );
      // A client that never answers the close frame is cut off rather than waited for.
      const deadline = setTimeout(() => {
        for (const c of this.clients) c.ws.terminate();
      }, 1_000);
      await Promise.all(closed);
      clearTimeout(deadline);
      await new Promise<void>((resolve) => {
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      });
      this.wss.close();
    })();
    return this.stopping;
  }

  // ---- data flow ----

  private tick(): void {
    const now = performance.now();
    const dt = Math.min(now - this.lastTickAt, MAX_CATCHUP_MS);
    this.lastTickAt = now;
    if (this.paused || this.silent || this.backfilling || this.rate <= 0 || this.clients.size === 0) return;
    const add = (this.rate * dt) / 1000;
    const t = Date.now() - this.lagMs;
    const due = this.due;
    // When no client has room, every frame would be built only to be dropped in flush(): skip
    // building them, so a benchmark's generator spends its core on frames a client can take.
    const room = this.anyRoom();
    for (let i = 0; i < this.configured.length; i++) {
      const owed = (due[i] as number) + add;
      const n = Math.floor(owed);
      due[i] = owed - n;
      if (n === 0) continue;
      const m = this.configured[i] as SymbolMarket;
      // Nobody subscribed: do not advance the walk, so a subscriber's ids start where they left off.
      const trades = this.subs.get(m.tradeStream);
      const books = this.subs.get(m.bookStream);
      if (!trades && !books) continue;
      if (room) for (let j = 0; j < n; j++) this.emit(m, t);
      else {
        // The same outcome as dropping them: the ids are used up, so subscribers see the gap.
        m.gap(n);
        this.tradesGenerated += n;
        this.framesDropped += n * ((trades?.size ?? 0) + (books?.size ?? 0));
      }
    }
    if (room) this.flush();
  }

  /** Some client is open with its send buffer under the limit. */
  private anyRoom(): boolean {
    for (const c of this.clients) if (c.ws.readyState === WebSocket.OPEN && c.ws.bufferedAmount <= this.opts.maxBufferedBytes) return true;
    return false;
  }

  /** One trade (and a book update for bookTicker subscribers). Returns the frames queued. */
  private emit(m: SymbolMarket, t: number): number {
    const payload = m.trade(t, t);
    m.tradeNo = ++this.tradesGenerated;
    let n = 0;
    const trades = this.subs.get(m.tradeStream);
    if (trades) n += this.enqueue(trades, m.tradeStream, payload);
    const books = this.subs.get(m.bookStream);
    if (books) n += this.enqueue(books, m.bookStream, m.bookTicker());
    return n;
  }

  private enqueue(subs: Set<Client>, stream: string, payload: string): number {
    let wrapped: string | undefined;
    for (const c of subs) c.batch.push(c.combined ? (wrapped ??= combinedFrame(stream, payload)) : payload);
    return subs.size;
  }

  /** Send each client's queued frames as one pre-framed write (see wire.ts). */
  private flush(): void {
    for (const c of this.clients) {
      const batch = c.batch;
      if (batch.length === 0) continue;
      // A consumer slower than the flow loses frames (it sees trade-id gaps, as it would if a
      // venue conflated) instead of growing this process's memory without bound.
      if (c.ws.readyState !== WebSocket.OPEN || c.ws.bufferedAmount > this.opts.maxBufferedBytes) {
        this.framesDropped += batch.length;
        batch.length = 0;
        continue;
      }
      c.socket.write(encodeTextFrames(batch));
      this.framesSent += batch.length;
      batch.length = 0;
    }
  }

  /** Write each client's backfill batch whatever its buffer holds (roomForBackfill bounds it). */
  private flushBackfill(r: BackfillResult, stalled: ReadonlySet<Client>): void {
    for (const c of this.clients) {
      const batch = c.batch;
      if (batch.length === 0) continue;
      if (this.silent || stalled.has(c) || c.ws.readyState !== WebSocket.OPEN) r.skipped += batch.length;
      else {
        c.socket.write(encodeTextFrames(batch));
        this.framesSent += batch.length;
        r.sent += batch.length;
      }
      batch.length = 0;
    }
  }

  /**
   * Wait until every open client has at most `limit` bytes unsent (default the buffer limit; 0: all
   * of it handed to the socket), or has made no progress for too long.
   */
  private async roomForBackfill(stalled: Set<Client>, limit = this.opts.maxBufferedBytes): Promise<void> {
    for (const c of this.clients) {
      if (stalled.has(c) || c.ws.readyState !== WebSocket.OPEN || c.ws.bufferedAmount <= limit) continue;
      this.backfillWaits++;
      let level = c.ws.bufferedAmount;
      let since = performance.now();
      let checks = 0;
      while (c.ws.readyState === WebSocket.OPEN && c.ws.bufferedAmount > limit) {
        await sleep(5);
        const now = performance.now();
        if (c.ws.bufferedAmount < level) {
          level = c.ws.bufferedAmount;
          since = now;
          checks = 0;
        } else if (++checks >= 10 && now - since >= this.opts.backfillStallMs) {
          // Ten looks, each after an event-loop turn that could have written to the socket: when
          // this process itself was descheduled, the clock ran but the client had no chance.
          this.log.warn('backfill: a client stopped reading; skipping its frames', { streams: c.streams.size, bufferedBytes: level });
          stalled.add(c);
          break;
        }
      }
    }
  }

  private pingAll(): void {
    if (this.silent) return;
    const now = Date.now();
    for (const c of this.clients) {
      if (now - c.lastPongAt > this.opts.pongTimeoutMs) {
        this.log.info('client missed pongs, dropping it', { streams: c.streams.size });
        c.ws.terminate();
      } else if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
    }
  }

  // ---- connections ----

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const u = new URL(req.url ?? '/', 'http://simulator');
    let combined: boolean;
    let initial: string[];
    if (u.pathname === '/stream' || u.pathname === '/stream/') {
      combined = true;
      initial = (u.searchParams.get('streams') ?? '').split('/');
    } else if (u.pathname === '/ws' || u.pathname.startsWith('/ws/')) {
      combined = false;
      initial = u.pathname.slice(4).split('/');
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Client = { ws, socket, combined, streams: new Set(), lastPongAt: Date.now(), since: this.tradesGenerated, batch: [] };
      this.clients.add(c);
      this.subscribe(c, initial.filter((s) => s !== ''));
      ws.on('message', (data, isBinary) => this.onMessage(c, data, isBinary));
      ws.on('ping', (data) => {
        if (!this.silent) ws.pong(data);
      });
      ws.on('pong', () => {
        c.lastPongAt = Date.now();
      });
      ws.on('error', (e) => this.log.debug('client socket error', { error: e.message }));
      ws.on('close', () => this.drop(c));
      this.log.debug('client connected', { path: u.pathname, clients: this.clients.size });
    });
  }

  private subscribe(c: Client, streams: readonly string[]): void {
    for (const raw of streams) {
      const s = normaliseStream(raw);
      if (c.streams.has(s)) continue;
      c.streams.add(s);
      let set = this.subs.get(s);
      if (!set) this.subs.set(s, (set = new Set()));
      set.add(c);
    }
  }

  private unsubscribe(c: Client, streams: readonly string[]): void {
    for (const raw of streams) {
      const s = normaliseStream(raw);
      if (!c.streams.delete(s)) continue;
      const set = this.subs.get(s);
      set?.delete(c);
      if (set?.size === 0) this.subs.delete(s);
    }
  }

  private drop(c: Client): void {
    this.unsubscribe(c, [...c.streams]);
    this.clients.delete(c);
  }

  private reply(c: Client, body: Record<string, unknown>): void {
    if (this.silent || c.ws.readyState !== WebSocket.OPEN) return;
    c.ws.send(JSON.stringify(body));
  }

  /** Live requests, answered the way web-socket-streams.md documents (errors included). */
  private onMessage(c: Client, data: RawData, isBinary: boolean): void {
    let req: unknown;
    try {
      req = JSON.parse(isBinary ? '' : text(data));
    } catch {
      return this.reply(c, { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' });
    }
    if (typeof req !== 'object' || req === null || Array.isArray(req)) return this.reply(c, { code: 2, msg: 'Invalid request: expected a JSON object' });
    const { method, params, id } = req as { method?: unknown; params?: unknown; id?: unknown };
    if (method === undefined) return this.reply(c, { code: 2, msg: 'Invalid request: missing field `method`' });
    if (!validId(id)) return this.reply(c, { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' });
    if (typeof method !== 'string' || !METHODS.includes(method)) {
      return this.reply(c, { code: 2, msg: `Invalid request: unknown variant ${JSON.stringify(String(method))}, expected one of ${METHODS.map((m) => `\`${m}\``).join(', ')}`, id });
    }
    const list = Array.isArray(params) ? params : [];
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (!list.every((p): p is string => typeof p === 'string')) return this.reply(c, { code: 2, msg: 'Invalid request: stream names must be strings', id });
        if (method === 'SUBSCRIBE') this.subscribe(c, list);
        else this.unsubscribe(c, list);
        return this.reply(c, { result: null, id });
      case 'LIST_SUBSCRIPTIONS':
        return this.reply(c, { result: [...c.streams], id });
      case 'SET_PROPERTY':
        if (list[0] !== 'combined') return this.reply(c, { code: 0, msg: 'Unknown property', id });
        if (typeof list[1] !== 'boolean') return this.reply(c, { code: 1, msg: 'Invalid value type: expected Boolean' });
        c.combined = list[1];
        return this.reply(c, { result: null, id });
      case 'GET_PROPERTY':
        if (list[0] !== 'combined') return this.reply(c, { code: 0, msg: 'Unknown property', id });
        return this.reply(c, { result: c.combined, id });
    }
  }

  // ---- HTTP control ----

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://simulator');
    // Drain any request body so keep-alive connections stay usable.
    req.resume();
    const answer = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname !== '/control' && !u.pathname.startsWith('/control/'))
      return answer(404, { ok: false, error: 'not found: the control API is under /control, streams under /stream and /ws' });
    handleControl(this, req.method ?? 'GET', u.pathname, u.searchParams).then(
      (r) => answer(r.status, r.body),
      (e: unknown) => {
        this.log.error('control request failed', { path: u.pathname, ...errorFields(e) });
        answer(500, { ok: false, error: e instanceof Error ? e.message : String(e) });
      },
    );
  }
}
