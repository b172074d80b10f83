// Exporter-level faults on an open connection: the venue closes (normal, going away, its own
// codes), resets TCP mid-frame, goes half-open, stops sending, announces maintenance, or the
// connection reaches the venue's maximum lifetime. Each time: the exporter stays up, /metrics keeps
// answering, the right counter moves, and the feed comes back without a restart.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../../src/feeds/index.js';
import type { Adapter } from '../../src/feeds/types.js';
import { fixtureText } from '../support/venue-server.js';
import { FakeVenue, feedYaml, reconnects, startExporter, trades, up, value, type RunningExporter } from './harness.js';

describe('the venue ends an open connection', () => {
  let venue: FakeVenue;
  let exp: RunningExporter;

  beforeAll(async () => {
    venue = await FakeVenue.start();
    venue.flow(10);
    exp = await startExporter([feedYaml(venue.url, { connection: { silenceTimeout: '400ms' } })]);
    await exp.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > 0, 'the feed up with trades');
  });
  afterAll(async () => {
    await exp.stop();
    await venue.close();
  });

  /** After a fault: the feed is up again and trades flow past what they were before it. */
  async function recovered(tradesBefore: number): Promise<void> {
    await exp.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > tradesBefore + 5, 'the feed up again with new trades');
  }

  for (const [code, what] of [
    [1000, 'normal closure'],
    [1001, 'going away'],
    [1011, 'internal error'],
    [1013, 'try again later'],
    [4000, 'a venue-specific code'],
  ] as const) {
    test(`close ${code} (${what}): reason closed with the code logged, then reconnected`, async () => {
      const s0 = await exp.scrape();
      const accepted = venue.accepted;
      venue.closeAll(code);
      const s1 = await exp.until((s) => reconnects(s, 'closed') > reconnects(s0, 'closed') && s, 'reconnects{reason="closed"} to move');
      assert.equal(reconnects(s1, 'closed'), reconnects(s0, 'closed') + 1, 'one close, one count');
      assert.ok(exp.logs.some((l) => l.includes(`code=${code}`)), `the log names code ${code}`);
      await recovered(trades(s1, 'AAAUSDT'));
      assert.ok(venue.accepted > accepted, 'a new connection was made');
    });
  }

  test('a TCP reset in the middle of a frame: counted, the half frame never becomes a trade, reconnected', async () => {
    const s0 = await exp.scrape();
    const lost = (s: typeof s0) => reconnects(s, 'closed') + reconnects(s, 'error');
    venue.resetMidFrame();
    const s1 = await exp.until((s) => lost(s) > lost(s0) && s, 'a reconnect for the reset');
    assert.equal(lost(s1), lost(s0) + 1);
    await recovered(trades(s1, 'AAAUSDT'));
    const s2 = await exp.scrape();
    // The half frame carried trade id 1, far below the live ids: had it been parsed, it would be out of order.
    assert.equal(value(s2, 'market_sequence_out_of_order_total', { exchange: 'fake', symbol: 'AAAUSDT' }), 0);
    assert.equal(value(s2, 'market_feed_errors_total', { exchange: 'fake', type: 'malformed_frame' }), 0);
  });

  test('half-open (no data, pings unanswered, socket never closed): ping_timeout, stale timestamps, then recovery', async () => {
    const s0 = await exp.scrape();
    venue.freeze(true);
    const s1 = await exp.until((s) => reconnects(s, 'ping_timeout') > reconnects(s0, 'ping_timeout') && s, 'a ping_timeout reconnect');
    // While frozen the last-message time stands still: the truth a staleness alert needs.
    const last = s1.get('market_feed_last_message_timestamp_seconds{exchange="fake"}')!;
    const s2 = await exp.until((s) => reconnects(s, 'ping_timeout') > reconnects(s1, 'ping_timeout') && s, 'another ping_timeout while still frozen');
    assert.equal(s2.get('market_feed_last_message_timestamp_seconds{exchange="fake"}'), last);
    assert.equal(trades(s2, 'AAAUSDT'), trades(s1, 'AAAUSDT'), 'no trades while frozen');
    venue.freeze(false);
    await recovered(trades(s2, 'AAAUSDT'));
  });

  test('the stream stops but pings are answered: stale after silenceTimeout, then recovery', async () => {
    const s0 = await exp.scrape();
    venue.stopFlow();
    const s1 = await exp.until((s) => reconnects(s, 'stale') > reconnects(s0, 'stale') && s, 'a stale reconnect');
    assert.equal(reconnects(s1, 'ping_timeout'), reconnects(s0, 'ping_timeout'), 'pings were answered all along');
    venue.flow(10);
    await recovered(trades(s1, 'AAAUSDT'));
  });

  test("maintenance notice (Binance serverShutdown) then the venue's close: one venue_notice reconnect, no 'closed'", async () => {
    const s0 = await exp.scrape();
    const noticed = venue.open;
    const accepted = venue.accepted;
    venue.send(fixtureText('binance', 'server-shutdown-combined'));
    // The exporter leaves on the notice; the venue's own close of those sockets comes later.
    await exp.until((s) => reconnects(s, 'venue_notice') > reconnects(s0, 'venue_notice') && venue.accepted > accepted && s, 'the venue_notice reconnect');
    for (const c of noticed) c.ws.close(1001, 'maintenance');
    const s1 = await exp.scrape();
    assert.equal(reconnects(s1, 'venue_notice'), reconnects(s0, 'venue_notice') + 1);
    assert.equal(value(s1, 'market_venue_status', { exchange: 'fake', status: 'restart_announced' }), 1, 'the venue status says so');
    await recovered(trades(s1, 'AAAUSDT'));
    assert.equal(reconnects(await exp.scrape(), 'closed'), reconnects(s0, 'closed'), 'the old socket closing later is not a second loss');
    assert.ok(exp.logs.some((l) => l.includes('msg="venue notice"') && l.includes('serverShutdown')), 'the notice is logged');
  });

  test('/metrics answered all along and nothing was counted as a frame error', async () => {
    const s = await exp.scrape();
    for (const type of ['malformed_frame', 'invalid_price', 'invalid_timestamp', 'unknown_symbol', 'internal_error']) {
      assert.equal(value(s, 'market_feed_errors_total', { exchange: 'fake', type }), 0, type);
    }
  });
});

describe("the venue's maximum connection lifetime (Binance: 24 h)", () => {
  // The real binance adapter with its 24 h lifetime shortened to 600 ms, registered under a test
  // venue key for this file's process only: the Feed rolls the connection before the venue would.
  const KEY = 'binance-short-lifetime';
  let venue: FakeVenue;
  let exp: RunningExporter;

  beforeAll(async () => {
    const binance = ADAPTERS.binance!;
    const shortLived: Adapter = { ...binance, venue: KEY, limits: { ...binance.limits, maxLifetimeMs: 600 } };
    (ADAPTERS as Record<string, Adapter>)[KEY] = shortLived;
    venue = await FakeVenue.start();
    venue.flow(10);
    exp = await startExporter([feedYaml(venue.url, { venue: KEY })]);
  });
  afterAll(async () => {
    await exp.stop();
    await venue.close();
    delete (ADAPTERS as Record<string, Adapter>)[KEY];
  });

  test('connections roll before the lifetime (reason lifetime), politely, and data keeps flowing', async () => {
    const s1 = await exp.until((s) => reconnects(s, 'lifetime') >= 2 && s, 'two lifetime rolls', 15_000);
    await exp.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > trades(s1, 'AAAUSDT') + 5, 'trades after the rolls');
    const s2 = await exp.scrape();
    assert.equal(reconnects(s2, 'closed'), 0, 'the venue never had to close us');
    assert.equal(reconnects(s2, 'error'), 0);
    assert.ok(venue.accepted >= 3, `${venue.accepted} connections`);
  });
});
