/**
 * A counter that exists has a writer: every counter family in the catalogue must move when the
 * simulator's fault knobs are turned against a running exporter. A family no knob can reach is
 * listed in NOT_BY_SIMULATOR with the outside cause that moves it.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { METRICS, type MetricDef } from '../../src/metrics/catalog.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { createLogger } from '../../src/log.js';
import { scrape, scrapeUntil, sum, type Series } from '../support/scrape.js';

/** Counter families the simulator cannot move, each with what does. */
const NOT_BY_SIMULATOR: Record<string, string> = {
  market_feed_heartbeats_total: 'venue heartbeat frames (Coinbase, Kraken, OKX); the simulator speaks Binance, which has none',
  market_sequence_out_of_order_total: 'a venue delivering an older sequence number after a newer one; the simulator sends ids in order',
  market_book_updates_total: 'order-book messages (Kraken book, Binance diff depth); the simulator sends no book channel. test/integration/book-resync.test.ts moves it',
  market_book_checksum_failures_total: 'a Kraken book update whose CRC32 does not match; test/integration/book-resync.test.ts moves it (and test/book/kraken-checksum.test.ts)',
  market_book_sequence_breaks_total: 'a Binance diff-depth update with U > previous u + 1; test/integration/book-resync.test.ts moves it (and test/book/sync.test.ts)',
  market_book_resyncs_total: 'a book rebuilt after a checksum failure or sequence break; test/integration/book-resync.test.ts moves it',
  market_indicator_extra_refused_total:
    'a feed past extraIndicators.maxInstances (config validation refuses such a file; test/metrics/render.test.ts moves it on a FeedState built past the cap)',
  market_backfill_bars_total:
    'a feed with backfill on and a venue REST API to answer; the simulator has none (test/backfill/runner.test.ts and test/backfill/warm-start.test.ts move it against local REST servers)',
  market_backfill_bars_applied_total:
    'backfilled bars reaching the indicators; the simulator has no REST API (test/backfill/runner.test.ts, test/backfill/warm-start.test.ts)',
  market_backfill_errors_total:
    'failed REST requests (429, 418, 5xx, 4xx, garbage, refused); the simulator has no REST API (test/backfill/runner.test.ts moves every type)',
};

const COUNTERS = (Object.values(METRICS) as MetricDef[]).filter((m) => m.type === 'counter').map((m) => m.name);
const SYMBOLS = ['AAAUSDT', 'BBBUSDT'];

let sim: Simulator;
let svc: Service;
const knob = async (path: string) => {
  const r = await fetch(`${sim.url.replace('ws:', 'http:')}/control/${path}`, { method: 'POST' });
  assert.equal(r.status, 200, `${path}: ${await r.text()}`);
};

beforeAll(async () => {
  sim = await Simulator.start({ symbols: SYMBOLS, ratePerSymbol: 20, log: createLogger({ level: 'error' }) });
  // A small queue so a burst conflates.
  const config = parseConfig(`limits:\n  queueCapacity: 8\nfeeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [${SYMBOLS.join(', ')}]\n`, 'test.yml');
  // The service's own logger (not an injected one), so suppressed log lines reach the metrics.
  svc = await startService(config, { listen: '127.0.0.1:0', logLevel: 'error' });
  await scrapeUntil(svc.url, (s) => s.get('market_feed_up{exchange="sim"}') === 1, 'feed up');
  // A gap or a duplicate is counted against the last trade id seen: a knob turned before a
  // symbol's first trade arrived would move nothing (the feed is up as soon as it connects, and on
  // a quiet machine the knobs came before the first trades in 2 runs of 3).
  await scrapeUntil(svc.url, (s) => SYMBOLS.every((sym) => (s.get(`market_trades_total{exchange="sim",symbol="${sym}"}`) ?? 0) > 0), 'a trade of every symbol');
});
afterAll(async () => {
  await svc.stop();
  await sim.stop();
});

test('every counter family moves under the simulator fault knobs, or is listed with the cause that moves it', async () => {
  for (const name of Object.keys(NOT_BY_SIMULATOR)) assert.ok(COUNTERS.includes(name), `${name} is listed but is not a counter in the catalogue`);
  const s0 = await scrape(svc.url);
  await knob('gap?symbol=AAAUSDT&n=3');
  await knob('duplicate?symbol=BBBUSDT');
  // More than the log's burst of 5 per kind: the rest are suppressed and counted.
  for (let i = 0; i < 8; i++) await knob('malformed?kind=json');
  await knob('burst?symbol=AAAUSDT&n=2000');
  // Trades stamped 3 minutes back belong to bars older than the open one: late. (A backfill would
  // do it too, but a queue of 8 conflates its flood into records carrying the latest time.)
  await knob('lag?ms=180000');
  await knob('disconnect');
  const unmoved = (s: Series) => COUNTERS.filter((n) => !(n in NOT_BY_SIMULATOR) && !(sum(s, n) > sum(s0, n)));
  let last: string[] = [];
  try {
    await scrapeUntil(svc.url, (s) => (last = unmoved(s)).length === 0, 'every counter family to move', { timeoutMs: 15_000 });
  } catch {
    assert.fail(`counter families that never moved: ${last.join(', ')}`);
  }
});
