/**
 * Real servers on 127.0.0.1 port 0 for socket tests: a `ws` server that records what clients
 * send, a TCP server that never answers the upgrade, an HTTP server that refuses it, and a port
 * where nothing listens.
 */
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface ServerSocket {
  ws: WebSocket;
  /** The request path and query the client opened. */
  path: string;
  /** Text frames the client sent, in order. */
  messages: string[];
  connectedAt: number;
  /** Date.now() when each message arrived. */
  messageTimes: number[];
  /** The close code the server saw, once closed (1005: none given, 1006: torn down). */
  closeCode?: number;
}

export interface TestWsServerOptions {
  /** false: never answer protocol pings (a stalled peer). */
  autoPong?: boolean;
  onConnection?: (s: ServerSocket) => void;
  onMessage?: (s: ServerSocket, text: string) => void;
}

export class TestWsServer {
  readonly sockets: ServerSocket[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(opts: TestWsServerOptions = {}): Promise<TestWsServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: opts.autoPong ?? true });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const server = new TestWsServer(wss, address.port);
    wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
      const s: ServerSocket = { ws, path: req.url ?? '/', messages: [], messageTimes: [], connectedAt: Date.now() };
      server.sockets.push(s);
      ws.on('error', () => {}); // a client torn down mid-frame is expected here
      ws.on('close', (code) => (s.closeCode = code));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        s.messages.push(text);
        s.messageTimes.push(Date.now());
        opts.onMessage?.(s, text);
      });
      opts.onConnection?.(s);
    });
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** The newest client socket, if any. */
  get last(): ServerSocket | undefined {
    return this.sockets[this.sockets.length - 1];
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens (we bound it, then let it go). */
export async function closedPort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return address.port;
}

export interface RawServer {
  port: number;
  /** Date.now() of each accepted connection or request. */
  attempts: number[];
  close(): Promise<void>;
}

/** Accepts TCP connections and never says a word: the upgrade never completes. */
export async function silentTcpServer(): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const attempts: number[] = [];
  const srv = createTcpServer((socket) => {
    track(attempts, sockets, socket);
  });
  return listenRaw(srv, attempts, sockets);
}

/** Answers every upgrade with an HTTP status (429, 418, 503, ...) and the given headers. */
export async function rejectingHttpServer(status: number, headers: Record<string, string> = {}): Promise<RawServer> {
  const attempts: number[] = [];
  const sockets = new Set<Socket>();
  const srv = createHttpServer();
  srv.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    track(attempts, sockets, socket);
    const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Rejected'}`, 'Connection: close', 'Content-Length: 0'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.end(lines.join('\r\n') + '\r\n\r\n');
  });
  return listenRaw(srv, attempts, sockets);
}

/** Record an attempt and keep the socket so close() can end it. */
function track(attempts: number[], sockets: Set<Socket>, socket: Socket): void {
  attempts.push(Date.now());
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
}

/** Listen on a free loopback port; close() ends the tracked sockets, then the server. */
async function listenRaw(srv: Server | NetServer, attempts: number[], sockets: Set<Socket>): Promise<RawServer> {
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return {
    port: address.port,
    attempts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}
