import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScrapeReader } from '../../bench/scrape-reader.js';

// Each path is a body sent in 64 kB writes, as the exporter sends an exposition.
const bodies: Record<string, Buffer> = {
  '/small': Buffer.from('a 1\nb 2\n'),
  '/large': Buffer.from(Array.from({ length: 3 * 2 ** 20 }, (_, i) => (i * 7919) % 251)),
};
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = bodies[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200);
    for (let at = 0; at < body.length; at += 65_536) res.write(body.subarray(at, at + 65_536));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a body arrives whole, in order, also when the buffer grows while it arrives', async () => {
  const r = new ScrapeReader();
  assert.deepEqual(await r.get(`${base}/small`), bodies['/small']);
  assert.deepEqual(await r.get(`${base}/large`), bodies['/large']);
});

test('the next get reuses the buffer: the last body is overwritten, a kept one is not', async () => {
  const r = new ScrapeReader();
  const large = await r.get(`${base}/large`);
  const keptLarge = r.keep(large);
  const small = await r.get(`${base}/small`);
  // Same memory: no new buffer for a body that fits.
  assert.equal(small.buffer, large.buffer);
  assert.deepEqual(large.subarray(0, small.length), bodies['/small']);
  assert.deepEqual(keptLarge, bodies['/large']);
  assert.notEqual(keptLarge.buffer, large.buffer);
});

test('keep returns a body that is not a view of the reader as it is', () => {
  const own = Buffer.from('x 1\n');
  assert.equal(new ScrapeReader().keep(own), own);
});

test('a status other than 200 is an error naming the URL and status', async () => {
  await assert.rejects(new ScrapeReader().get(`${base}/missing`), /\/missing: HTTP 404/);
});
