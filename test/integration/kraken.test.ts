/**
 * The real exporter against a local server speaking Kraken's WebSocket v2 protocol: status on
 * connect, per-symbol subscribe acks (one symbol refused), ticker snapshots, trade updates,
 * heartbeats, a pong carrying the venue clock, a maintenance status, a trade-id gap and a
 * dropped socket, all read back from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { liveVenue } from '../support/live-venue.js';
import { sum } from '../support/scrape.js';
import { fixtureJson, fixtureText, type VenueProtocol } from '../support/venue-server.js';
import { waitFor } from '../support/wait-for.js';

const SYMBOLS = ['BTC/USD', 'ETH/USD', 'FOO/BAR'];
/** The fake venue does not list this pair: its subscriptions are refused one by one. */
const REFUSED = 'FOO/BAR';
/** The fake venue's clock runs this far ahead of ours. */
const SKEW_MS = 60_000;
const X = 'exchange="kraken"';
const BTC = `${X},symbol="BTC/USD"`;

interface Request {
  method: string;
  params?: { channel: string; symbol?: string[]; snapshot?: boolean };
  req_id?: number;
}

const venueNow = () => new Date(Date.now() + SKEW_MS).toISOString();

/** Kraken's side: status on connect, one ack per symbol, ticker snapshots, pongs. */
const protocol: VenueProtocol = {
  greeting: () => [fixtureText('kraken', 'status-online')],
  reply(text) {
    const req = JSON.parse(text) as Request;
    const stamps = { time_in: venueNow(), time_out: venueNow() };
    if (req.method === 'ping') return [JSON.stringify({ method: 'pong', req_id: req.req_id, ...stamps })];
    if (req.method !== 'subscribe' || !req.params) return [];
    const { channel, symbol: symbols, snapshot } = req.params;
    if (!symbols) return [JSON.stringify({ method: 'subscribe', result: { channel }, success: true, req_id: req.req_id, ...stamps })];
    const out: string[] = [];
    for (const symbol of symbols) {
      if (symbol === REFUSED) {
        out.push(JSON.stringify({ ...fixtureJson('kraken', 'subscribe-error-symbol'), error: `Currency pair not supported ${symbol}`, symbol, req_id: req.req_id }));
        continue;
      }
      out.push(JSON.stringify({ method: 'subscribe', result: { channel, snapshot, symbol }, success: true, req_id: req.req_id, ...stamps }));
      if (channel === 'ticker' && snapshot) {
        const tick = fixtureJson<{ data: Record<string, unknown>[] }>('kraken', 'ticker-snapshot');
        out.push(JSON.stringify({ ...tick, data: [{ ...tick.data[0], symbol, bid: 64000.1, ask: 64000.2, last: 64000.15 }] }));
      }
    }
    return out;
  },
};

/** A trade update as Kraken sends it, one trade per id, stamped now. */
function trades(symbol: string, ids: number[], price: number): string {
  const base = fixtureJson<{ data: Record<string, unknown>[] }>('kraken', 'trade-update');
  const data = ids.map((trade_id) => ({ ...base.data[0], symbol, trade_id, price, timestamp: new Date().toISOString() }));
  return JSON.stringify({ ...base, data });
}

const isSubscribe = (channel: string) => (t: string) => {
  const r = JSON.parse(t) as Request;
  return r.method === 'subscribe' && r.params?.channel === channel;
};

describe('kraken, live against a local Kraken v2-protocol server', () => {
  const logs: string[] = [];
  // pingInterval 0: no protocol pings, so the round trip on /metrics is the app pong's.
  const live = liveVenue(
    protocol,
    { venue: 'kraken', symbols: SYMBOLS, noProtocolPings: true },
    { log: createLogger({ level: 'warn', write: (line) => logs.push(line) }) },
  );

  test('heartbeat first, then trade and ticker subscriptions; the ticker snapshot prices the symbols', async () => {
    const s = await live.venue.connection(1, isSubscribe('ticker'));
    const sent = s.messages.map((t) => JSON.parse(t) as Request);
    assert.deepEqual(sent[0], { method: 'subscribe', params: { channel: 'heartbeat' }, req_id: 1 });
    assert.deepEqual(sent[1], { method: 'subscribe', params: { channel: 'trade', symbol: SYMBOLS, snapshot: false }, req_id: 2 });
    assert.deepEqual(sent[2], { method: 'subscribe', params: { channel: 'ticker', symbol: SYMBOLS, snapshot: true }, req_id: 3 });
    const m = await live.until((x) => x.get(`market_feed_up{${X}}`) === 1 && x.has(`market_price{${BTC}}`) && x, 'feed up, priced');
    assert.equal(m.get(`market_price{${BTC}}`), 64000.15);
    assert.equal(m.get(`market_bid_price{${BTC}}`), 64000.1);
    assert.equal(m.get(`market_ask_price{${BTC}}`), 64000.2);
  });

  test('a refused symbol is counted per channel and does not cost the other symbols their connection', async () => {
    const m = await live.until((x) => x.get(`market_feed_errors_total{${X},type="subscribe_failed"}`) === 2 && x, 'two refusals');
    assert.equal(sum(m, 'market_feed_reconnects_total', { exchange: 'kraken' }), 0);
    assert.equal(m.get(`market_feed_up{${X}}`), 1);
    assert.equal(live.venue.sockets.length, 1);
  });

  test('trade updates become trades with lag; consecutive trade ids are no gap', async () => {
    live.venue.send(trades('BTC/USD', [500, 501], 64010.5));
    const m = await live.until((x) => x.get(`market_trades_total{${BTC}}`) === 2 && x, 'two trades');
    assert.equal(m.get(`market_price{${BTC}}`), 64010.5);
    assert.equal(m.get(`market_traded_volume_total{${BTC}}`), 80, '2 x 40');
    assert.ok(m.get(`market_feed_lag_seconds_count{${X}}`)! >= 2);
    assert.equal(m.get(`market_sequence_gaps_total{${BTC}}`), 0);
  });

  test('heartbeats count', async () => {
    const before = (await live.scrape()).get(`market_feed_heartbeats_total{${X}}`)!;
    const beat = fixtureText('kraken', 'heartbeat');
    live.venue.send(beat, beat, beat);
    await live.until((x) => x.get(`market_feed_heartbeats_total{${X}}`) === before + 3, 'three heartbeats');
  });

  test('a jump in trade ids is a gap with the missed count', async () => {
    live.venue.send(trades('BTC/USD', [505], 64011));
    const m = await live.until((x) => x.get(`market_sequence_gaps_total{${BTC}}`) === 1 && x, 'a gap');
    assert.equal(m.get(`market_sequence_missed_total{${BTC}}`), 3, '502, 503 and 504');
  });

  test('a pong echoing our send time gives the round trip, and its time_in/time_out the clock skew', async () => {
    const sentAt = Date.now() - 50;
    live.venue.send(JSON.stringify({ method: 'pong', req_id: sentAt, time_in: venueNow(), time_out: venueNow() }));
    const m = await live.until((x) => x.has(`market_feed_clock_skew_seconds{${X}}`) && x, 'clock skew');
    const skew = m.get(`market_feed_clock_skew_seconds{${X}}`)!;
    assert.ok(skew > SKEW_MS / 1000 - 1 && skew < SKEW_MS / 1000 + 1, `skew ${skew}`);
    assert.ok(m.get(`market_feed_ping_rtt_seconds{${X}}`)! >= 0.05, 'round trip measured from the echoed send time');
  });

  test('a maintenance status is logged as a venue status and keeps the connection', async () => {
    live.venue.send(fixtureText('kraken', 'status-maintenance'));
    await waitFor(() => logs.some((l) => l.includes('venue status') && l.includes('maintenance')), 'status logged');
    const m = await live.scrape();
    assert.equal(sum(m, 'market_feed_reconnects_total', { exchange: 'kraken' }), 0);
    assert.equal(live.venue.sockets.length, 1);
  });

  test('a dropped socket is a reconnect (reason closed); heartbeat and symbols are resubscribed; the feed comes back', async () => {
    const { socket: s2, closed } = await live.dropAndReconnect(2, isSubscribe('ticker'));
    assert.equal(closed, 1, 'the first reconnect of this feed');
    assert.deepEqual(JSON.parse(s2.messages[0]!), { method: 'subscribe', params: { channel: 'heartbeat' }, req_id: 1 });
    await live.feedUp('feed up again');
    live.venue.send(trades('BTC/USD', [520], 64020));
    await live.until((x) => x.get(`market_price{${BTC}}`) === 64020, 'trades flow on the new connection');
  });
});
