/**
 * The CI stand-ins that replace what has no offline image, in one small container built on the
 * local Node base (bundled with esbuild, see scripts/docker-images.sh):
 *
 *   main.mjs smtp       the `mailpit` service: test/support/smtp.ts's catcher on :1025
 *   main.mjs telegram   api.telegram.org on :443 (HTTPS, certificate from /etc/sinks/tls):
 *                      test/support/telegram.ts's Bot API stand-in
 *   main.mjs readyz     exits 0 once the sink serves (the compose healthcheck `/mailpit readyz`)
 *
 * Both serve what they received as JSON on :8025 (`GET /received`), which the tests read through
 * a port published on 127.0.0.1. The catchers listen on loopback inside the container; plain
 * TCP / HTTP forwarding puts them on the compose network without changing them.
 */
import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createTcpServer } from 'node:net';
import { startSmtpCatcher } from '../../support/smtp.js';
import { startTelegramStub } from '../../support/telegram.js';

const API_PORT = 8025;
const SMTP_PORT = 1025;

function listen(server: { listen(port: number, host: string, cb: () => void): unknown }, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '0.0.0.0', resolve));
}

/** Serve `received()` as JSON on :8025. */
async function serveReceived(received: () => unknown): Promise<void> {
  const api = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/received') return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received()));
  });
  await listen(api, API_PORT);
}

async function smtp(): Promise<void> {
  const catcher = await startSmtpCatcher();
  const forward = createTcpServer((client) => {
    const upstream = connect(catcher.port, catcher.host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await listen(forward, SMTP_PORT);
  await serveReceived(() => catcher.messages);
}

async function telegram(): Promise<void> {
  const stub = await startTelegramStub();
  const target = new URL(stub.url);
  const proxy = (req: IncomingMessage, res: ServerResponse) => {
    const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  };
  const tls = { cert: readFileSync('/etc/sinks/tls/server.crt'), key: readFileSync('/etc/sinks/tls/server.key') };
  await listen(createHttpsServer(tls, proxy), 443);
  await serveReceived(() => stub.requests);
}

/** The healthcheck: :8025 answers, which it does only after the sink itself listens. */
async function readyz(): Promise<never> {
  const res = await fetch(`http://127.0.0.1:${API_PORT}/received`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
  process.exit(res?.ok ? 0 : 1);
}

const mode = process.argv[2] ?? 'smtp';
if (mode === 'readyz') await readyz();
else {
  await (mode === 'telegram' ? telegram() : smtp());
  console.log(`sinks: ${mode} ready`);
  // PID 1 in the container: exit on the signals `docker stop` sends.
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => process.exit(0));
}
