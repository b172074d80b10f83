/**
 * Warm at start for a generic feed, end to end: the exporter reads the simulator (on 127.0.0.1)
 * through the generic adapter, as it would a vendor's JSON stream, and its backfill describes a
 * vendor's REST candles API (test/support/rest-vendor.ts, a local server) with a URL template.
 * The first scrape after /-/ready carries every native indicator of every symbol and interval.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { RestServer } from '../support/rest-server.js';
import { objectsAnswer } from '../support/rest-vendor.js';
import { scrape } from '../support/scrape.js';
import { missingIndicators, untilReady } from '../support/warm.js';

const SYMBOLS = ['G0USDT', 'G1USDT'];
const INTERVALS = ['1m', '5m'];
const DEPTH = 200;

let sim: Simulator;
let rest: RestServer;
let svc: Service | undefined;

beforeAll(async () => {
  rest = await RestServer.start((url) => ({ body: objectsAnswer(url, Date.now()) }));
  sim = await Simulator.start({ symbols: SYMBOLS, ratePerSymbol: 1, log: createLogger({ level: 'error' }) });
});
afterAll(async () => {
  await svc?.stop();
  await sim.stop();
  await rest.stop();
});

test(`a generic feed's first scrape after ready carries every indicator of ${SYMBOLS.length} symbols x ${INTERVALS.length} intervals`, async () => {
  const yaml = [
    `intervals: [${INTERVALS.join(', ')}]`,
    'feeds:',
    '  - name: vendor',
    '    venue: generic',
    `    url: ${sim.url}/ws`,
    `    symbols: [${SYMBOLS.join(', ')}]`,
    '    options:',
    `      subscribe: {template: '{"method":"SUBSCRIBE","params":["{{symbol}}@trade"],"id":1}'}`,
    '      filter: {path: e, value: trade}',
    '      fields: {symbol: s, price: p, size: q, time: T}',
    '    backfill:',
    `      depth: ${DEPTH}`,
    `      url: "${rest.url}/v1/candles?ticker={symbol}&res={interval}&from={start}&to={end}&n={limit}"`,
    '      rows: result.bars',
    '      fields: {start: t, open: o, high: h, low: l, close: c, volume: v}',
    '      timeUnit: s',
    '      intervals: {1m: "1", 5m: "5"}',
    '      maxBars: 500',
    '',
  ].join('\n');
  svc = await startService(parseConfig(yaml, 'warm-generic.yml'), { listen: '127.0.0.1:0', logLevel: 'error' });
  await untilReady(svc.url);
  const first = await scrape(svc.url);

  assert.deepEqual(missingIndicators(first, 'vendor', SYMBOLS, INTERVALS), [], 'every indicator present on the first scrape');
  assert.equal(first.get('market_backfill_state{exchange="vendor",state="done"}'), 1);
  assert.equal(first.get('market_backfill_bars_total{exchange="vendor"}'), SYMBOLS.length * INTERVALS.length * DEPTH);
  assert.equal(rest.requests.length, SYMBOLS.length * INTERVALS.length, 'one request per symbol and interval');
  assert.deepEqual(new Set(rest.requests.map((u) => `${u.searchParams.get('ticker')} ${u.searchParams.get('res')}`)), new Set(SYMBOLS.flatMap((s) => [`${s} 1`, `${s} 5`])));
  // Live trades come in through the generic adapter beside the backfilled bars.
  for (let i = 0; ; i++) {
    const now = await scrape(svc.url);
    if (SYMBOLS.every((s) => now.get(`market_trades_total{exchange="vendor",symbol="${s}"}`)! > 0)) break;
    assert.ok(i < 200, 'live trades within 10 s');
    await sleep(50);
  }
});
