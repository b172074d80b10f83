/**
 * The gap after a disconnect, through the exporter's own wiring (fleet.ts: session end holds the
 * symbols' bars, the feed up again starts the fetch): the simulator drops the socket, the feed
 * stays away for its backoff, and the seconds it missed come from the local klines server.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { RestServer } from '../support/rest-server.js';
import { VENUE_HISTORY } from '../support/rest-venues.js';
import { scrape, scrapeUntil } from '../support/scrape.js';

const SYMBOLS = ['GAPUSDT'];
let sim: Simulator;
let rest: RestServer;
let svc: Service;

beforeAll(async () => {
  rest = await RestServer.start((url) => ({ body: VENUE_HISTORY.binance!.answer(url, Date.now()) }));
  sim = await Simulator.start({ symbols: SYMBOLS, ratePerSymbol: 10, log: createLogger({ level: 'error' }) });
  // 1s bars, so a few seconds away is a gap; the backoff keeps the feed away that long.
  const config = parseConfig(
    `intervals: [1s]\nbarCloseGrace: 500ms\nfeeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [${SYMBOLS.join(', ')}]\n` +
      `    connection: {backoff: {initial: 4s, max: 4s, jitter: 0}}\n    backfill: {depth: 60, url: "${rest.url}"}\n`,
    'gap.yml',
  );
  svc = await startService(config, { listen: '127.0.0.1:0', logLevel: 'error' });
  await scrapeUntil(svc.url, (s) => s.get('market_backfill_state{exchange="sim",state="done"}') === 1 && s.get('market_feed_up{exchange="sim"}') === 1, 'start backfill done');
});
afterAll(async () => {
  await svc.stop();
  await sim.stop();
  await rest.stop();
});

test('after a reconnect the missed bars are fetched and used', async () => {
  const before = await scrape(svc.url);
  const applied0 = before.get('market_backfill_bars_applied_total{exchange="sim"}')!;
  const requests0 = rest.requests.length;
  const r = await fetch(`${sim.url.replace('ws:', 'http:')}/control/disconnect`, { method: 'POST' });
  assert.equal(r.status, 200);
  const after = await scrapeUntil(
    svc.url,
    (s) => s.get('market_backfill_bars_applied_total{exchange="sim"}')! > applied0 && s.get('market_backfill_state{exchange="sim",state="done"}') === 1 && s,
    'the gap backfilled',
    { timeoutMs: 20_000 },
  );
  assert.ok(rest.requests.length > requests0, 'a klines request after the reconnect');
  const first = rest.requests[requests0]!;
  assert.ok(Number(first.searchParams.get('startTime')) > Date.now() - 60_000, 'from where the bars stopped, not the whole depth again');
  assert.equal(after.get('market_backfill_errors_total{exchange="sim",type="network"}'), 0);
  assert.ok(after.get('market_feed_reconnects_total{exchange="sim",reason="closed"}')! + after.get('market_feed_reconnects_total{exchange="sim",reason="error"}')! >= 1);
});
