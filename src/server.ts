/** HTTP: /metrics, /-/healthy, /-/ready, /-/reload and a landing page. Only reads state. */
import express, { type Express, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { pipeline, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { parseListen } from './config/listen.js';
import { errorFields, ExporterError, type ErrorCode } from './errors.js';
import { SCRAPE_GROUP_NAMES, type ScrapeGroup } from './metrics/catalog.js';
import { GZIP_CHUNK, GZIP_LEVEL, GZIP_WINDOW_BITS } from './metrics/gzip.js';
import type { Selection } from './metrics/render.js';
import { CONTENT_TYPE } from './metrics/text.js';

/** Reload errors that refuse the request rather than report a failure. */
const REFUSED: ReadonlySet<string> = new Set<ErrorCode>(['RELOAD_NO_CONFIG', 'RELOAD_RESTART_REQUIRED']);

export interface ServerDeps {
  /** The full exposition text. */
  metrics(): Promise<string>;
  /**
   * The exposition written in pieces; used instead of metrics() when given. A scrape of 10k
   * symbols is ~50 MB: sent as it is rendered, it needs no single string, no ETag hash over it,
   * and never blocks the event loop for long. `write` resolves when the socket can take more;
   * `sent` once every piece written has left the process (or the client has gone). `gzip`: the
   * body is sent as Content-Encoding gzip, so the pieces are to be one gzip member, header to
   * trailer (src/metrics/gzip.ts).
   */
  writeMetrics?(
    write: (chunk: string | Uint8Array) => Promise<void> | undefined,
    sent: () => Promise<void>,
    groups: Selection | undefined,
    gzip: boolean,
  ): Promise<void>;
  ready(): boolean;
  /** Re-read the config; rejects with a message when the new config is bad (the old one keeps running). */
  reload?: () => Promise<void>;
  version: string;
  /** Runs before every route: TLS-config headers and basic auth (src/web/). */
  guard?: RequestHandler;
  /** Where the exposition is served (--web.telemetry-path); /metrics when absent. */
  metricsPath?: string;
  /** Scrapes served at once; more are answered 503 (--web.max-requests). 0 or absent: no limit. */
  maxRequests?: number;
}

const LANDING = (version: string, reload: boolean, metricsPath: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>market-exporter</title></head>
<body><h1>market-exporter ${version}</h1>
<p>Prometheus exporter for market-data feeds.</p>
<ul>
<li><a href="${metricsPath.slice(1)}">metrics</a></li>
<li><a href="-/healthy">-/healthy</a></li>
<li><a href="-/ready">-/ready</a></li>
${reload ? '<li>POST -/reload re-reads the config file</li>' : ''}
</ul></body></html>
`;

export function createApp(deps: ServerDeps): Express {
  const app = express();
  const metricsPath = deps.metricsPath ?? '/metrics';
  app.disable('x-powered-by');
  if (deps.guard) app.use(deps.guard);
  app.get('/', (_req, res) => {
    res.type('html').send(LANDING(deps.version, !!deps.reload, metricsPath));
  });
  let scraping = 0;
  app.get(metricsPath, async (req, res, next) => {
    // Each scrape of a large exposition holds memory and CPU: past the limit, refuse rather than queue.
    if (deps.maxRequests && scraping >= deps.maxRequests) {
      return void res.status(503).type('text').send(`too many scrapes in progress (limit ${deps.maxRequests}, --web.max-requests)\n`);
    }
    scraping++;
    res.once('close', () => scraping--);
    try {
      const groups = scrapeGroups(new URL(req.originalUrl, 'http://localhost').searchParams);
      if (typeof groups === 'string') return void res.status(400).type('text').send(`${groups}\n`);
      res.vary('Accept-Encoding');
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
      if (gzip) res.set('Content-Encoding', 'gzip');
      if (deps.writeMetrics) {
        res.status(200).set('Content-Type', CONTENT_TYPE);
        const body = new BodyWriter(res, res);
        await deps.writeMetrics((chunk) => body.write(chunk), () => body.sent(), groups, gzip);
        body.end();
        return;
      }
      const body = await deps.metrics();
      res.set('Content-Type', CONTENT_TYPE);
      if (!gzip) return void res.send(body);
      const z = createGzip({ level: GZIP_LEVEL, windowBits: GZIP_WINDOW_BITS, chunkSize: GZIP_CHUNK });
      // A client gone mid-scrape destroys both.
      pipeline(z, res, () => undefined);
      z.end(body);
    } catch (e) {
      next(e);
    }
  });
  app.get('/-/healthy', (_req, res) => {
    res.type('text').send('Healthy\n');
  });
  app.get('/-/ready', (_req, res) => {
    if (deps.ready()) res.type('text').send('Ready\n');
    else res.status(503).type('text').send('Not ready: not every feed has connected yet\n');
  });
  app.all('/-/reload', async (req, res) => {
    if (!deps.reload) return void res.status(404).type('text').send('reload endpoint disabled\n');
    if (req.method !== 'POST' && req.method !== 'PUT') return void res.status(405).set('Allow', 'POST, PUT').type('text').send('use POST\n');
    try {
      await deps.reload();
      res.type('text').send('config reloaded\n');
    } catch (e) {
      // Refusals are about the request (nothing to re-read, a key that needs a restart), not a
      // fault of the exporter or the file: 4xx, like any request the server will not carry out.
      const { code, error } = errorFields(e);
      const status = REFUSED.has(code) ? 400 : 500;
      res.status(status).type('text').send(`reload failed, old config kept: ${code}: ${error}\n`);
    }
  });
  return app;
}

/**
 * The scrape groups a /metrics request asks for: `collect[]=<group>` (repeated) keeps only those,
 * `exclude[]=<group>` leaves those out, neither gives all. The fast lane is a second scrape job
 * on the same path with its own params, as node_exporter's `collect[]` does, rather than a path
 * of its own: one handler, one auth, and Prometheus users already know the idiom. A message
 * (400) for an unknown group or a request that leaves nothing.
 */
export function scrapeGroups(q: URLSearchParams): Selection | string {
  const collect = q.getAll('collect[]');
  const exclude = q.getAll('exclude[]');
  for (const g of [...collect, ...exclude])
    if (!(SCRAPE_GROUP_NAMES as string[]).includes(g)) return `unknown scrape group "${g}"; groups: ${SCRAPE_GROUP_NAMES.join(', ')}`;
  const picked = new Set<ScrapeGroup>((collect.length > 0 ? collect : SCRAPE_GROUP_NAMES) as ScrapeGroup[]);
  for (const g of exclude) picked.delete(g as ScrapeGroup);
  return picked.size > 0 ? picked : 'collect[] and exclude[] leave no scrape group';
}

/**
 * A streamed body, written piece by piece. The socket keeps a written Buffer by reference until
 * the kernel has taken it, so the writer counts pieces not yet sent: the renderer reuses its
 * buffer only once they are (out-buffer.ts). A piece must not change until sent() resolves.
 */
export class BodyWriter {
  private unsent = 0;
  private onSent: (() => void) | undefined;
  /** The wait for the socket to drain, shared by every write made while it is full. */
  private draining: Promise<void> | undefined;

  /** `out` takes the pieces (the response itself); `res` tells when the client has gone. */
  constructor(
    private readonly out: Writable,
    private readonly res: Response,
  ) {}

  /** Write one piece; a promise when the socket is full (or gone: then it rejects). */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    const { out, res } = this;
    if (res.destroyed || out.destroyed) return Promise.reject(new Error('client went away during the scrape'));
    this.unsent++;
    // Called once the piece has left the process, or with an error if the socket was destroyed.
    if (out.write(chunk, () => this.settle())) return undefined;
    // One pair of listeners however many writes come before the drain: a caller that does not
    // await each write would otherwise add a pair per write (and Node's MaxListeners warning).
    this.draining ??= new Promise((resolve) => {
      const done = () => {
        out.off('drain', done);
        res.off('close', done);
        this.draining = undefined;
        resolve();
      };
      out.on('drain', done);
      res.on('close', done);
    });
    return this.draining;
  }

  end(): void {
    this.out.end();
  }

  /** Resolves when every piece written so far has left the process, or the client is gone. */
  sent(): Promise<void> {
    if (this.unsent === 0 || this.res.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('close', done);
        this.onSent = undefined;
        resolve();
      };
      this.onSent = done;
      this.res.on('close', done);
    });
  }

  private settle(): void {
    if (--this.unsent === 0) this.onSent?.();
  }
}

/** Listen on host:port (HTTPS when `https` options are given); resolves with the server once bound. */
export function listen(app: Express, hostPort: string, https?: HttpsOptions): Promise<Server> {
  const addr = parseListen(hostPort);
  if (!addr) return Promise.reject(new ExporterError('LISTEN_FAILED', `bad listen address "${hostPort}": expected HOST:PORT`));
  const { host, port } = addr;
  return new Promise((resolve, reject) => {
    const server = https ? createHttpsServer(https, app).listen(port, host) : app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (e) => reject(new ExporterError('LISTEN_FAILED', `cannot listen on ${hostPort}: ${e.message}`, { cause: e })));
  });
}
