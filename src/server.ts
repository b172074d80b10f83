/** HTTP: /metrics, /-/healthy, /-/ready, /-/reload and a landing page. Only reads state. */
import express, { type Express, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { pipeline, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { parseListen } from './config/listen.js';
import { errorFields, ExporterError, type ErrorCode } from './errors.js';
import { SCRAPE_GROUP_NAMES, type ScrapeGroup } from './metrics/catalog.js';
import type { Selection } from './metrics/render.js';
import { CONTENT_TYPE } from './metrics/text.js';

/**
 * gzip level for /metrics. Measured with bench/render-micro.ts (2 shared vCPUs, loaded): 10,000
 * symbols (51 MiB) compress 8.2x in ~190 ms at level 1, 8.6x in ~290 ms at 3, 9.2x in ~600 ms at
 * 6; 1,000 symbols (5 MiB) 7.9x in ~30 ms at 1. Level 1 keeps nearly all of the saving for a third
 * of level 6's CPU, and zlib runs off the event loop.
 */
const GZIP_LEVEL = 1;
/**
 * Every write into zlib, and every output buffer it fills, is a trip through the thread pool and
 * back through the event loop; under ingest load a turn of the loop takes milliseconds. Fed the
 * renderer's 64 kB pieces with 16 kB output buffers, 10k symbols took ~10 s to gzip with 5 ms
 * turns (plain: 1-3 s). Batches of 1 MiB into 256 kB output buffers make it ~50 trips.
 */
const GZIP_BATCH = 1 << 20;
const GZIP_CHUNK = 256 * 1024;

/** Reload errors that refuse the request rather than report a failure. */
const REFUSED: ReadonlySet<string> = new Set<ErrorCode>(['RELOAD_NO_CONFIG', 'RELOAD_RESTART_REQUIRED']);

export interface ServerDeps {
  /** The full exposition text. */
  metrics(): Promise<string>;
  /**
   * The exposition written in pieces; used instead of metrics() when given. A scrape of 10k
   * symbols is ~50 MB: sent as it is rendered, it needs no single string, no ETag hash over it,
   * and never blocks the event loop for long. `write` resolves when the socket can take more;
   * `sent` once every piece written has left the process (or the client has gone).
   */
  writeMetrics?(
    write: (chunk: string | Uint8Array) => Promise<void> | undefined,
    sent: () => Promise<void>,
    groups?: Selection,
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
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip' ? createGzip({ level: GZIP_LEVEL, chunkSize: GZIP_CHUNK }) : undefined;
      if (gzip) {
        res.set('Content-Encoding', 'gzip');
        // A client gone mid-scrape destroys both; the writer sees it through `res`.
        pipeline(gzip, res, () => undefined);
      }
      if (deps.writeMetrics) {
        res.status(200).set('Content-Type', CONTENT_TYPE);
        const body = new BodyWriter(gzip ?? res, res, gzip ? GZIP_BATCH : 0);
        await deps.writeMetrics((chunk) => body.write(chunk), () => body.sent(), groups);
        body.end();
        return;
      }
      const body = await deps.metrics();
      res.set('Content-Type', CONTENT_TYPE);
      if (gzip) gzip.end(body);
      else res.send(body);
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
  /** Pieces not yet handed on: views of the caller's buffers, adjacent ones joined into one. */
  private batch: Uint8Array[] = [];
  private batched = 0;
  /** The wait for the socket to drain, shared by every write made while it is full. */
  private draining: Promise<void> | undefined;

  /**
   * `out` takes the pieces: the response itself, or a gzip stream piped into it (a piece is
   * "sent" once gzip has consumed it, which is all the renderer's buffer reuse needs). With
   * `batchBytes`, pieces are handed on in batches of about that size.
   */
  constructor(
    private readonly out: Writable,
    private readonly res: Response,
    private readonly batchBytes = 0,
  ) {}

  /** Write one piece; a promise when the socket is full (or gone: then it rejects). */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.batchBytes === 0) return this.hand(chunk);
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // The renderer's pieces are consecutive views of one buffer: joined rather than copied, a
    // batch is a view too. Copies of a 50 MB exposition, twice over, were external memory that
    // set off extra full collections (docs/performance.md, seventh round).
    const n = this.batch.length;
    const last = this.batch[n - 1];
    if (last && last.buffer === b.buffer && last.byteOffset + last.byteLength === b.byteOffset) {
      this.batch[n - 1] = new Uint8Array(b.buffer, last.byteOffset, last.byteLength + b.byteLength);
    } else this.batch.push(b);
    this.batched += b.byteLength;
    return this.batched >= this.batchBytes ? this.flush() : undefined;
  }

  /** Hand on what is batched and end the body. */
  end(): void {
    this.handBatch();
    this.out.end();
  }

  /** What is batched, handed on now; a client gone meanwhile is seen by whoever waits on sent(). */
  private handBatch(): void {
    if (this.batched > 0) void this.flush()?.catch(() => undefined);
  }

  private flush(): Promise<void> | undefined {
    const all = this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch, this.batched);
    this.batch = [];
    this.batched = 0;
    return this.hand(all);
  }

  private hand(chunk: string | Uint8Array): Promise<void> | undefined {
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

  /**
   * Resolves when every piece written so far has left the process, or the client is gone. Hands
   * on what is batched first: those pieces are the caller's buffers until then.
   */
  sent(): Promise<void> {
    this.handBatch();
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
