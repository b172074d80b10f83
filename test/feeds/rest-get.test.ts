/** The venue REST GET against real HTTP and HTTPS servers on 127.0.0.1. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { MAX_BODY_BYTES, MAX_REDIRECTS, restGet } from '../../src/feeds/rest-get.js';
import { VERSION } from '../../src/version.js';
import { makePki, type TestPki } from '../support/tls.js';

const BODY = JSON.stringify({ lastUpdateId: 7, bids: [['100.5', '2']], asks: [['100.6', '1']], note: 'prix €' });
const never = () => new AbortController().signal;

let server: Server;
let base = '';
const seen: IncomingMessage[] = [];
/** Requests the server has answered with a stalled body: ended after the test. */
const stalled: ServerResponse[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req);
  const u = new URL(req.url ?? '/', 'http://x');
  const hop = Number(u.searchParams.get('hop') ?? 0);
  switch (u.pathname) {
    case '/plain':
      res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' }).end(BODY);
      return;
    case '/gzip':
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(BODY));
      return;
    case '/deflate':
      res.writeHead(200, { 'content-encoding': 'deflate' }).end(deflateSync(BODY));
      return;
    case '/br':
      res.writeHead(200, { 'content-encoding': 'br' }).end(brotliCompressSync(BODY));
      return;
    case '/zstd-only':
      res.writeHead(200, { 'content-encoding': 'compress' }).end('x');
      return;
    case '/teapot':
      res.writeHead(418, { 'retry-after': '120' }).end('banned');
      return;
    case '/redirect':
      res.writeHead(hop % 2 === 0 ? 302 : 308, { location: hop + 1 < Number(u.searchParams.get('to')) ? `/redirect?hop=${hop + 1}&to=${u.searchParams.get('to')}` : '/plain' }).end();
      return;
    case '/huge': {
      res.writeHead(200);
      const block = Buffer.alloc(1 << 20, 0x20);
      for (let i = 0; i <= MAX_BODY_BYTES >> 20; i++) res.write(block);
      res.end();
      return;
    }
    case '/stall':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"bids":[');
      stalled.push(res);
      return;
    case '/cut':
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 20);
      return;
    default:
      res.writeHead(404).end('no such path');
  }
}

beforeAll(async () => {
  server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of stalled) r.destroy();
  server.closeAllConnections();
  server.close();
});

describe('restGet', () => {
  test('reads status, body and headers, and says who asks and what it takes', async () => {
    const r = await restGet(`${base}/plain`, never());
    assert.equal(r.status, 200);
    assert.equal(r.body, BODY);
    assert.equal(r.header('Retry-After'), '3');
    assert.equal(r.header('x-absent'), undefined);
    const req = seen.at(-1)!;
    assert.equal(req.headers['user-agent'], `market-exporter/${VERSION}`);
    assert.equal(req.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(req.method, 'GET');
  });

  test.each(['gzip', 'deflate', 'br'])('decodes a %s body', async (enc) => {
    assert.equal((await restGet(`${base}/${enc}`, never())).body, BODY);
  });

  test('an encoding it cannot decode is an error naming it', async () => {
    await assert.rejects(restGet(`${base}/zstd-only`, never()), /unsupported content-encoding "compress" from http:\/\/127\.0\.0\.1:\d+\/zstd-only/);
  });

  test('an error status is a response, not a failure: the caller judges it', async () => {
    const r = await restGet(`${base}/teapot`, never());
    assert.equal(r.status, 418);
    assert.equal(r.body, 'banned');
    assert.equal(r.header('retry-after'), '120');
  });

  test(`follows up to ${MAX_REDIRECTS} redirects, and fails on more`, async () => {
    const r = await restGet(`${base}/redirect?to=${MAX_REDIRECTS}`, never());
    assert.equal(r.status, 200);
    assert.equal(r.body, BODY);
    await assert.rejects(restGet(`${base}/redirect?to=${MAX_REDIRECTS + 1}`, never()), new RegExp(`more than ${MAX_REDIRECTS} redirects from ${base}/redirect`));
  });

  test('a body over the limit is refused, not held', async () => {
    await assert.rejects(restGet(`${base}/huge`, never()), new RegExp(`response body over ${MAX_BODY_BYTES} bytes`));
  });

  test("the signal ends a request whose body stalls, with the signal's reason", async () => {
    const t0 = performance.now();
    await assert.rejects(restGet(`${base}/stall`, AbortSignal.timeout(150)), { name: 'TimeoutError' });
    assert.ok(performance.now() - t0 < 5000, 'it did not wait for the body');
    const stop = new AbortController();
    const pending = restGet(`${base}/stall`, stop.signal);
    stop.abort(new Error('backfill stopped'));
    await assert.rejects(pending, /backfill stopped/);
  });

  test('a signal already aborted sends nothing', async () => {
    const n = seen.length;
    const stop = new AbortController();
    stop.abort(new Error('stopped before'));
    await assert.rejects(restGet(`${base}/plain`, stop.signal), /stopped before/);
    assert.equal(seen.length, n);
  });

  test('a connection cut before the body ended is an error', async () => {
    await assert.rejects(restGet(`${base}/cut`, never()), /aborted|closed before the response/);
  });

  test('a refused connection and a protocol it does not speak are errors', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    await assert.rejects(restGet(`http://127.0.0.1:${port}/`, never()), /ECONNREFUSED/);
    await assert.rejects(restGet('ftp://127.0.0.1/x', never()), /unsupported protocol ftp: in ftp:\/\/127\.0\.0\.1\/x: http: or https: only/);
  });
});

describe('restGet over https', () => {
  let pki: TestPki;
  let tls: ReturnType<typeof createHttpsServer>;
  let url = '';

  beforeAll(async () => {
    pki = makePki();
    tls = createHttpsServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) }, (_req, res) => res.end(BODY));
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
  });

  afterAll(() => {
    tls.closeAllConnections();
    tls.close();
    pki.remove();
  });

  test('speaks TLS and checks the certificate: one from a CA it does not trust is refused', async () => {
    await assert.rejects(restGet(url, never()), (e: NodeJS.ErrnoException) => {
      assert.match(e.code ?? '', /UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      return true;
    });
  });
});
