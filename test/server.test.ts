import { test } from 'vitest';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { deflatePiece, GzipJoin } from '../src/metrics/gzip.js';
import { oneMember } from './support/scrape.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { BodyWriter, createApp, listen, scrapeGroups } from '../src/server.js';

/** 32 MB, more than loopback's socket buffers hold: most of it waits in the process. */
const BODY = Buffer.alloc(32 * 2 ** 20, 'abcdefgh\n');
const CHUNK = 1 << 16;

/** A BodyWriter's response matters only for "client gone": a live one that never closes. */
const liveResponse = (): ConstructorParameters<typeof BodyWriter>[1] =>
  Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { destroyed: false }) as unknown as ConstructorParameters<typeof BodyWriter>[1];

/** A /metrics that writes BODY in pieces without waiting, then reports when `sent` resolved. */
async function serve(): Promise<{ server: Server; port: number; sentAt: Promise<number> }> {
  let settled!: (t: number) => void;
  const sentAt = new Promise<number>((r) => (settled = r));
  const app = createApp({
    metrics: async () => '',
    ready: () => true,
    version: 'test',
    writeMetrics: async (write, sent, _groups, gzip) => {
      const join = gzip ? new GzipJoin() : undefined;
      if (join) void write(join.start())?.catch(() => {});
      for (let pos = 0; pos < BODY.length; pos += CHUNK) {
        const piece = BODY.subarray(pos, pos + CHUNK);
        void write(join ? join.add(await deflatePiece(piece)) : piece)?.catch(() => {});
      }
      if (join) void write(join.end())?.catch(() => {});
      await sent();
      settled(performance.now());
    },
  });
  const server = await listen(app, '127.0.0.1:0');
  return { server, port: (server.address() as { port: number }).port, sentAt };
}

test('a streamed body counts as sent only once the client has taken all of it', async () => {
  const { server, port, sentAt } = await serve();
  try {
    const sock = connect(port, '127.0.0.1');
    sock.pause();
    sock.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    let sent = false;
    void sentAt.then(() => (sent = true));
    await sleep(300);
    assert.equal(sent, false, 'nothing read yet, yet the body counted as sent');
    const readFrom = performance.now();
    let got = 0;
    sock.on('data', (d: Buffer) => void (got += d.length));
    sock.resume();
    await new Promise((r) => sock.on('end', r));
    assert.ok(got > BODY.length, `${got} bytes received`);
    assert.ok((await sentAt) >= readFrom, 'sent before the client read');
  } finally {
    server.close();
  }
});

test('a client that goes away mid-body counts as done, so the buffer is not held forever', async () => {
  const { server, port, sentAt } = await serve();
  try {
    const sock = connect(port, '127.0.0.1');
    sock.pause();
    sock.write(`GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n`);
    await sleep(200);
    sock.destroy();
    assert.ok((await sentAt) > 0);
  } finally {
    server.close();
  }
});

test('collect[] keeps the named scrape groups, exclude[] leaves them out, unknown groups are refused', () => {
  const q = (s: string) => scrapeGroups(new URLSearchParams(s));
  assert.deepEqual(q(''), new Set(['health', 'moves', 'rest']));
  assert.deepEqual(q('collect[]=health&collect[]=moves'), new Set(['health', 'moves']));
  assert.deepEqual(q('exclude[]=health&exclude[]=moves'), new Set(['rest']));
  assert.match(String(q('collect[]=cpu')), /unknown scrape group "cpu"; groups: health, moves, rest/);
  assert.match(String(q('exclude[]=health&exclude[]=moves&exclude[]=rest')), /leave no scrape group/);
});

/** GET /metrics with raw bytes and headers: node:http does not decompress, unlike fetch. */
function rawGet(port: number, headers: Record<string, string>): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
    })
      .on('error', reject)
      .end();
  });
}

test('/metrics is gzipped when the scraper accepts it (Prometheus always does), plain otherwise', async () => {
  const { server, port } = await serve();
  try {
    // The writer is asked for gzip, and what it writes goes out as it is.
    const gz = await rawGet(port, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /Accept-Encoding/i);
    assert.ok(gz.body.length < BODY.length / 10, `${gz.body.length} bytes on the wire`);
    assert.equal(oneMember(gz.body), BODY.toString('utf8'), 'the same exposition once decompressed');
    const plain = await rawGet(port, {});
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.equals(BODY));
    const refused = await rawGet(port, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.ok(refused.body.equals(BODY));
  } finally {
    server.close();
  }
});

test('an exposition given whole (no writeMetrics) is gzipped by the server', async () => {
  const text = '# TYPE up gauge\nup 1\n'.repeat(1000);
  const server = await listen(createApp({ metrics: async () => text, ready: () => true, version: 'test' }), '127.0.0.1:0');
  try {
    const port = (server.address() as { port: number }).port;
    const gz = await rawGet(port, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString('utf8'), text);
    assert.equal((await rawGet(port, {})).body.toString('utf8'), text);
  } finally {
    server.close();
  }
});

test('writes made while the socket is full share one wait for the drain: no listener per write', async () => {
  // Takes nothing until told to: every write after the first finds it full.
  const held: (() => void)[] = [];
  const out = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => held.push(cb) });
  const res = liveResponse();
  const body = new BodyWriter(out, res);
  const waits = Array.from({ length: 50 }, () => body.write(Buffer.alloc(16)));
  assert.ok(waits.every((w) => w !== undefined), 'every write reports the full socket');
  assert.equal(new Set(waits).size, 1, 'one wait, shared');
  assert.equal(out.listenerCount('drain'), 1);
  const all = Promise.all(waits);
  while (held.length > 0) held.shift()!();
  await all;
  assert.equal(out.listenerCount('drain'), 0, 'the listener is gone once drained');
});
