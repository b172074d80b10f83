/**
 * The real exporter against a local server speaking Bybit v5's public spot protocol: subscribe in
 * frames of at most 10 topics, `success:false` for a topic the venue does not know, the JSON
 * ping/pong whose `req_id` echo gives a round trip, publicTrade and tickers pushes and a dropped
 * socket, all read back from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { liveVenue } from '../support/live-venue.js';
import { sum } from '../support/scrape.js';
import { fixtureJson, type VenueProtocol } from '../support/venue-server.js';

/** Six listed symbols: 12 topics, so the spot limit of 10 per frame means two frames. */
const LISTED = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT', 'ADAUSDT'];
const UNLISTED = 'NOPEUSDT';
const X = 'exchange="bybit"';
const BTC = `${X},symbol="BTCUSDT"`;

interface Op {
  req_id?: string;
  op: string;
  args?: string[];
}

/** Bybit's side: pong echoing req_id; per subscribe frame one answer, refusing unknown symbols. */
const protocol: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as Op;
    const base = { conn_id: '2324d924-aa4d-45b0-a858-7b8be29ab52b', req_id: req.req_id ?? '' };
    if (req.op === 'ping') return [JSON.stringify({ success: true, ret_msg: 'pong', ...base, op: 'ping' })];
    if (req.op !== 'subscribe') return [];
    const bad = (req.args ?? []).find((t) => !LISTED.includes(t.slice(t.indexOf('.') + 1)));
    return [
      bad
        ? JSON.stringify({ success: false, ret_msg: `error:handler not found,topic:${bad}`, ...base, op: 'subscribe' })
        : JSON.stringify({ success: true, ret_msg: 'subscribe', ...base, op: 'subscribe' }),
    ];
  },
};

/** A publicTrade message as Bybit spot sends it, stamped now; `seq` is the cross sequence. */
function trade(symbol: string, price: string, crossSeq: number): string {
  const msg = fixtureJson<{ data: Record<string, unknown>[] }>('bybit', 'trade-spot');
  const now = Date.now();
  return JSON.stringify({ ...msg, topic: `publicTrade.${symbol}`, ts: now, data: [{ ...msg.data[0], s: symbol, p: price, T: now - 1, seq: crossSeq }] });
}

const isSubscribe = (t: string) => (JSON.parse(t) as Op).op === 'subscribe';

describe('bybit (spot), live against a local Bybit-protocol server', () => {
  // Protocol pings off: the round-trip gauge can then only come from the app-level pong.
  const live = liveVenue(protocol, { venue: 'bybit', path: 'v5/public/spot', symbols: [...LISTED, UNLISTED], noProtocolPings: true });

  test('subscribes in frames of at most 10 topics; the unknown symbol is refused without a reconnect', async () => {
    const s = await live.venue.connection(1, (t) => t.includes('NOPEUSDT'));
    assert.equal(s.path, '/v5/public/spot');
    const frames = s.messages.filter(isSubscribe).map((t) => JSON.parse(t) as Op);
    assert.deepEqual(frames.map((f) => f.args!.length), [10, 4], '14 topics');
    const m = await live.until(
      (x) => x.get(`market_feed_up{${X}}`) === 1 && x.get(`market_feed_errors_total{${X},type="subscribe_failed"}`) === 1 && x,
      'feed up, the NOPEUSDT frame refused',
    );
    assert.equal(m.get(`market_feed_reconnects_total{${X},reason="subscribe_failed"}`), 0);
    assert.equal(live.venue.sockets.length, 1);
    assert.equal(m.get(`market_feed_streams_per_connection_limit{${X}}`), 500);
  });

  test('trades: price, volume, count and lag; the cross sequence makes no gaps', async () => {
    // Cross sequences jump (the engine numbers order events too) and repeat within a message.
    live.venue.send(trade('BTCUSDT', '16578.50', 42171890), trade('BTCUSDT', '16579.00', 42171990));
    const s = await live.until((m) => m.get(`market_trades_total{${BTC}}`) === 2 && m, 'two trades');
    assert.equal(s.get(`market_price{${BTC}}`), 16579);
    assert.ok(Math.abs(s.get(`market_traded_volume_total{${BTC}}`)! - 0.002) < 1e-12);
    assert.ok(s.get(`market_feed_lag_seconds_count{${X}}`)! >= 2);
    assert.equal(sum(s, 'market_sequence_gaps_total', { exchange: 'bybit' }), 0);
  });

  test('a spot ticker sets the last price of a symbol that has not traded', async () => {
    const t = fixtureJson<{ data: Record<string, unknown> }>('bybit', 'ticker-spot');
    live.venue.send(JSON.stringify({ ...t, topic: 'tickers.SOLUSDT', ts: Date.now(), data: { ...t.data, symbol: 'SOLUSDT', lastPrice: '21.37' } }));
    await live.until((m) => m.get('market_price{exchange="bybit",symbol="SOLUSDT"}') === 21.37, 'SOL priced by its ticker');
  });

  test('a pong echoing our req_id sets the round trip; Bybit has no heartbeat channel', async () => {
    // The adapter pings every 20 s; answer as if to a ping sent a moment ago.
    live.venue.send(JSON.stringify({ ...fixtureJson('bybit', 'pong-spot'), req_id: String(Date.now() - 250) }));
    const s = await live.until((m) => m.has(`market_feed_ping_rtt_seconds{${X}}`) && m, 'round trip');
    const rtt = s.get(`market_feed_ping_rtt_seconds{${X}}`)!;
    assert.ok(rtt >= 0.25 && rtt < 60, `rtt ${rtt}`);
    assert.equal(s.get(`market_feed_heartbeats_total{${X}}`), 0);
    assert.equal(s.get(`market_feed_errors_total{${X},type="unknown_message"}`), 0);
  });

  test('a dropped socket is a reconnect (reason closed), resubscribed, and the feed comes back up', async () => {
    await live.dropAndReconnect(2, (t) => t.includes('NOPEUSDT'));
    await live.feedUp('feed up again');
    live.venue.send(trade('ETHUSDT', '1201.44', 42180000));
    await live.until((m) => m.get('market_price{exchange="bybit",symbol="ETHUSDT"}') === 1201.44, 'trades flow on the new connection');
  });
});
