/**
 * The real exporter against a local server speaking a made-up but typical vendor protocol through
 * the generic JSON adapter: an auth frame then a subscribe frame from the options' template,
 * nested fields with a per-symbol consecutive sequence, heartbeats, an app ping whose pong echoes
 * our send time, a sequence gap and a dropped socket, all read back from /metrics.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../../src/feeds/index.js';
import { liveVenue } from '../support/live-venue.js';
import { fixtureJson, type VenueProtocol } from '../support/venue-server.js';

const NAME = 'fxvendor';
const X = `exchange="${NAME}"`;
const EUR = `${X},symbol="EURUSD"`;

interface Msg {
  op?: string;
  type?: string;
  echo?: string;
  key?: string;
  symbols?: string[];
}

/** The vendor: auth ack, subscribe ack, and a pong echoing the ping's `echo`. */
const protocol: VenueProtocol = {
  greeting: () => ['{"type":"welcome"}'],
  reply(text) {
    const m = JSON.parse(text) as Msg;
    if (m.op === 'auth') return ['{"type":"authenticated"}'];
    if (m.op === 'sub') return [JSON.stringify({ type: 'subscribed', symbols: m.symbols })];
    if (m.type === 'ping') return [JSON.stringify({ type: 'pong', echo: m.echo })];
    return [];
  },
};

type SeqTrade = { type: string; data: Record<string, string> };

/** A trade of the vendor, stamped now (seconds with a fraction, as the vendor sends them). */
function trade(sym: string, px: string, seq: number): string {
  const t = fixtureJson<SeqTrade>('generic', 'seq-feed-trade');
  return JSON.stringify({ ...t, data: { ...t.data, sym, px, seq: String(seq), ts: (Date.now() / 1000).toFixed(3) } });
}

const isSub = (t: string) => (JSON.parse(t) as Msg).op === 'sub';

describe('generic JSON feed, live against a local vendor server', () => {
  const live = liveVenue(protocol, {
    venue: 'generic',
    name: NAME,
    symbols: ['EURUSD', 'GBPUSD'],
    noProtocolPings: true,
    yaml: `
    options:
      subscribe:
        before: [{op: auth, key: test-key}]
        template: {op: sub, symbols: '{{symbolsJson}}'}
      filter: {path: type, value: trade}
      fields: {symbol: data.sym, price: data.px, size: data.qty, time: data.ts, timeUnit: s, seq: data.seq}
      heartbeat: {path: type, value: hb}
      pong: {path: type, value: pong, sentAt: echo}
      ping: {frame: '{"type":"ping","echo":"{{now}}"}', interval: 200ms}
`,
  });

  test('the feed runs its own adapter, built from its options; auth, then the templated subscribe', async () => {
    const adapter = live.svc.exporter.feeds.get(NAME)?.adapter;
    assert.ok(adapter && adapter !== ADAPTERS.generic, 'the exporter built the feed with configure()');
    const s = await live.venue.connection(1, isSub);
    assert.deepEqual(s.messages.slice(0, 2).map((m) => JSON.parse(m)), [
      { op: 'auth', key: 'test-key' },
      { op: 'sub', symbols: ['EURUSD', 'GBPUSD'] },
    ]);
    await live.feedUp('feed up');
  });

  test('trades: price, volume, count and lag; control frames are not errors', async () => {
    live.venue.send(trade('EURUSD', '1.08412', 1001), trade('EURUSD', '1.08415', 1002));
    const s = await live.until((m) => m.get(`market_trades_total{${EUR}}`) === 2 && m, 'two trades');
    assert.equal(s.get(`market_price{${EUR}}`), 1.08415);
    assert.equal(s.get(`market_traded_volume_total{${EUR}}`), 2_000_000);
    assert.ok(s.get(`market_feed_lag_seconds_count{${X}}`)! >= 2);
    assert.equal(s.get(`market_sequence_gaps_total{${EUR}}`), 0, 'consecutive');
    for (const type of ['malformed_frame', 'unknown_message']) assert.equal(s.get(`market_feed_errors_total{${X},type="${type}"}`), 0, type);
  });

  test('a jump in the sequence is a gap with the missed count', async () => {
    live.venue.send(trade('EURUSD', '1.08419', 1006));
    const s = await live.until((m) => m.get(`market_sequence_gaps_total{${EUR}}`) === 1 && m, 'a gap');
    assert.equal(s.get(`market_sequence_missed_total{${EUR}}`), 3, '1003, 1004 and 1005');
  });

  test('heartbeats count; the app ping round trip comes from the echoed pong', async () => {
    const beats = (await live.scrape()).get(`market_feed_heartbeats_total{${X}}`)!;
    const hb = fixtureJson('generic', 'seq-feed-heartbeat');
    live.venue.send(JSON.stringify(hb), JSON.stringify(hb));
    await live.until((m) => m.get(`market_feed_heartbeats_total{${X}}`) === beats + 2, 'two heartbeats');
    // Pings go out every 200 ms and the server echoes them: protocol pings are off, so this gauge
    // can only come from the vendor's pong.
    await live.venue.connection(1, (m) => (JSON.parse(m) as Msg).type === 'ping');
    const s = await live.until((m) => m.has(`market_feed_ping_rtt_seconds{${X}}`) && m, 'round trip');
    assert.ok(s.get(`market_feed_ping_rtt_seconds{${X}}`)! >= 0);
  });

  test('a dropped socket is a reconnect (reason closed), re-authenticated and resubscribed', async () => {
    const { socket: s2 } = await live.dropAndReconnect(2, isSub);
    assert.equal((JSON.parse(s2.messages[0]!) as Msg).op, 'auth');
    await live.feedUp('feed up again');
    live.venue.send(trade('GBPUSD', '1.27001', 77));
    await live.until((m) => m.get(`market_price{${X},symbol="GBPUSD"}`) === 1.27001, 'trades flow on the new connection');
  });
});
