// Sharded exporters: three replicas started from one config file (each with its own SHARD_INDEX,
// as a deployment would start them) against one simulator, next to one unsharded exporter on
// the same simulator. The union of the replicas' per-symbol series must be exactly the unsharded
// exporter's (no symbol lost, none added), the replicas must not overlap, and every replica must
// still report every feed, an idle one included.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { shardOf, shardSymbols } from '../../src/market/shard.js';
import { METRICS, type MetricDef } from '../../src/metrics/catalog.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { repoRoot } from '../support/prometheus.js';
import { scrape, type Series } from '../support/scrape.js';
import { pollUntil, spawnService, type ServiceProcess } from '../support/service-process.js';

const SHARDS = 3;
const SYMBOLS = Array.from({ length: 24 }, (_, i) => `S${String(i).padStart(2, '0')}USDT`);
/** A one-symbol feed: on two of the three replicas it has nothing to carry. */
const SOLO = 'solo';
const SOLO_SYMBOL = SYMBOLS[5]!;
const quiet = createLogger({ level: 'error' });

/**
 * Families of features this test's config does not turn on (the simulator speaks Binance spot):
 * they have no series here to shard, sharded or not.
 */
const NOT_CONFIGURED_HERE: Record<string, string> = {
  market_perp_: 'perpetuals: no perpetual feed or basis pair',
  market_book_: 'order books: no book:',
  market_venue_maintenance_start_timestamp_seconds: 'only venues that announce maintenance windows (Kraken)',
};
const defs = (Object.values(METRICS) as MetricDef[]).filter((m) => !Object.keys(NOT_CONFIGURED_HERE).some((k) => m.name.startsWith(k)));
const perSymbolFamilies = defs.filter((m) => m.labels.includes('symbol'));
const perFeedFamilies = defs.filter((m) => m.labels[0] === 'exchange' && !m.labels.includes('symbol'));

let sim: Simulator;
let dir: string;
let unsharded: Service;
const replicas: ServiceProcess[] = [];

/** `name{labels}` of the per-symbol series: what a series is, without its (volatile) value. */
function perSymbolIdentities(s: Series): Set<string> {
  return new Set([...s.keys()].filter((k) => k.includes(',symbol="')));
}

/** The (exchange, symbol) pairs a scrape carries. */
function carried(s: Series): Set<string> {
  const out = new Set<string>();
  for (const k of s.keys()) {
    const m = /^market_price\{exchange="([^"]+)",symbol="([^"]+)"\}$/.exec(k);
    if (m) out.add(`${m[1]}/${m[2]}`);
  }
  return out;
}

function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x)).sort();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'market-shard-'));
  sim = await Simulator.start({ symbols: SYMBOLS, ratePerSymbol: 20, seed: 3, log: quiet });
  const file = path.join(dir, 'exporter.yml');
  // One file for all replicas: only the environment tells them apart.
  writeFileSync(
    file,
    [
      'logLevel: info',
      'shard:',
      '  index: ${SHARD_INDEX:-0}',
      '  count: ${SHARD_COUNT:-1}',
      'feeds:',
      '  - venue: binance',
      '    name: sim',
      `    url: ${sim.url}`,
      `    symbols: [${SYMBOLS.join(', ')}]`,
      '  - venue: binance',
      `    name: ${SOLO}`,
      `    url: ${sim.url}`,
      `    symbols: [${SOLO_SYMBOL}]`,
      // Short bars and periods so every family (bars, windows, indicators) appears within seconds.
      'intervals: [1s]',
      'windows: [1s, 5s]',
      'barCloseGrace: 0',
      'indicators:',
      '  rsi: {period: 2}',
      '  bollinger: {period: 2}',
      '  sma: {period: 2}',
      '  ema: {period: 2}',
      '  macd: {fast: 1, slow: 2, signal: 1}',
      '  atr: {period: 1}',
      '  volatility: {period: 2}',
      '',
    ].join('\n'),
  );
  const spawned = await Promise.all(
    Array.from({ length: SHARDS }, (_, i) =>
      spawnService({
        name: `market-exporter-shard-${i}`,
        command: process.execPath,
        args: (port) => ['--import', 'tsx', 'src/main.ts', '--config', file, '--listen', `127.0.0.1:${port}`],
        cwd: repoRoot,
        env: { ...process.env, SHARD_INDEX: String(i), SHARD_COUNT: String(SHARDS) },
        readyPath: '/-/ready',
      }),
    ),
  );
  replicas.push(...spawned);
  unsharded = await startService(loadConfig(file, { env: {} }), { listen: '127.0.0.1:0', log: quiet });
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await unsharded?.stop();
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('three sharded replicas against one unsharded exporter', () => {
  test('the union of the replicas’ per-symbol series is exactly the unsharded exporter’s', async () => {
    const soloShard = shardOf(SOLO, SOLO_SYMBOL, SHARDS);
    // Every family of every symbol, indicators included, is there once warm-up is over.
    const complete = (s: Series) => SYMBOLS.every((sym) => s.has(`market_indicator{exchange="sim",symbol="${sym}",interval="1s",indicator="macd_histogram"}`));
    let last = { union: new Set<string>(), whole: new Set<string>() };
    const snap = await pollUntil(
      async () => {
        const [whole, ...parts] = await Promise.all([scrape(unsharded.url), ...replicas.map((r) => scrape(r.url))]);
        const union = new Set(parts.flatMap((p) => [...perSymbolIdentities(p)]));
        last = { union, whole: perSymbolIdentities(whole!) };
        if (!complete(whole!)) return undefined;
        return difference(last.union, last.whole).length === 0 && difference(last.whole, last.union).length === 0 ? { whole: whole!, parts } : undefined;
      },
      'the replicas’ union to equal the unsharded series',
      { timeoutMs: 30_000, everyMs: 250 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nonly unsharded: ${difference(last.whole, last.union).slice(0, 10).join(' ')}\nonly in replicas: ${difference(last.union, last.whole).slice(0, 10).join(' ')}`);
    });

    const identities = perSymbolIdentities(snap.whole);
    const families = new Set([...identities].map((k) => k.slice(0, k.indexOf('{'))));
    assert.deepEqual([...families].sort(), perSymbolFamilies.map((m) => m.name).sort(), 'every per-symbol family is compared');
    assert.equal(carried(snap.whole).size, SYMBOLS.length + 1);

    // No overlap: each (exchange, symbol) on exactly one replica, and the one the hash names.
    const owners = new Map<string, number[]>();
    snap.parts.forEach((p, i) => {
      for (const key of carried(p)) owners.set(key, [...(owners.get(key) ?? []), i]);
    });
    assert.equal(owners.size, SYMBOLS.length + 1);
    for (const [key, on] of owners) {
      const [exchange = '', symbol = ''] = key.split('/');
      assert.deepEqual(on, [shardOf(exchange, symbol, SHARDS)], `${key} is on replicas ${on.join(',')}`);
    }
    snap.parts.forEach((p, i) => assert.ok(carried(p).size > 0, `replica ${i} carries symbols`));
    assert.deepEqual(owners.get(`${SOLO}/${SOLO_SYMBOL}`), [soloShard]);
  });

  test('every replica reports every feed, reports its part, and an idle feed says so', async () => {
    const soloShard = shardOf(SOLO, SOLO_SYMBOL, SHARDS);
    const scrapes = await Promise.all(replicas.map((r) => scrape(r.url)));
    let total = 0;
    scrapes.forEach((s, i) => {
      for (const exchange of ['sim', SOLO]) {
        for (const m of perFeedFamilies) {
          const name = m.type === 'histogram' ? `${m.name}_count` : m.name;
          const present = [...s.keys()].some((k) => k.startsWith(`${name}{exchange="${exchange}"`));
          // Gauges that are NaN until a feed has measured something are left out, by design; so is
          // the data silence of a feed idle on this replica (no connection: idle, not silent).
          if (m.name === METRICS.pingRtt.name || m.name === METRICS.clockSkew.name) continue;
          if (m.name === METRICS.dataSilence.name && exchange === SOLO && i !== soloShard) {
            assert.ok(!present, `replica ${i}: ${name} for the idle ${exchange}`);
            continue;
          }
          assert.ok(present, `replica ${i}: ${name} for ${exchange}`);
        }
      }
      const shardSymbols = s.get(`market_exporter_shard_symbols{shard="${i}"}`);
      assert.ok(shardSymbols !== undefined && shardSymbols > 0, `replica ${i}: market_exporter_shard_symbols`);
      assert.equal(shardSymbols, (s.get('market_feed_symbols{exchange="sim"}') ?? NaN) + (s.get(`market_feed_symbols{exchange="${SOLO}"}`) ?? NaN));
      assert.equal(s.get('market_exporter_shards'), SHARDS);
      total += shardSymbols;

      const idle = i !== soloShard;
      assert.equal(s.get(`market_feed_symbols{exchange="${SOLO}"}`), idle ? 0 : 1, `replica ${i}: ${SOLO} symbols`);
      assert.equal(s.get(`market_feed_connections_planned{exchange="${SOLO}"}`), idle ? 0 : 1);
      assert.equal(replicas[i]!.output().includes(`msg="feed idle: none of its symbols hash to this shard; other replicas carry them" exchange=${SOLO}`), idle, `replica ${i}: the idle log line`);
    });
    assert.equal(total, SYMBOLS.length + 1, 'the replicas’ parts add up to every configured symbol');

    const whole = await scrape(unsharded.url);
    assert.equal(whole.get('market_exporter_shard_symbols{shard="0"}'), SYMBOLS.length + 1);
    assert.equal(whole.get('market_exporter_shards'), 1);
  });

  test('a reload that grows the shard count keeps a subset of the symbols and reconnects only changed feeds', async () => {
    const text = (count: number) =>
      [
        `shard: {index: 0, count: ${count}}`,
        'feeds:',
        `  - {venue: binance, name: sim, url: "${sim.url}", symbols: [${SYMBOLS.join(', ')}]}`,
        `  - {venue: binance, name: ${SOLO}, url: "${sim.url}", symbols: [${SOLO_SYMBOL}]}`,
      ].join('\n');
    let count = 2;
    const service = await startService(parseConfig(text(count), 'grow.yml', { env: {} }), {
      listen: '127.0.0.1:0',
      log: quiet,
      loadConfig: () => parseConfig(text(count), 'grow.yml', { env: {} }),
    });
    try {
      const symbolsOf = (s: Series, exchange: string) =>
        [...carried(s)].filter((k) => k.startsWith(`${exchange}/`)).map((k) => k.slice(exchange.length + 1)).sort();
      const before = await pollUntil(async () => {
        const s = await scrape(service.url);
        return symbolsOf(s, 'sim').length === shardSymbols('sim', SYMBOLS, { index: 0, count: 2 }).length ? s : undefined;
      }, 'shard 0 of 2 trading');
      count = 3;
      await service.reload();
      const after = await scrape(service.url);
      const want = shardSymbols('sim', SYMBOLS, { index: 0, count: 3 });
      assert.deepEqual(symbolsOf(after, 'sim'), [...want].sort(), 'the symbols of shard 0 of 3, their series dropped for the others');
      // Jump hashing: growing the count only moves symbols away to the new shard.
      assert.ok(want.every((s) => symbolsOf(before, 'sim').includes(s)));
      assert.equal(after.get('market_exporter_shards'), 3);
      assert.equal(after.get('market_exporter_shard_symbols{shard="0"}'), want.length + shardSymbols(SOLO, [SOLO_SYMBOL], { index: 0, count: 3 }).length);
      for (const exchange of ['sim', SOLO]) {
        const list = exchange === 'sim' ? SYMBOLS : [SOLO_SYMBOL];
        const changed = shardSymbols(exchange, list, { index: 0, count: 2 }).length !== shardSymbols(exchange, list, { index: 0, count: 3 }).length;
        assert.equal(after.get(`market_feed_reconnects_total{exchange="${exchange}",reason="config_reload"}`), changed ? 1 : 0, `${exchange} reconnected only if its part changed`);
      }
    } finally {
      await service.stop();
    }
  });
});
