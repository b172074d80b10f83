/**
 * The real exporter against a local server speaking Coinbase Exchange's feed protocol: subscribe
 * and `subscriptions` ack, `last_match` on subscribe, matches, tickers and heartbeats, a trade-id
 * gap, a dropped socket and an error frame, all read back from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { liveVenue } from '../support/live-venue.js';
import { sum, type Series } from '../support/scrape.js';
import { fixtureJson, fixtureText, type VenueProtocol } from '../support/venue-server.js';

const PRODUCTS = ['BTC-USD', 'ETH-USD'];
const X = 'exchange="coinbase"';
const BTC = `${X},symbol="BTC-USD"`;

interface Subscribe {
  type: string;
  product_ids: string[];
  channels: string[];
}

/** Coinbase's side of the conversation: ack every subscribe, then each product's last match. */
const protocol: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as Subscribe;
    if (req.type !== 'subscribe') return [];
    const ack = {
      type: 'subscriptions',
      channels: req.channels.map((name) => ({ name, product_ids: req.product_ids, account_ids: null })),
    };
    const lastMatches = req.channels.includes('matches')
      ? req.product_ids.map((product_id) => JSON.stringify({ ...fixtureJson('coinbase', 'last-match'), product_id }))
      : [];
    return [JSON.stringify(ack), ...lastMatches];
  },
};

/** A match as Coinbase sends it, stamped now. */
function match(product: string, tradeId: number, price: string): string {
  return JSON.stringify({ ...fixtureJson('coinbase', 'match'), product_id: product, trade_id: tradeId, price, time: new Date().toISOString() });
}

function heartbeat(product: string): string {
  return JSON.stringify({ ...fixtureJson('coinbase', 'heartbeat'), product_id: product, time: new Date().toISOString() });
}

const isSubscribe = (t: string) => (JSON.parse(t) as Subscribe).type === 'subscribe';

describe('coinbase, live against a local Coinbase-protocol server', () => {
  const live = liveVenue(protocol, { venue: 'coinbase', symbols: PRODUCTS });

  test('subscribes within its first frames, is acked, and reports the feed up with the last match price', async () => {
    const s = await live.venue.connection(1, isSubscribe);
    assert.deepEqual(JSON.parse(s.messages[0]!), { type: 'subscribe', product_ids: PRODUCTS, channels: ['matches', 'ticker', 'heartbeat'] });
    const series = await live.until((m) => m.get(`market_feed_up{${X}}`) === 1 && m.has(`market_price{${BTC}}`) && m, 'feed up and priced');
    assert.equal(series.get(`market_price{${BTC}}`), 66120, 'last_match sets the price');
    assert.equal(series.get(`market_trades_total{${BTC}}`), 0, 'last_match is not counted as a new trade');
    assert.equal(series.get(`market_feed_streams{${X}}`), 6, '2 products x 3 channels');
  });

  test('matches become trades: price, volume, trade count and lag', async () => {
    live.venue.send(match('BTC-USD', 1000, '67000.50'), match('BTC-USD', 1001, '67001.25'));
    const s = await live.until((m) => m.get(`market_trades_total{${BTC}}`) === 2 && m, 'two trades');
    assert.equal(s.get(`market_price{${BTC}}`), 67001.25);
    assert.ok(Math.abs(s.get(`market_traded_volume_total{${BTC}}`)! - 2 * 0.01655371) < 1e-12);
    assert.ok(s.get(`market_feed_lag_seconds_count{${X}}`)! >= 2, 'every match observes lag');
    assert.equal(sum(s, 'market_sequence_gaps_total', { symbol: 'BTC-USD' }), 0, 'consecutive trade ids are no gap');
  });

  test('a ticker sets bid and ask', async () => {
    live.venue.send(JSON.stringify({ ...fixtureJson('coinbase', 'ticker'), product_id: 'ETH-USD', time: new Date().toISOString() }));
    const s = await live.until((m) => m.has('market_bid_price{exchange="coinbase",symbol="ETH-USD"}') && m, 'ETH bid');
    assert.equal(s.get('market_bid_price{exchange="coinbase",symbol="ETH-USD"}'), 1285.04);
    assert.equal(s.get('market_ask_price{exchange="coinbase",symbol="ETH-USD"}'), 1285.27);
  });

  test('heartbeats count and keep a quiet product fresh', async () => {
    const before = await live.scrape();
    const beats = before.get(`market_feed_heartbeats_total{${X}}`)!;
    live.venue.send(heartbeat('ETH-USD'), heartbeat('BTC-USD'), heartbeat('ETH-USD'));
    const s = await live.until((m) => m.get(`market_feed_heartbeats_total{${X}}`) === beats + 3 && m, 'three heartbeats');
    assert.ok(s.get('market_symbol_last_update_timestamp_seconds{exchange="coinbase",symbol="ETH-USD"}')! > 0);
  });

  test('a jump in trade ids is a gap with the missed count; a late trade is out of order', async () => {
    live.venue.send(match('BTC-USD', 1005, '67002.00'));
    let s: Series = await live.until((m) => m.get(`market_sequence_gaps_total{${BTC}}`) === 1 && m, 'a gap');
    assert.equal(s.get(`market_sequence_missed_total{${BTC}}`), 3, '1002, 1003 and 1004 are missing');
    live.venue.send(match('BTC-USD', 1003, '67001.75'));
    s = await live.until((m) => m.get(`market_sequence_out_of_order_total{${BTC}}`) === 1 && m, 'late trade');
    assert.equal(s.get(`market_sequence_gaps_total{${BTC}}`), 1, 'a late arrival is not another gap');
  });

  test('a dropped socket is a reconnect (reason closed), resubscribed, and the feed comes back up', async () => {
    const { socket: s2 } = await live.dropAndReconnect(2, isSubscribe);
    assert.deepEqual((JSON.parse(s2.messages[0]!) as Subscribe).product_ids, PRODUCTS, 'the same products again');
    await live.feedUp('feed up again');
    live.venue.send(match('BTC-USD', 1010, '67010.00'));
    await live.until((m) => m.get(`market_price{${BTC}}`) === 67010, 'trades flow on the new connection');
  });

  test('an error frame ends the session with reason venue_error, and the feed recovers', async () => {
    live.venue.send(fixtureText('coinbase', 'error-slow-consume'));
    const s = await live.until((m) => m.get(`market_feed_reconnects_total{${X},reason="venue_error"}`) === 1 && m, 'venue_error reconnect');
    assert.equal(s.get(`market_feed_errors_total{${X},type="venue_error"}`), 1);
    await live.venue.connection(3, isSubscribe);
    await live.feedUp('feed up after the error');
  });
});
