/**
 * A venue's public REST API for tests: a real HTTP server on 127.0.0.1 port 0 that answers each
 * request through a handler (status, headers, body) and records every request's URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RestAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Text (sent as UTF-8), or bytes as they are (a compressed body). */
  body: string | Uint8Array;
}

export class RestServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    /** Every request, oldest first. */
    readonly requests: URL[],
  ) {}

  static async start(handler: (url: URL, n: number) => RestAnswer | Promise<RestAnswer>): Promise<RestServer> {
    const requests: URL[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(url);
      Promise.resolve(handler(url, requests.length))
        .then((a) => {
          res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
          res.end(a.body);
        })
        .catch((e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new RestServer(server, `http://127.0.0.1:${port}`, requests);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
