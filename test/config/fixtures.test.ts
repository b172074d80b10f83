import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { CONFIG_KEYS } from '../../src/config/validate.js';
import {
  DEFAULT_BAR_CLOSE_GRACE_MS,
  DEFAULT_CONNECTION,
  DEFAULT_INDICATORS,
  DEFAULT_LIMITS,
  DEFAULT_LISTEN,
} from '../../src/config/defaults.js';
import { ExporterError } from '../../src/errors.js';
import { ADAPTERS } from '../../src/feeds/index.js';

const DIR = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const files = readdirSync(DIR).sort();

// The invalid fixtures' messages list venues and channels, so they run against this fixed table
// rather than the live ADAPTERS: adding a venue must not rewrite forty fixtures.
const FIXED_VENUES: LoadOptions = {
  venues: ['binance', 'coinbase'],
  channelsOf: (v) => (v === 'binance' ? ['trade', 'bookTicker', 'aggTrade'] : undefined),
  streamsLimitOf: (v) => (v === 'binance' ? 1024 : undefined),
};
const SECRET = 'hunter2-s3cret';
const FIXTURE_ENV = { FIXTURE_SECRET_URL: `https://feed:${SECRET}@example.com/ws` };

function expectation(path: string): { message: string; code: string } {
  const [first = '', second = ''] = readFileSync(path, 'utf8').split('\n');
  const message = /^# expect: (.*)$/.exec(first)?.[1];
  const code = /^# code: (\w+)$/.exec(second)?.[1];
  assert.ok(message && code, `${path}: the first two lines must be "# expect: <message>" and "# code: <CODE>"`);
  return { message: message.replaceAll('<file>', path), code };
}

describe('invalid-*.yml: one problem each, exact message', () => {
  const invalid = files.filter((f) => f.startsWith('invalid-'));
  test('there is a fixture for each kind of problem', () => {
    assert.ok(invalid.length >= 40, `only ${invalid.length} invalid fixtures`);
  });
  for (const name of invalid) {
    test(name, () => {
      const path = join(DIR, name);
      const want = expectation(path);
      assert.throws(
        () => loadConfig(path, { ...FIXED_VENUES, env: FIXTURE_ENV }),
        (err: unknown) => {
          assert.ok(err instanceof ExporterError, `not an ExporterError: ${String(err)}`);
          assert.equal(err.message, want.message);
          assert.equal(err.code, want.code);
          assert.ok(!err.message.includes(SECRET), 'the message echoes a substituted secret');
          return true;
        },
      );
    });
  }
});

describe('valid-*.yml, against the live ADAPTERS', () => {
  const env = {};

  test('valid-minimal.yml: everything but the feed is a default', () => {
    const c = loadConfig(join(DIR, 'valid-minimal.yml'), { env });
    assert.equal(c.listen, DEFAULT_LISTEN);
    assert.equal(c.feeds.length, 1);
    const f = c.feeds[0]!;
    assert.equal(f.name, 'binance');
    assert.deepEqual(f.symbols, ['BTCUSDT']);
    assert.deepEqual(f.connection, DEFAULT_CONNECTION);
    assert.deepEqual(f.options, {});
    assert.equal(f.url, undefined);
    assert.equal(f.channels, undefined);
    assert.deepEqual(c.intervals, [
      { label: '1m', ms: 60_000 },
      { label: '5m', ms: 300_000 },
    ]);
    assert.deepEqual(c.indicators, DEFAULT_INDICATORS);
    assert.deepEqual(c.limits, DEFAULT_LIMITS);
    assert.equal(c.barCloseGraceMs, DEFAULT_BAR_CLOSE_GRACE_MS);
    assert.equal(c.enableReloadEndpoint, true);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.source, join(DIR, 'valid-minimal.yml'));
  });

  test('valid-full.yml: every key is read and converted', () => {
    const c = loadConfig(join(DIR, 'valid-full.yml'), { env });
    assert.equal(c.listen, '[::1]:10791');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.enableReloadEndpoint, false);
    const [bin, sim] = c.feeds;
    assert.ok(bin && sim);
    assert.equal(bin.name, 'binance-spot');
    assert.equal(bin.url, 'wss://stream.binance.com:9443', 'the ${VAR:-default} default applies');
    assert.deepEqual(bin.channels, ['trade', 'aggTrade']);
    assert.equal(bin.streamsPerConnection, 200);
    // Per-feed connection: its own keys, then the top-level connection, then the defaults.
    assert.deepEqual(bin.connection, {
      connectTimeoutMs: 3_000,
      pingIntervalMs: 10_000,
      maxMissedPings: 3,
      silenceTimeoutMs: 60_000,
      backoff: { initialMs: 250, maxMs: 10_000, multiplier: 1.5, jitter: 0.2, resetAfterMs: 120_000 },
    });
    assert.deepEqual(bin.options, { note: 'literal ${NOT_A_VARIABLE}', nested: { depth: [1, 2] } });
    assert.equal(sim.connection.connectTimeoutMs, 5_000);
    assert.equal(sim.connection.backoff.maxMs, 30_000);
    assert.deepEqual(sim.symbols, ['AAAUSDT', 'BBBUSDT']);
    assert.deepEqual(c.intervals, [
      { label: '1m', ms: 60_000 },
      { label: '5m', ms: 300_000 },
      { label: '1h', ms: 3_600_000 },
    ]);
    assert.deepEqual(c.windows, [
      { label: '30s', ms: 30_000 },
      { label: '1m', ms: 60_000 },
      { label: '5m', ms: 300_000 },
    ]);
    assert.equal(c.barCloseGraceMs, 1_500);
    assert.deepEqual(c.indicators, {
      rsi: { enabled: true, period: 7 },
      bollinger: { enabled: true, period: 10, stdDev: 2.5 },
      sma: { enabled: false, period: 50 },
      ema: { enabled: true, period: 9 },
      macd: { enabled: true, fast: 5, slow: 35, signal: 5 },
      atr: { enabled: false, period: 21 },
      volatility: { enabled: true, period: 30 },
    });
    assert.equal(c.extraIndicators.maxInstances, 100);
    assert.deepEqual(c.extraIndicators.indicators[0], { indicator: 'stochastic', params: { period: 10, signalPeriod: 4 }, feeds: ['binance-spot'], symbols: ['BTCUSDT'] });
    assert.deepEqual(c.extraIndicators.indicators[1], { indicator: 'adx', params: { period: 10 }, feeds: ['binance-spot', 'sim'], symbols: ['BTCUSDT', 'ETHUSDT'] });
    assert.deepEqual(c.extraIndicators.indicators[6], { indicator: 'psar', params: { step: 0.01, max: 0.1 }, feeds: ['binance-spot'], symbols: ['BTCUSDT'] });
    assert.deepEqual(
      c.extraIndicators.indicators.map((e) => e.indicator),
      ['stochastic', 'adx', 'cci', 'obv', 'mfi', 'williamsr', 'psar', 'trix'],
    );
    assert.deepEqual(c.limits, { queueCapacity: 5_000, maxFrameBytes: 65_536 });
    // A generic feed's backfill: url is the template, and the answer's shape is read.
    assert.deepEqual(c.feeds.find((f) => f.name === 'vendor')!.backfill, {
      depth: 100,
      generic: {
        template: 'https://api.vendor.example/v1/candles?ticker={symbol}&res={interval}&from={start}&to={end}&n={limit}',
        rows: ['result', 'bars'],
        fields: { start: ['t'], open: ['o'], high: ['h'], low: ['l'], close: ['c'], volume: ['v'] },
        timeUnit: 's',
        intervals: [[60_000, '1'], [300_000, '5'], [3_600_000, '60']],
        maxBars: 500,
        requestsPerMinute: 30,
      },
    });
    assert.deepEqual(c.shard, { index: 1, count: 3 });
  });

  test('valid-full.yml sets every key the loader knows', () => {
    const raw = load(readFileSync(join(DIR, 'valid-full.yml'), 'utf8').replaceAll('$${', '${')) as Record<string, unknown>;
    const seen = new Map<string, Set<string>>();
    const note = (section: string, obj: unknown) => {
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        const set = seen.get(section) ?? new Set<string>();
        Object.keys(obj).forEach((k) => set.add(k));
        seen.set(section, set);
      }
    };
    note('', raw);
    note('connection', raw.connection);
    note('connection.backoff', (raw.connection as Record<string, unknown>).backoff);
    for (const f of raw.feeds as unknown[]) {
      note('feeds[]', f);
      note('feeds[].backfill', (f as Record<string, unknown>).backfill);
      note('feeds[].book', (f as Record<string, unknown>).book);
    }
    note('indicators', raw.indicators);
    for (const [k, v] of Object.entries(raw.indicators as Record<string, unknown>)) note(`indicators.${k}`, v);
    note('extraIndicators', raw.extraIndicators);
    for (const [k, v] of Object.entries(raw.extraIndicators as Record<string, unknown>)) note(`extraIndicators.${k}`, v);
    note('limits', raw.limits);
    note('shard', raw.shard);
    for (const b of raw.basis as Record<string, unknown>[]) {
      note('basis[]', b);
      note('basis[].perp', b.perp);
      note('basis[].spot', b.spot);
    }
    for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
      for (const key of keys) assert.ok(seen.get(section)?.has(key), `valid-full.yml does not set ${section || '<top>'} ${key}`);
    }
  });

  test('valid-all-venues.yml names every venue in ADAPTERS and loads', () => {
    const c = loadConfig(join(DIR, 'valid-all-venues.yml'), { env });
    const venues = new Set(c.feeds.map((f) => f.venue));
    assert.deepEqual([...venues].sort(), Object.keys(ADAPTERS).sort());
  });

  test('every valid fixture loads', () => {
    for (const name of files.filter((f) => f.startsWith('valid-'))) {
      assert.doesNotThrow(() => loadConfig(join(DIR, name), { env }), name);
    }
  });
});
