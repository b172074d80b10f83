import { test } from 'vitest';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
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
    writeMetrics: async (write, sent) => {
      for (let pos = 0; pos < BODY.length; pos += CHUNK) void write(BODY.subarray(pos, pos + CHUNK))?.catch(() => {});
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
    const gz = await rawGet(port, { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /Accept-Encoding/i);
    assert.ok(gz.body.length < BODY.length / 10, `${gz.body.length} bytes on the wire`);
    assert.ok(gunzipSync(gz.body).equals(BODY), 'the same exposition once decompressed');
    const plain = await rawGet(port, {});
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.ok(plain.body.equals(BODY));
    const refused = await rawGet(port, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers['content-encoding'], undefined);
  } finally {
    server.close();
  }
});

test('a gzipped body reaches zlib in batches, not in the renderer\'s 64 kB pieces (each write is a trip through the event loop)', async () => {
  let writes = 0;
  let bytes = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes++;
      bytes += chunk.length;
      setImmediate(cb);
    },
  });
  const res = liveResponse();
  const body = new BodyWriter(out, res, 1 << 20);
  for (let pos = 0; pos < BODY.length; pos += CHUNK) await body.write(BODY.subarray(pos, pos + CHUNK));
  await body.sent();
  body.end();
  await new Promise((r) => out.once('finish', r));
  assert.equal(bytes, BODY.length, 'every byte handed on');
  assert.equal(writes, Math.ceil(BODY.length / (1 << 20)), `${writes} writes for ${BODY.length / CHUNK} pieces`);
});

test('a gzipped body hands zlib views of the renderer\'s buffer, joined, not copies of it', async () => {
  const got: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      setImmediate(cb);
    },
  });
  const res = liveResponse();
  const body = new BodyWriter(out, res, 1 << 20);
  const rendered = Buffer.allocUnsafeSlow(3 * (1 << 20));
  rendered.fill('x\n');
  for (let pos = 0; pos < rendered.length; pos += CHUNK) await body.write(rendered.subarray(pos, pos + CHUNK));
  // The feed and process families come after, in buffers of their own.
  await body.write('# TYPE up gauge\nup 1\n');
  await body.sent();
  body.end();
  await new Promise((r) => out.once('finish', r));
  const whole = Buffer.concat(got);
  assert.ok(whole.equals(Buffer.concat([rendered, Buffer.from('# TYPE up gauge\nup 1\n')])), 'the same bytes, in order');
  assert.equal(got.length, 4, `${got.length} writes: three batches of 1 MiB, then the tail`);
  for (const g of got.slice(0, 3)) {
    assert.equal(g.buffer, rendered.buffer, 'a batch of adjacent pieces is a view of the rendered buffer');
    assert.equal(g.length, 1 << 20);
  }
});

test('a batched piece counts as sent only once handed on and taken: until then it is the caller\'s buffer', async () => {
  const held: (() => void)[] = [];
  const taken: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      taken.push(chunk);
      held.push(cb);
    },
  });
  const res = liveResponse();
  const body = new BodyWriter(out, res, 1 << 20);
  const rendered = Buffer.alloc(4 * CHUNK, 'a');
  for (let pos = 0; pos < rendered.length; pos += CHUNK) assert.equal(body.write(rendered.subarray(pos, pos + CHUNK)), undefined);
  assert.equal(taken.length, 0, 'under a batch: nothing handed on yet');
  let sent = false;
  const done = body.sent().then(() => (sent = true));
  assert.equal(taken.length, 1, 'sent() hands on the batch');
  await sleep(20);
  assert.equal(sent, false, 'not sent while the batch is not taken');
  held.shift()!();
  await done;
  assert.ok(taken[0]!.equals(Buffer.alloc(4 * CHUNK, 'a')));
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
