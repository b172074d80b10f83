/**
 * Order-book integrity against live sockets: a local server speaking Kraken's v2 `book` channel
 * (a checksum mismatch resubscribes the one book, whose fresh snapshot puts it back in step) and
 * one speaking Binance's diff depth with a local HTTP server for GET /api/v3/depth (updates are
 * buffered until the REST snapshot; a sequence break refetches it), read back from /metrics.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { liveVenue } from '../support/live-venue.js';
import { fixtureJson, fixtureText, type VenueProtocol } from '../support/venue-server.js';
import { waitFor } from '../support/wait-for.js';

interface KrakenRequest {
  method: string;
  params?: { channel: string; symbol?: string[]; snapshot?: boolean };
  req_id?: number;
}

const krakenProtocol: VenueProtocol = {
  greeting: () => [fixtureText('kraken', 'status-online')],
  reply(text) {
    const req = JSON.parse(text) as KrakenRequest;
    if (!req.params) return [];
    const { channel, symbol } = req.params;
    const ack = JSON.stringify({ method: req.method, result: { channel, symbol: symbol?.[0] }, success: true, req_id: req.req_id });
    if (req.method === 'subscribe' && channel === 'book') return [ack, fixtureText('kraken-book', 'book-snapshot')];
    return [ack];
  },
};

describe('Kraken book: a checksum mismatch resubscribes the book', () => {
  const live = liveVenue(krakenProtocol, {
    venue: 'kraken',
    symbols: ['BTC/USD'],
    yaml: '    channels: [trade]\n    book:\n      symbols: [BTC/USD]\n      depth: 10\n      bands: [10, 50]',
  });
  const B = 'exchange="kraken",symbol="BTC/USD"';

  test('snapshot and updates in step export the book; a bad checksum counts, resubscribes, and the new snapshot resyncs', async () => {
    await live.until((m) => m.get(`market_book_synced{${B}}`) === 1, 'book synced from the snapshot');
    let s = await live.scrape();
    assert.equal(s.get(`market_book_best_bid_size{${B}}`), 0.000005);
    assert.equal(s.get(`market_book_depth{${B},side="bid",band_bps="10"}`), 0.000005, '0.05000 only: 10 bps of the 0.050025 mid');
    assert.ok(s.has(`market_book_imbalance_ratio{${B},band_bps="50"}`));
    assert.ok(Math.abs(s.get(`market_book_spread_bps{${B}}`)! - 0.00005 / 0.050025 * 1e4) < 1e-6);

    live.venue.send(fixtureText('kraken-book', 'book-update'), fixtureText('kraken-book', 'book-update-remove'));
    s = await live.until((m) => (m.get(`market_book_best_bid_size{${B}}`) === 0.000015 ? m : undefined), 'updates applied');
    assert.equal(s.get(`market_book_checksum_failures_total{${B}}`), 0);

    const socket = live.venue.sockets.at(-1)!;
    const sentBefore = socket.messages.length;
    live.venue.send(fixtureText('kraken-book', 'book-update-bad-checksum'));
    await live.until((m) => m.get(`market_book_checksum_failures_total{${B}}`) === 1, 'mismatch counted');
    const resent = await waitFor(() => {
      const sent = socket.messages.slice(sentBefore).map((t) => JSON.parse(t) as KrakenRequest);
      return sent.length >= 2 ? sent : undefined;
    }, 'unsubscribe and subscribe sent');
    assert.deepEqual(resent.map((r) => [r.method, r.params?.channel, r.params?.symbol]), [
      ['unsubscribe', 'book', ['BTC/USD']],
      ['subscribe', 'book', ['BTC/USD']],
    ]);
    s = await live.until((m) => (m.get(`market_book_synced{${B}}`) === 1 && m.get(`market_book_resyncs_total{${B}}`) === 1 ? m : undefined), 'resynced from the new snapshot');
    assert.equal(s.get(`market_book_best_bid_size{${B}}`), 0.000005, 'the snapshot replaced the broken book');
    assert.equal(s.get(`market_feed_reconnects_total{exchange="kraken",reason="closed"}`), 0, 'the socket stayed');
  });
});

/** Binance's side: acks to SUBSCRIBE; the test pushes depth updates. */
const binanceProtocol: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as { id: number };
    return [JSON.stringify({ result: null, id: req.id })];
  },
};

describe('Binance diff depth: REST snapshot sync, and a sequence break resyncs', () => {
  let rest: Server;
  const requests: string[] = [];
  /** lastUpdateId of each snapshot served, in turn. */
  const snapshots = [160, 171];
  beforeAll(async () => {
    rest = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = fixtureJson('binance-book', 'depth-snapshot-160');
      body.lastUpdateId = snapshots[Math.min(requests.length - 1, snapshots.length - 1)];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => rest.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => rest.close(r));
  });

  const port = () => (rest.address() as AddressInfo).port;
  const live = liveVenue(binanceProtocol, {
    venue: 'binance',
    symbols: ['BNBBTC'],
    // The REST port is only known once the before hook ran: a getter reads it when the config is built.
    get yaml() {
      return `    channels: [trade]\n    book:\n      symbols: [BNBBTC]\n      depth: 100\n      restUrl: http://127.0.0.1:${port()}`;
    },
  });
  const B = 'exchange="binance",symbol="BNBBTC"';
  const combined = (name: string) => fixtureText('binance-book', name);

  test('buffers until the snapshot, applies what follows it, refetches after a break', async () => {
    await live.venue.connection(1, (t) => t.includes('bnbbtc@depth@100ms'));
    // Raw-stream form of the first event (U 157, u 160), then 158-162: both before any snapshot.
    live.venue.send(JSON.stringify({ stream: 'bnbbtc@depth@100ms', data: fixtureJson('binance-book', 'depth-update') }), combined('depth-update-combined-161'));
    await live.until((m) => m.get(`market_book_synced{${B}}`) === 1, 'synced from the REST snapshot');
    assert.match(requests[0]!, /^\/api\/v3\/depth\?symbol=BNBBTC&limit=100$/);
    let s = await live.scrape();
    // Snapshot at 160, then 158-162 applied on top: bid 0.0025 x1 added, ask 0.0027 removed.
    assert.equal(s.get(`market_book_best_bid_size{${B}}`), 1);
    assert.equal(s.get(`market_book_best_ask_size{${B}}`), 100);
    live.venue.send(combined('depth-update-combined-163'));
    s = await live.until((m) => (m.get(`market_book_best_ask_size{${B}}`) === 90 ? m : undefined), '163-165 applied');
    assert.equal(s.get(`market_book_sequence_breaks_total{${B}}`), 0);

    live.venue.send(combined('depth-update-combined-gap'));
    s = await live.until((m) => (m.get(`market_book_sequence_breaks_total{${B}}`) === 1 && m.get(`market_book_synced{${B}}`) === 1 ? m : undefined), 'break counted and resynced');
    assert.equal(requests.length, 2, 'one snapshot refetched');
    assert.equal(s.get(`market_book_resyncs_total{${B}}`), 1);
    assert.equal(s.get(`market_book_best_bid_size{${B}}`), 3, '170-172 replayed on the snapshot at 171');
  });
});
