/**
 * The real exporter against local servers speaking Kraken v2 and OKX v5: what each venue says of
 * itself (Kraken `status`, OKX notice 64008) read back from /metrics as market_venue_status, and
 * cleared as docs/metrics.md says: by the venue's next status, repeated on every connect.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { VENUE_STATES } from '../../src/market/venue-state.js';
import { liveVenue } from '../support/live-venue.js';
import type { Series } from '../support/scrape.js';
import { fixtureText, type VenueProtocol } from '../support/venue-server.js';

/** The one state at 1 for `exchange`, after checking the set is whole and exactly one is set. */
function venueState(m: Series, exchange: string): string | undefined {
  const set = VENUE_STATES.filter((s) => m.get(`market_venue_status{exchange="${exchange}",status="${s}"}`) === 1);
  const present = VENUE_STATES.filter((s) => m.has(`market_venue_status{exchange="${exchange}",status="${s}"}`));
  assert.equal(present.length, VENUE_STATES.length, 'every state has its series');
  assert.ok(set.length <= 1, `one state at most: ${set.join(', ')}`);
  return set[0];
}

describe('kraken status, live', () => {
  /** What the fake venue says on every connect. */
  let onConnect = 'status-online';
  const protocol: VenueProtocol = {
    greeting: () => [fixtureText('kraken', onConnect)],
    reply(text) {
      const req = JSON.parse(text) as { method: string; req_id?: number; params?: { channel: string } };
      if (req.method !== 'subscribe') return [];
      return [JSON.stringify({ method: 'subscribe', result: { channel: req.params?.channel }, success: true, req_id: req.req_id })];
    },
  };
  const live = liveVenue(protocol, { venue: 'kraken', symbols: ['BTC/USD'], noProtocolPings: true });
  const X = 'exchange="kraken"';

  test('the status sent on connect: online, and no maintenance window announced', async () => {
    await live.feedUp('feed up');
    const m = await live.until((x) => venueState(x, 'kraken') === 'online' && x, 'online');
    assert.equal(m.has(`market_venue_maintenance_start_timestamp_seconds{${X}}`), false);
  });

  test('a staged maintenance notice sets the next window; the engine stays online', async () => {
    live.venue.send(fixtureText('kraken', 'status-online-maintenance-announced'));
    const m = await live.until((x) => x.has(`market_venue_maintenance_start_timestamp_seconds{${X}}`) && x, 'next window');
    assert.equal(m.get(`market_venue_maintenance_start_timestamp_seconds{${X}}`), Date.UTC(2026, 11, 3, 6) / 1000);
    assert.equal(venueState(m, 'kraken'), 'online');
  });

  test('maintenance shows at once and keeps the connection; a reconnect during it still says maintenance', async () => {
    onConnect = 'status-maintenance';
    live.venue.send(fixtureText('kraken', 'status-maintenance'));
    await live.until((x) => venueState(x, 'kraken') === 'maintenance', 'maintenance');
    assert.equal(live.venue.sockets.length, 1, 'no reconnect of our own');
    live.venue.dropLast();
    await live.until((x) => (x.get(`market_feed_reconnects_total{${X},reason="closed"}`) ?? 0) >= 1 && x.get(`market_feed_up{${X}}`) === 1, 'reconnected');
    assert.equal(venueState(await live.scrape(), 'kraken'), 'maintenance', 'held across the reconnect, and repeated on connect');
  });

  test('the next online status clears it; an empty window list clears the window', async () => {
    onConnect = 'status-online';
    live.venue.send(fixtureText('kraken', 'status-online-nothing-scheduled'));
    const m = await live.until((x) => venueState(x, 'kraken') === 'online' && x, 'online again');
    assert.equal(m.has(`market_venue_maintenance_start_timestamp_seconds{${X}}`), false);
  });
});

describe('okx notice 64008, live', () => {
  const protocol: VenueProtocol = {
    reply(text) {
      if (text === 'ping') return ['pong'];
      const req = JSON.parse(text) as { id?: string; op: string; args: unknown[] };
      return req.op === 'subscribe' ? req.args.map((arg) => JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'a4d3ae55' })) : [];
    },
  };
  const live = liveVenue(protocol, { venue: 'okx', symbols: ['BTC-USDT'] });

  test('nothing said is unknown; the upgrade notice is restart_announced, and the feed moves to a new connection', async () => {
    await live.feedUp('feed up');
    assert.equal(venueState(await live.scrape(), 'okx'), 'unknown');
    live.venue.send(fixtureText('okx', 'notice-service-upgrade'));
    const m = await live.until((x) => x.get('market_feed_reconnects_total{exchange="okx",reason="venue_notice"}') === 1 && x, 'venue_notice reconnect');
    assert.equal(venueState(m, 'okx'), 'restart_announced', 'held for 2 minutes (test/market/venue-state.test.ts)');
    await live.feedUp('feed up after the notice');
  });
});
