/**
 * The real exporter against a local server speaking OKX v5's public protocol: op/args subscribe
 * with one ack per argument, 60018 for an instrument that does not exist, the text ping/pong,
 * trades and tickers pushes, the 64008 service-upgrade notice and a dropped socket, all read back
 * from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { liveVenue } from '../support/live-venue.js';
import { sum } from '../support/scrape.js';
import { fixtureJson, fixtureText, type VenueProtocol } from '../support/venue-server.js';

const LISTED = ['BTC-USDT', 'ETH-USDT'];
/** Configured but not an OKX instrument: the venue refuses it with 60018. */
const UNLISTED = 'NOPE-USDT';
const X = 'exchange="okx"';
const BTC = `${X},symbol="BTC-USDT"`;

interface Arg {
  channel: string;
  instId: string;
}
interface Subscribe {
  id?: string;
  op: string;
  args: Arg[];
}

/** OKX's side: `pong` to `ping`; per argument an ack, or 60018 for an unknown instrument. */
const protocol: VenueProtocol = {
  reply(text) {
    if (text === 'ping') return ['pong'];
    const req = JSON.parse(text) as Subscribe;
    if (req.op !== 'subscribe') return [];
    return req.args.map((arg) =>
      LISTED.includes(arg.instId)
        ? JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'a4d3ae55' })
        : JSON.stringify({ event: 'error', msg: `channel:${arg.channel},instId:${arg.instId} doesn't exist`, code: '60018', connId: 'a4d3ae55' }),
    );
  },
};

/** A trades push as OKX sends it, stamped now. */
function trades(instId: string, tradeId: number, px: string, count = 1): string {
  const push = fixtureJson<{ arg: Arg; data: Record<string, unknown>[] }>('okx', 'trades');
  const data = [{ ...push.data[0], instId, tradeId: String(tradeId), px, count: String(count), ts: String(Date.now()) }];
  return JSON.stringify({ arg: { channel: 'trades', instId }, data });
}

const isSubscribe = (t: string) => t !== 'ping' && (JSON.parse(t) as Subscribe).op === 'subscribe';

describe('okx, live against a local OKX-protocol server', () => {
  const live = liveVenue(protocol, { venue: 'okx', symbols: [...LISTED, UNLISTED] });

  test('one subscribe frame for every symbol x channel; the unknown instrument is refused without a reconnect', async () => {
    const s = await live.venue.connection(1, isSubscribe);
    const req = JSON.parse(s.messages.find(isSubscribe)!) as Subscribe;
    assert.equal(req.args.length, 6, '3 symbols x (trades, tickers)');
    assert.deepEqual(req.args[0], { channel: 'trades', instId: 'BTC-USDT' });
    const m = await live.until(
      (x) => x.get(`market_feed_up{${X}}`) === 1 && x.get(`market_feed_errors_total{${X},type="subscribe_failed"}`) === 2 && x,
      'feed up, NOPE-USDT refused on both channels',
    );
    assert.equal(m.get(`market_feed_reconnects_total{${X},reason="subscribe_failed"}`), 0, 'a refused instrument does not cut the others off');
    assert.equal(m.get(`market_feed_streams{${X}}`), 6);
    assert.equal(m.get(`market_feed_streams_per_connection_limit{${X}}`), 1000);
    assert.equal(live.venue.sockets.length, 1, 'still the first connection');
  });

  test('trades: price, volume, trade count and lag', async () => {
    live.venue.send(trades('BTC-USDT', 5000, '42219.9'), trades('BTC-USDT', 5001, '42220.1'));
    const s = await live.until((m) => m.get(`market_trades_total{${BTC}}`) === 2 && m, 'two trades');
    assert.equal(s.get(`market_price{${BTC}}`), 42220.1);
    assert.ok(Math.abs(s.get(`market_traded_volume_total{${BTC}}`)! - 2 * 0.12060306) < 1e-12);
    assert.ok(s.get(`market_feed_lag_seconds_count{${X}}`)! >= 2, 'every trade observes lag');
  });

  test('tickers set bid and ask', async () => {
    const t = fixtureJson<{ arg: Arg; data: Record<string, unknown>[] }>('okx', 'tickers');
    live.venue.send(JSON.stringify({ arg: { channel: 'tickers', instId: 'ETH-USDT' }, data: [{ ...t.data[0], instId: 'ETH-USDT', ts: String(Date.now()) }] }));
    const s = await live.until((m) => m.has('market_bid_price{exchange="okx",symbol="ETH-USDT"}') && m, 'ETH bid');
    assert.equal(s.get('market_bid_price{exchange="okx",symbol="ETH-USDT"}'), 8888.88);
    assert.equal(s.get('market_ask_price{exchange="okx",symbol="ETH-USDT"}'), 9999.99);
  });

  test('aggregated trade ids jump without a sequence gap (OKX trades export no seq)', async () => {
    // 5001 then 5004 with count 3: ids 5002-5004 in one push, nothing lost.
    live.venue.send(trades('BTC-USDT', 5004, '42221.0', 3));
    const s = await live.until((m) => m.get(`market_trades_total{${BTC}}`) === 3 && m, 'third trade');
    assert.equal(sum(s, 'market_sequence_gaps_total', { exchange: 'okx' }), 0);
    assert.equal(sum(s, 'market_sequence_duplicates_total', { exchange: 'okx' }), 0);
  });

  test('the text pong is understood (no malformed frame); OKX has no heartbeat channel', async () => {
    const before = await live.scrape();
    const messages = before.get(`market_feed_messages_total{${X}}`)!;
    live.venue.send(fixtureText('okx', 'pong'));
    const s = await live.until((m) => m.get(`market_feed_messages_total{${X}}`) === messages + 1 && m, 'pong received');
    assert.equal(s.get(`market_feed_errors_total{${X},type="malformed_frame"}`), 0);
    assert.equal(s.get(`market_feed_errors_total{${X},type="unknown_message"}`), 0);
    assert.equal(s.get(`market_feed_heartbeats_total{${X}}`), 0);
  });

  test('a dropped socket is a reconnect (reason closed), resubscribed, and the feed comes back up', async () => {
    const { socket: s2 } = await live.dropAndReconnect(2, isSubscribe);
    assert.equal((JSON.parse(s2.messages.find(isSubscribe)!) as Subscribe).args.length, 6, 'the same streams again');
    await live.feedUp('feed up again');
    live.venue.send(trades('BTC-USDT', 6000, '42300.5'));
    await live.until((m) => m.get(`market_price{${BTC}}`) === 42300.5, 'trades flow on the new connection');
  });

  test('notice 64008 moves to a new connection (reason venue_notice) and the feed stays served', async () => {
    live.venue.send(fixtureText('okx', 'notice-service-upgrade'));
    await live.until((m) => m.get(`market_feed_reconnects_total{${X},reason="venue_notice"}`) === 1, 'venue_notice reconnect');
    await live.venue.connection(3, isSubscribe);
    await live.feedUp('feed up after the notice');
    live.venue.send(trades('ETH-USDT', 9100, '3300.25'));
    await live.until((m) => m.get('market_price{exchange="okx",symbol="ETH-USDT"}') === 3300.25, 'trades on the third connection');
  });
});
