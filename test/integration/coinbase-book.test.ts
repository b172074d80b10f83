/**
 * Coinbase `level2_batch` books against a live socket: a local server speaking Coinbase
 * Exchange's feed protocol answers the book subscribe with a whole-book `snapshot` several MB
 * long (it passes only because the config raises limits.maxFrameBytes to the 16 MiB a coinbase
 * book requires), then `l2update`s move it; a dropped socket rebuilds the book from the new
 * session's snapshot. Read back from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { liveVenue } from '../support/live-venue.js';
import { fixtureJson, fixtureText, type VenueProtocol } from '../support/venue-server.js';

interface Subscribe {
  type: string;
  product_ids: string[];
  channels: string[];
}

/** Levels far from the mid (outside every band) that make the snapshot as large as a liquid product's. */
const DEEP_LEVELS = 60_000;

/** The fixture snapshot plus DEEP_LEVELS per side far below the bid and above the ask. */
function wholeBook(product: string): string {
  const snap = fixtureJson('coinbase-book', 'snapshot') as { bids: string[][]; asks: string[][] };
  const bids = [...snap.bids];
  const asks = [...snap.asks];
  for (let i = 0; i < DEEP_LEVELS; i++) {
    bids.push([((900_000 - i) / 100).toFixed(2), '0.50000000']);
    asks.push([((1_100_000 + i) / 100).toFixed(2), '0.50000000']);
  }
  return JSON.stringify({ ...snap, product_id: product, bids, asks });
}

const protocol: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as Subscribe;
    if (req.type !== 'subscribe') return [];
    const ack = JSON.stringify({ type: 'subscriptions', channels: req.channels.map((name) => ({ name, product_ids: req.product_ids, account_ids: null })) });
    return req.channels.includes('level2_batch') ? [ack, ...req.product_ids.map(wholeBook)] : [ack];
  },
};

const isBookSubscribe = (t: string) => (JSON.parse(t) as Subscribe).channels?.includes('level2_batch') === true;

describe('Coinbase level2_batch: the whole-book snapshot, l2updates, and a reconnect rebuilds the book', () => {
  const live = liveVenue(protocol, {
    venue: 'coinbase',
    symbols: ['BTC-USD', 'ETH-USD'],
    // The feed's lines, then the top-level limits a coinbase book requires.
    yaml: '    channels: [matches, heartbeat]\n    book:\n      symbols: [BTC-USD]\n      bands: [10, 50]\nlimits:\n  maxFrameBytes: 16MiB',
  });
  const X = 'exchange="coinbase"';
  const B = `${X},symbol="BTC-USD"`;

  test('level2_batch is subscribed for the book symbol only; the snapshot and updates show on /metrics', async () => {
    const socket = await live.venue.connection(1, isBookSubscribe);
    const sent = socket.messages.map((t) => JSON.parse(t) as Subscribe);
    assert.deepEqual(sent, [
      { type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channels: ['matches', 'heartbeat'] },
      { type: 'subscribe', product_ids: ['BTC-USD'], channels: ['level2_batch'] },
    ]);
    assert.ok(wholeBook('BTC-USD').length > 2 * 1024 * 1024, 'the snapshot is larger than the 1 MiB default');

    let s = await live.until((m) => (m.get(`market_book_synced{${B}}`) === 1 ? m : undefined), 'book synced from the snapshot');
    assert.equal(s.get(`market_feed_errors_total{${X},type="oversized_frame"}`), 0);
    assert.equal(s.get(`market_book_best_bid_size{${B}}`), 0.4505414);
    assert.equal(s.get(`market_book_best_ask_size{${B}}`), 0.57753524);
    assert.ok(Math.abs(s.get(`market_book_depth{${B},side="bid",band_bps="10"}`)! - 3.9505414) < 1e-9, 'the three bids near the mid; the deep levels are outside');
    assert.ok(Math.abs(s.get(`market_book_spread_bps{${B}}`)! - (1.45 / 10101.825) * 1e4) < 1e-6);
    assert.equal(s.has(`market_book_synced{${X},symbol="ETH-USD"}`), false, 'no book for a symbol without one');

    live.venue.send(fixtureText('coinbase-book', 'l2update'));
    s = await live.until((m) => (m.get(`market_book_best_bid_size{${B}}`) === 0.3 ? m : undefined), 'l2update applied');
    assert.equal(s.get(`market_book_best_ask_size{${B}}`), 1, 'sell 10102.55 set to 1');

    await live.dropAndReconnect(2, isBookSubscribe);
    s = await live.until((m) => (m.get(`market_book_best_bid_size{${B}}`) === 0.4505414 && m.get(`market_book_synced{${B}}`) === 1 ? m : undefined), 'rebuilt from the new snapshot');
    assert.equal(s.get(`market_book_resyncs_total{${B}}`), 0, 'a reconnect is not a book failure');
  });
});
