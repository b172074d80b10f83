/**
 * Warm at start, end to end: an exporter whose Binance feed (the simulator, on 127.0.0.1) has
 * backfill pointed at a local REST server speaking /api/v3/klines. Nothing scrapes before
 * /-/ready; the first scrape after it already carries every native indicator of every symbol and
 * interval. BACKFILL_WARM_SYMBOLS=100 measures a larger feed (the time is printed, not judged).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { NATIVE_OUTPUT_NAMES } from '../../src/indicators/registry.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { RestServer } from '../support/rest-server.js';
import { VENUE_HISTORY } from '../support/rest-venues.js';
import { scrape } from '../support/scrape.js';
import { missingIndicators, untilReady } from '../support/warm.js';

const N = Number(process.env.BACKFILL_WARM_SYMBOLS ?? 3);
const SYMBOLS = Array.from({ length: N }, (_, i) => `W${i}USDT`);
const INTERVALS = ['1m', '5m'];
const DEPTH = 200;

let sim: Simulator;
let rest: RestServer;
let svc: Service | undefined;

beforeAll(async () => {
  rest = await RestServer.start((url) => ({ body: VENUE_HISTORY.binance!.answer(url, Date.now()) }));
  sim = await Simulator.start({ symbols: SYMBOLS, ratePerSymbol: 1, log: createLogger({ level: 'error' }) });
});
afterAll(async () => {
  await svc?.stop();
  await sim.stop();
  await rest.stop();
});

test(`the first scrape after ready carries every indicator of ${N} symbols x ${INTERVALS.length} intervals`, async () => {
  const config = parseConfig(
    `intervals: [${INTERVALS.join(', ')}]\nfeeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [${SYMBOLS.join(', ')}]\n    backfill: {depth: ${DEPTH}, url: "${rest.url}"}\n`,
    'warm.yml',
  );
  const t0 = performance.now();
  svc = await startService(config, { listen: '127.0.0.1:0', logLevel: 'error' });
  await untilReady(svc.url);
  const readyMs = performance.now() - t0;
  const first = await scrape(svc.url);

  assert.deepEqual(missingIndicators(first, 'sim', SYMBOLS, INTERVALS), [], 'every indicator present on the first scrape');
  assert.equal(first.get('market_backfill_state{exchange="sim",state="done"}'), 1);
  assert.equal(first.get('market_backfill_bars_total{exchange="sim"}'), N * INTERVALS.length * DEPTH);
  assert.ok(first.get('market_backfill_bars_applied_total{exchange="sim"}')! >= N * INTERVALS.length * (DEPTH - 1));
  assert.equal(rest.requests.length, N * INTERVALS.length, 'one klines request per symbol and interval');
  console.info(
    `warm start: ${N} symbols x ${INTERVALS.length} intervals, ${rest.requests.length} klines requests, ` +
      `${N * INTERVALS.length * NATIVE_OUTPUT_NAMES.length} indicator series on the first scrape, ready ${Math.round(readyMs)} ms after start`,
  );
});
