import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { countSeries, ScrapeLoop } from '../../bench/scrape-loop.js';

const EXPOSITION = '# HELP a An a.\n# TYPE a gauge\na 1\nb{x="1"} 2\n\nc 3\n';
/** Requests as they arrived: path, headers, when. */
const seen: { url: string; headers: IncomingHttpHeaders; at: number }[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers, at: performance.now() });
    const delay = Number(new URL(req.url ?? '', 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => {
      if (req.url?.includes('fail')) return void res.writeHead(500).end();
      const gzip = req.headers['accept-encoding'] === 'gzip';
      res.writeHead(200, gzip ? { 'content-encoding': 'gzip' } : {});
      res.end(gzip ? gzipSync(EXPOSITION) : EXPOSITION);
    }, delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const job = (query: string, intervalS: number, timeoutS = intervalS, gzip = true) => ({ name: 't', intervalS, timeoutS, query, gzip });

test('scrapes on the job\'s clock, with its query and gzip; series from the last body', async () => {
  seen.length = 0;
  const loop = new ScrapeLoop(base, job('?collect%5B%5D=health&n=1', 0.05));
  await new Promise((r) => setTimeout(r, 330));
  const { series } = await loop.stop();
  assert.equal(series, 3);
  assert.ok(loop.scrapes.length >= 4 && loop.scrapes.length <= 8, `${loop.scrapes.length} scrapes in 330 ms at 50 ms`);
  assert.equal(seen.length, loop.scrapes.length);
  for (const r of seen) {
    assert.equal(r.url, '/metrics?collect%5B%5D=health&n=1');
    assert.equal(r.headers['accept-encoding'], 'gzip');
  }
  // What crossed the wire: the compressed body.
  assert.equal(loop.scrapes[0]!.bytes, gzipSync(EXPOSITION).length);
});

test('never two at once: a scrape slower than the interval makes the loop skip ticks; past the timeout is counted', async () => {
  seen.length = 0;
  const loop = new ScrapeLoop(base, job('?delay=120', 0.05, 0.1, false));
  await new Promise((r) => setTimeout(r, 500));
  await loop.stop();
  const at = loop.scrapes.map((s) => s.atMs);
  assert.ok(at.length >= 2 && at.length <= 5, `${at.length} scrapes`);
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 115, `scrape ${i} began ${at[i]! - at[i - 1]!} ms after the one before`);
  assert.equal(loop.scrapes[0]!.bytes, Buffer.byteLength(EXPOSITION), 'plain when the job does not ask for gzip');
  const all = loop.between(-Infinity, Infinity);
  assert.equal(all.overTimeout, all.scrapes.length, 'every 120 ms scrape is past a 100 ms timeout');
  assert.deepEqual(loop.between(at[1]!, at[1]!).scrapes, [loop.scrapes[1]]);
});

test('a failed scrape fails the loop at stop', async () => {
  const loop = new ScrapeLoop(base, job('?fail', 0.05));
  await new Promise((r) => setTimeout(r, 60));
  await assert.rejects(loop.stop(), /HTTP 500/);
});

test('countSeries: sample lines only', () => {
  assert.equal(countSeries(Buffer.from(EXPOSITION)), 3);
  assert.equal(countSeries(Buffer.from('')), 0);
  assert.equal(countSeries(Buffer.from('a 1')), 1);
});
