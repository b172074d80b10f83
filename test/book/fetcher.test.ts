import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SnapshotFetcher } from '../../src/book/fetcher.js';
import { binance } from '../../src/feeds/binance.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { fixtureText } from '../support/fixtures.js';
import { waitFor } from '../support/wait-for.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A local REST venue answering each request with the next of `answers` (the last repeats). */
async function rest(answers: [status: number, body: string][]): Promise<{ base: string; urls: string[] }> {
  const urls: string[] = [];
  server = createServer((req, res) => {
    const [status, body] = answers[Math.min(urls.length, answers.length - 1)]!;
    urls.push(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls };
}

describe('SnapshotFetcher', () => {
  test('a refused request is reported and retried while the book still wants it; the snapshot reaches the book', async () => {
    const { base, urls } = await rest([
      [429, '{"code":-1003,"msg":"Too many requests"}'],
      [200, fixtureText('binance-book', 'depth-snapshot-rest')],
    ]);
    const errors: string[] = [];
    const got: BookEvent[] = [];
    const f = new SnapshotFetcher({ support: binance.book!, restBase: base, depth: 50, retryMs: 10, wanted: () => got.length === 0, onError: (d) => errors.push(d), onSnapshot: (_s, ev) => (got.push(ev), false) });
    f.request('BNBBTC');
    f.request('BNBBTC');
    await waitFor(() => got.length === 1, 'snapshot delivered');
    f.stop();
    assert.equal(urls.length, 2, 'one request at a time per symbol, then one retry');
    assert.equal(urls[0], '/api/v3/depth?symbol=BNBBTC&limit=50');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /HTTP 429/);
    assert.equal(got[0]!.lastId, 1027024);
  });

  test('a malformed body is an error; no retry once the book no longer waits', async () => {
    const { base, urls } = await rest([[200, '{"lastUpdateId":"x"}']]);
    const errors: string[] = [];
    const f = new SnapshotFetcher({ support: binance.book!, restBase: base, depth: 5, retryMs: 10, wanted: () => false, onError: (d) => errors.push(d), onSnapshot: () => false });
    f.request('BNBBTC');
    await waitFor(() => errors.length === 1, 'error reported');
    await new Promise((r) => setTimeout(r, 50));
    f.stop();
    assert.equal(urls.length, 1);
    assert.match(errors[0]!, /lacks lastUpdateId/);
  });

  test('a snapshot that cannot bridge asks again; stop() ends the retries', async () => {
    const { base, urls } = await rest([[200, fixtureText('binance-book', 'depth-snapshot-160')]]);
    const f = new SnapshotFetcher({ support: binance.book!, restBase: base, depth: 5, retryMs: 10, wanted: () => true, onError: () => {}, onSnapshot: () => true });
    f.request('BNBBTC');
    await waitFor(() => urls.length >= 3, 'asked again');
    f.stop();
    const n = urls.length;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(urls.length <= n + 1, `${urls.length - n} requests after stop`);
  });
});
