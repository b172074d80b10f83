/**
 * The fault suite's pieces: a fake Binance venue whose every misbehaviour is a method call (close
 * codes, TCP resets mid-frame, half-open stalls, rejected upgrades, refused connections, bad
 * frames, bursts), and the real exporter service pointed at it with fast timings.
 *
 * FakeVenue speaks Binance's combined-stream protocol the way the binance adapter uses it:
 * `/stream`, SUBSCRIBE frames answered with {"result":null,"id":N}, trades wrapped as
 * {"stream","data"}, built from test/fixtures/binance/trade-combined.json.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { createLogger, type Logger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { fixtureJson } from '../support/venue-server.js';
import { parseExposition, sum, type Series } from '../support/scrape.js';
import { pollUntil } from '../support/service-process.js';

export interface VenueClient {
  readonly ws: WebSocket;
  readonly socket: Socket;
  /** Lower-case stream names the client subscribed to (btcusdt@trade). */
  readonly streams: Set<string>;
  /** Text frames the client sent. */
  readonly received: string[];
}

type UpgradeMode = { kind: 'accept' } | { kind: 'reject'; status: number; headers: Record<string, string> } | { kind: 'blackhole' };

interface TradeData {
  e: 'trade';
  E: number;
  s: string;
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
  M: boolean;
}

/** What a sent trade carried, for assertions. */
export interface SentTrade {
  symbol: string;
  id: number;
  price: number;
  time: number;
}

const TRADE_FIXTURE = fixtureJson<{ stream: string; data: TradeData }>('binance', 'trade-combined');

export class FakeVenue {
  readonly clients = new Set<VenueClient>();
  /** Date.now() of every upgrade request, accepted or not. */
  readonly attempts: number[] = [];
  /** The request path and query of every upgrade request. */
  readonly paths: string[] = [];
  /** Upgrades accepted so far. */
  accepted = 0;
  private mode: UpgradeMode = { kind: 'accept' };
  private frozen = false;
  private readonly held = new Set<Duplex>();
  private readonly ids = new Map<string, number>();
  private readonly prices = new Map<string, number>();
  private flowTimer: NodeJS.Timeout | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, clientTracking: false, maxPayload: 1 << 20 });

  private constructor(
    private http: Server,
    readonly port: number,
  ) {}

  /** Listen on 127.0.0.1 (port 0: any free port). */
  static async start(port = 0): Promise<FakeVenue> {
    const http = await FakeVenue.listen(port);
    const venue = new FakeVenue(http, (http.address() as AddressInfo).port);
    venue.wire(http);
    return venue;
  }

  private static async listen(port: number): Promise<Server> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    return http;
  }

  /** The base URL for a binance feed's `url` (the adapter appends /stream). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Open clients. */
  get open(): VenueClient[] {
    return [...this.clients].filter((c) => c.ws.readyState === WebSocket.OPEN);
  }

  // ---- upgrades ----

  accept(): void {
    this.mode = { kind: 'accept' };
  }

  /** Answer every upgrade with this HTTP status (429, 418, 503, ...) and headers. */
  reject(status: number, headers: Record<string, string> = {}): void {
    this.mode = { kind: 'reject', status, headers };
  }

  /** Accept TCP, never answer the upgrade. */
  blackhole(): void {
    this.mode = { kind: 'blackhole' };
  }

  /** Stop listening (new connections are refused) and drop every client. */
  async stopListening(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    for (const s of this.held) s.destroy();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  /** Listen again on the same port. */
  async resumeListening(): Promise<void> {
    this.http = await FakeVenue.listen(this.port);
    this.wire(this.http);
  }

  // ---- the data flow ----

  /** Send one trade per subscribed symbol every `everyMs` (stop with stopFlow). */
  flow(everyMs: number): void {
    this.stopFlow();
    this.flowTimer = setInterval(() => {
      if (this.frozen) return;
      const symbols = new Set<string>();
      for (const c of this.clients) for (const s of c.streams) if (s.endsWith('@trade')) symbols.add(s.slice(0, -6).toUpperCase());
      for (const s of symbols) this.trade(s);
    }, everyMs);
  }

  stopFlow(): void {
    clearInterval(this.flowTimer);
    this.flowTimer = undefined;
  }

  /** The next trade frame of `symbol` (ids and prices advance unless overridden), not sent. */
  tradeFrame(symbol: string, over: { id?: number; price?: string; qty?: string; time?: number } = {}): { text: string; trade: SentTrade } {
    const id = over.id ?? (this.ids.get(symbol) ?? 1000) + 1;
    // An explicit id moves the counter forward (never back), as a venue's own numbering would.
    if (id > (this.ids.get(symbol) ?? 1000)) this.ids.set(symbol, id);
    let price = this.prices.get(symbol) ?? 100;
    if (over.price === undefined) {
      // A gentle zig-zag: prices stay near 100 and every trade changes the price.
      price = Math.round((price + (id % 2 === 0 ? 0.01 : -0.005)) * 1000) / 1000;
      this.prices.set(symbol, price);
    }
    const time = over.time ?? Date.now();
    const data: TradeData = { ...TRADE_FIXTURE.data, E: time, T: time, s: symbol, t: id, p: over.price ?? price.toFixed(3), q: over.qty ?? TRADE_FIXTURE.data.q };
    const text = JSON.stringify({ stream: `${symbol.toLowerCase()}@trade`, data });
    return { text, trade: { symbol, id, price: Number(data.p), time } };
  }

  /** Send the next trade of `symbol` to every client subscribed to it. */
  trade(symbol: string, over: Parameters<FakeVenue['tradeFrame']>[1] = {}): SentTrade {
    const { text, trade } = this.tradeFrame(symbol, over);
    const stream = `${symbol.toLowerCase()}@trade`;
    for (const c of this.open) if (c.streams.has(stream)) c.ws.send(text);
    return trade;
  }

  /** Send a frame (text, or binary for a Buffer) to every open client. */
  send(frame: string | Buffer): void {
    for (const c of this.open) c.ws.send(frame, { binary: Buffer.isBuffer(frame) });
  }

  /** Many frames in one write, the way a venue flushes a burst: to every open client, or to those subscribed to `stream`. */
  sendBatch(frames: readonly string[], stream?: string): void {
    for (const c of this.open) {
      if (stream !== undefined && !c.streams.has(stream)) continue;
      c.socket.cork();
      for (const f of frames) c.ws.send(f);
      c.socket.uncork();
    }
  }

  // ---- faults ----

  /** Close every client with `code` (1000, 1001, a venue's 4xxx). */
  closeAll(code: number, reason = 'fake venue closing'): void {
    for (const c of this.open) c.ws.close(code, reason);
  }

  /** Reset every client's TCP connection (RST) in the middle of a frame: header and half a payload. */
  resetMidFrame(): void {
    for (const c of this.open) {
      const payload = Buffer.from(this.tradeFrame('AAAUSDT', { id: 1 }).text);
      // FIN + text opcode, 16-bit length: the client has a frame in progress when the RST lands.
      const header = Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
      c.socket.write(Buffer.concat([header, payload.subarray(0, payload.length >> 1)]));
      c.socket.resetAndDestroy();
    }
  }

  /** Half-open: stop sending anything and stop answering pings, without closing (or resume). */
  freeze(on: boolean): void {
    this.frozen = on;
  }

  async close(): Promise<void> {
    this.stopFlow();
    await this.stopListening().catch(() => undefined);
  }

  private wire(http: Server): void {
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.attempts.push(Date.now());
    this.paths.push(req.url ?? '');
    socket.on('error', () => undefined);
    const mode = this.mode;
    if (mode.kind === 'reject') {
      const lines = [`HTTP/1.1 ${mode.status} ${STATUS_CODES[mode.status] ?? 'Rejected'}`, 'Connection: close', 'Content-Length: 0'];
      for (const [k, v] of Object.entries(mode.headers)) lines.push(`${k}: ${v}`);
      socket.end(lines.join('\r\n') + '\r\n\r\n');
      return;
    }
    if (mode.kind === 'blackhole') {
      this.held.add(socket);
      socket.on('close', () => this.held.delete(socket));
      return;
    }
    if (!(req.url ?? '').startsWith('/stream')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.accepted++;
      const c: VenueClient = { ws, socket: socket as Socket, streams: new Set(), received: [] };
      this.clients.add(c);
      ws.on('error', () => undefined);
      ws.on('close', () => this.clients.delete(c));
      ws.on('ping', (data) => {
        if (!this.frozen) ws.pong(data);
      });
      ws.on('message', (data: RawData, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        c.received.push(text);
        if (this.frozen) return;
        let req: { method?: string; params?: unknown; id?: unknown };
        try {
          req = JSON.parse(text) as typeof req;
        } catch {
          return;
        }
        if (req.method === 'SUBSCRIBE' && Array.isArray(req.params)) {
          for (const p of req.params) if (typeof p === 'string') c.streams.add(p.toLowerCase().replace('@bookticker', '@bookTicker'));
          ws.send(JSON.stringify({ result: null, id: req.id ?? null }));
        }
      });
    });
  }
}

// ---- the exporter side ----

export interface FeedOptions {
  name?: string;
  symbols?: readonly string[];
  /** Keys under the feed's `connection:`, overriding the test timings (`silenceTimeout: '1m'`). */
  connection?: Record<string, string | number>;
  /** Keys under `connection.backoff:`. */
  backoff?: Record<string, string | number>;
  streamsPerConnection?: number;
  venue?: string;
}

/** One binance feed against `url`, with test timings: fast backoff, no jitter, pings every 50 ms. */
export function feedYaml(url: string, o: FeedOptions = {}): string {
  const connection = { connectTimeout: '1s', pingInterval: '50ms', maxMissedPings: 3, silenceTimeout: '2s', ...o.connection };
  const backoff = { initial: '20ms', max: '200ms', multiplier: 2, jitter: 0, resetAfter: '1m', ...o.backoff };
  const lines = [
    `  - name: ${o.name ?? 'fake'}`,
    `    venue: ${o.venue ?? 'binance'}`,
    `    url: ${url}`,
    `    symbols: [${(o.symbols ?? ['AAAUSDT', 'BBBUSDT']).join(', ')}]`,
    '    channels: [trade]',
    ...(o.streamsPerConnection ? [`    streamsPerConnection: ${o.streamsPerConnection}`] : []),
    '    connection:',
    ...Object.entries(connection).map(([k, v]) => `      ${k}: ${v}`),
    '      backoff:',
    ...Object.entries(backoff).map(([k, v]) => `        ${k}: ${v}`),
  ];
  return lines.join('\n');
}

export interface RunningExporter {
  svc: Service;
  url: string;
  /** Every log line written so far (level debug). */
  logs: string[];
  log: Logger;
  scrape(): Promise<Series>;
  /** Scrape until `check` returns a value; a generous deadline, never a fixed sleep. */
  until<T>(check: (s: Series) => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/** Start the real service on 127.0.0.1:0 with `feeds` (YAML list items) and optional top-level YAML. */
export async function startExporter(feeds: string[], top = '', opts: { env?: Record<string, string>; loadConfig?: () => Config } = {}): Promise<RunningExporter> {
  const config = parseConfig(`${top}\nfeeds:\n${feeds.join('\n')}\n`, 'reliability.yml', opts.env ? { env: opts.env } : {});
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (l) => logs.push(l), burst: 1000 });
  const svc = await startService(config, { listen: '127.0.0.1:0', log, ...(opts.loadConfig ? { loadConfig: opts.loadConfig } : {}) });
  const scrape = async (): Promise<Series> => {
    const res = await fetch(`${svc.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return parseExposition(await res.text());
  };
  return {
    svc,
    url: svc.url,
    logs,
    log,
    scrape,
    until: (check, what, timeoutMs = 10_000) =>
      pollUntil(async () => check(await scrape()), what, { timeoutMs, everyMs: 25 }),
    stop: () => svc.stop(),
  };
}

/** A labelled series' value (undefined when absent). */
export function value(s: Series, name: string, labels: Record<string, string>): number | undefined {
  const key = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  return s.get(key);
}

export const reconnects = (s: Series, reason: string, exchange = 'fake') => sum(s, 'market_feed_reconnects_total', { exchange, reason });
export const errors = (s: Series, type: string, exchange = 'fake') => sum(s, 'market_feed_errors_total', { exchange, type });
export const trades = (s: Series, symbol: string, exchange = 'fake') => sum(s, 'market_trades_total', { exchange, symbol });
export const up = (s: Series, exchange = 'fake') => s.get(`market_feed_up{exchange="${exchange}"}`);

/** Names of every market_* series (name and labels), to prove no new series appeared. */
export function marketSeries(s: Series): string[] {
  return [...s.keys()].filter((k) => k.startsWith('market_')).sort();
}
