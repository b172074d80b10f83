/** HTTP: /metrics, /-/healthy, /-/ready, /-/reload and a landing page. Only reads state. */
import express, { type Express, type RequestHandler, type Response } from 'express';
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { parseListen } from './config/listen.js';
import { ExporterError } from './errors.js';
import { SCRAPE_GROUP_NAMES, type ScrapeGroup } from './metrics/catalog.js';
import type { Selection } from './metrics/render.js';
import { CONTENT_TYPE } from './metrics/text.js';

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
}

const LANDING = (version: string, reload: boolean) => `<!doctype html>
<html><head><meta charset="utf-8"><title>market-exporter</title></head>
<body><h1>market-exporter ${version}</h1>
<p>Prometheus exporter for market-data feeds.</p>
<ul>
<li><a href="metrics">metrics</a></li>
<li><a href="-/healthy">-/healthy</a></li>
<li><a href="-/ready">-/ready</a></li>
${reload ? '<li>POST -/reload re-reads the config file</li>' : ''}
</ul></body></html>
`;

export function createApp(deps: ServerDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.guard) app.use(deps.guard);
  app.get('/', (_req, res) => {
    res.type('html').send(LANDING(deps.version, !!deps.reload));
  });
  app.get('/metrics', async (req, res, next) => {
    try {
      const groups = scrapeGroups(new URL(req.originalUrl, 'http://localhost').searchParams);
      if (typeof groups === 'string') return void res.status(400).type('text').send(`${groups}\n`);
      if (deps.writeMetrics) {
        res.status(200).set('Content-Type', CONTENT_TYPE);
        const body = new BodyWriter(res);
        await deps.writeMetrics((chunk) => body.write(chunk), () => body.sent(), groups);
        res.end();
        return;
      }
      const body = await deps.metrics();
      res.set('Content-Type', CONTENT_TYPE).send(body);
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
      res.status(500).type('text').send(`reload failed, old config kept: ${(e as Error).message}\n`);
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
 * buffer only once they are (out-buffer.ts).
 */
class BodyWriter {
  private unsent = 0;
  private onSent: (() => void) | undefined;

  constructor(private readonly res: Response) {}

  /** Write one piece; a promise when the socket is full (or gone: then it rejects). */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    const res = this.res;
    if (res.destroyed) return Promise.reject(new Error('client went away during the scrape'));
    this.unsent++;
    // Called once the piece has left the process, or with an error if the socket was destroyed.
    if (res.write(chunk, () => this.settle())) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
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
