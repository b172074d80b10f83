#!/usr/bin/env node
/**
 * The container's health probe: `node dist/src/healthcheck.js [PORT]` exits 0 when the exporter's
 * HTTP server answers /-/healthy on 127.0.0.1, 1 otherwise. It needs no settings when a web config
 * turns on TLS or basic auth: plain HTTP is tried first, then HTTPS without verifying the
 * certificate (it only ever talks to loopback), and 401 counts as alive, since the probe has no
 * password (the web config holds only bcrypt hashes) and a 401 proves the server is answering.
 */
import http from 'node:http';
import https from 'node:https';
import { DEFAULT_PORT } from './config/defaults.js';

const TIMEOUT_MS = 4000;

type Outcome = { status: number } | { error: NodeJS.ErrnoException };

function probe(client: typeof http | typeof https, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = client.get(
      { host: '127.0.0.1', port, path: '/-/healthy', timeout: TIMEOUT_MS, rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error }));
  });
}

const alive = (o: Outcome) => 'status' in o && (o.status === 200 || o.status === 401);

/** Exit code for the exporter on `port`: 0 alive, 1 not. */
export async function healthcheck(port: number): Promise<number> {
  const plain = await probe(http, port);
  if (alive(plain)) return 0;
  // A TLS server drops a plain-text request; nothing listening or no answer is final.
  if ('status' in plain || plain.error.code === 'ECONNREFUSED' || plain.error.code === 'ETIMEDOUT') return 1;
  return alive(await probe(https, port)) ? 0 : 1;
}

if (process.argv[1] && /healthcheck\.[jt]s$/.test(process.argv[1])) {
  const port = Number(process.argv[2] ?? DEFAULT_PORT);
  healthcheck(port).then((code) => process.exit(code));
}
