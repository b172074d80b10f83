import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig, deepFreeze, loadConfig, parseConfig, type LoadOptions } from '../../src/config/load.js';
import { DEFAULT_CONNECTION } from '../../src/config/defaults.js';
import { ExporterError, type ErrorCode } from '../../src/errors.js';

const VENUES: LoadOptions = {
  venues: ['binance'],
  channelsOf: (v) => (v === 'binance' ? ['trade', 'bookTicker'] : undefined),
  streamsLimitOf: () => undefined,
};

function failure(fn: () => unknown): ExporterError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ExporterError, `not an ExporterError: ${String(err)}`);
    return err;
  }
  assert.fail('expected it to throw');
}

function failsWith(code: ErrorCode, fn: () => unknown): string {
  const err = failure(fn);
  assert.equal(err.code, code, err.message);
  return err.message;
}

describe('environment substitution', () => {
  test('values from env become YAML scalars: strings, numbers, booleans', () => {
    const text = [
      'listen: ${LISTEN}',
      'enableReloadEndpoint: ${RELOAD:-true}',
      'limits: {queueCapacity: ${QUEUE}}',
      'feeds:',
      '  - venue: binance',
      '    symbols: [${SYMBOL}, ETHUSDT]',
      '    url: ${URL:-wss://stream.binance.com:9443}',
    ].join('\n');
    const c = parseConfig(text, 'c.yml', { ...VENUES, env: { LISTEN: '0.0.0.0:9999', RELOAD: 'false', QUEUE: '42', SYMBOL: 'SOLUSDT' } });
    assert.equal(c.listen, '0.0.0.0:9999');
    assert.equal(c.enableReloadEndpoint, false);
    assert.equal(c.limits.queueCapacity, 42);
    assert.deepEqual(c.feeds[0]!.symbols, ['SOLUSDT', 'ETHUSDT']);
    assert.equal(c.feeds[0]!.url, 'wss://stream.binance.com:9443');
  });

  test('process.env is used when no env is given', () => {
    const name = `MARKET_EXPORTER_TEST_${process.pid}`;
    process.env[name] = 'ADAUSDT';
    try {
      const c = parseConfig(`feeds: [{venue: binance, symbols: [\${${name}}]}]`, 'c.yml', VENUES);
      assert.deepEqual(c.feeds[0]!.symbols, ['ADAUSDT']);
    } finally {
      delete process.env[name];
    }
  });

  test('every unset variable is listed, one per line, before any YAML is read', () => {
    const msg = failsWith('CONFIG_ENV', () => parseConfig('listen: ${A}\n  bad: [yaml\nurl: ${B}\n', 'c.yml', { ...VENUES, env: {} }));
    assert.equal(
      msg,
      'c.yml:1: environment variable A is not set; set it or write ${A:-default}\n' +
        'c.yml:3: environment variable B is not set; set it or write ${B:-default}',
    );
  });

  test('substituted values are never echoed: bad values name the variable instead', () => {
    const env = { Q: '-77123', PW: 'pa55word-xyz', LISTEN: 'secret-host:99999' };
    const text = 'listen: ${LISTEN}\nlimits: {queueCapacity: ${Q}}\nfeeds: [{venue: binance, symbols: [BTCUSDT], options: {pw: ${PW}}}]\n';
    const msg = failsWith('CONFIG_INVALID', () => parseConfig(text, 'c.yml', { ...VENUES, env }));
    for (const secret of Object.values(env)) assert.ok(!msg.includes(secret), `leaks ${secret}: ${msg}`);
    assert.match(msg, /^c\.yml: limits\.queueCapacity: expected an integer >= 1, got \$\{Q\}$/m);
    assert.match(msg, /^c\.yml: listen: expected host:port .*, got "\$\{LISTEN\}"$/m);
  });

  test('YAML errors do not echo substituted values either', () => {
    const msg = failsWith('CONFIG_YAML', () => parseConfig('password: *${PW}\n', 'c.yml', { ...VENUES, env: { PW: 'tops3cret' } }));
    assert.equal(msg, 'c.yml:1:12: unidentified alias "${PW}"');
  });

  test('YAML error columns count in the file as written, not in the substituted text', () => {
    const text = 'a: 1\nb: [${LONG}, ${SHORT}] ]\n';
    const env = { LONG: 'a-much-longer-value-than-its-reference', SHORT: '' };
    const msg = failsWith('CONFIG_YAML', () => parseConfig(text, 'c.yml', { ...VENUES, env }));
    // The stray "]" is column 24 of line 2 as written (0-based 23).
    assert.match(msg, /^c\.yml:2:24: /);
  });
});

describe('validation', () => {
  test('all problems are collected into one CONFIG_INVALID, one per line', () => {
    const text = [
      'logLevel: loud',
      'feeds:',
      '  - venue: binance',
      '    symbols: [BTCUSDT, "btc usdt"]',
      '    channels: [trades]',
      '  - venue: nowhere',
      '    symbols: [X]',
      'intervals: [0s]',
    ].join('\n');
    const lines = failsWith('CONFIG_INVALID', () => parseConfig(text, 'c.yml', { ...VENUES, env: {} })).split('\n');
    assert.deepEqual(lines, [
      'c.yml: feeds[0].symbols[1]: expected a symbol like BTCUSDT or BTC-USD, got "btc usdt"',
      "c.yml: feeds[0].channels[0]: expected a binance channel: one of trade, bookTicker, got \"trades\"; did you mean 'trade'?",
      'c.yml: feeds[1].venue: expected one of binance, got "nowhere"',
      'c.yml: intervals[0]: expected a duration of at least 1s, got "0s"',
      'c.yml: logLevel: expected one of debug, info, warn, error, got "loud"',
    ]);
  });

  test('an empty section means all defaults', () => {
    const c = parseConfig('connection:\nlimits:\nfeeds:\n  - venue: binance\n    symbols: [BTCUSDT]\n    options:\n', 'c.yml', { ...VENUES, env: {} });
    assert.deepEqual(c.feeds[0]!.connection, DEFAULT_CONNECTION);
    assert.deepEqual(c.feeds[0]!.options, {});
  });

  test('durations take numbers of milliseconds; intervals get canonical labels', () => {
    const c = parseConfig('barCloseGrace: 2500\nintervals: [90s, 3600000, 1d]\nconnection: {pingInterval: 0}\nfeeds: [{venue: binance, symbols: [BTCUSDT]}]\n', 'c.yml', { ...VENUES, env: {} });
    assert.equal(c.barCloseGraceMs, 2_500);
    assert.equal(c.feeds[0]!.connection.pingIntervalMs, 0);
    assert.deepEqual(c.intervals, [
      { label: '1m30s', ms: 90_000 },
      { label: '1h', ms: 3_600_000 },
      { label: '1d', ms: 86_400_000 },
    ]);
  });

  test('YAML merge keys can share settings between feeds', () => {
    const text = [
      'x-conn: &fast {connectTimeout: 1s}',
      'feeds: [{venue: binance, symbols: [BTCUSDT], connection: {<<: *fast, silenceTimeout: 5s}}]',
    ].join('\n');
    // x-conn is not a config key: the merge works, the stray anchor holder is still reported.
    const msg = failsWith('CONFIG_INVALID', () => parseConfig(text, 'c.yml', { ...VENUES, env: {} }));
    assert.equal(msg, 'c.yml: x-conn: unknown key; expected one of listen, logLevel, enableReloadEndpoint, connection, feeds, intervals, windows, barCloseGrace, indicators, extraIndicators, limits, shard, basis, assetAliases');
    const c = parseConfig('connection: &c {connectTimeout: 1s}\nfeeds: [{venue: binance, symbols: [BTCUSDT], connection: {<<: *c, silenceTimeout: 5s}}]', 'c.yml', { ...VENUES, env: {} });
    assert.equal(c.feeds[0]!.connection.connectTimeoutMs, 1_000);
    assert.equal(c.feeds[0]!.connection.silenceTimeoutMs, 5_000);
  });

  test('the same symbol may appear in two feeds of one venue with distinct names', () => {
    const c = parseConfig('feeds: [{venue: binance, symbols: [BTCUSDT]}, {name: binance-us, venue: binance, symbols: [BTCUSDT], url: "wss://stream.binance.us:9443"}]', 'c.yml', { ...VENUES, env: {} });
    assert.deepEqual(c.feeds.map((f) => f.name), ['binance', 'binance-us']);
  });
});

describe('files written for the removed simulator venue and section', () => {
  const opts = { ...VENUES, env: {} };

  test('venue: simulator is refused with what to write instead, and no second problem for its missing symbols', () => {
    const e = failure(() => parseConfig('feeds: [{venue: simulator}]', 'c.yml', opts));
    assert.equal(e.code, 'CONFIG_INVALID');
    assert.equal(e.message.split('\n').length, 1, e.message);
    assert.match(e.message, /^c\.yml: feeds\[0\]\.venue: removed: .*venue: binance, url: .*name: simulator/);
  });

  test('the simulator section is refused with what to run instead', () => {
    const e = failure(() => parseConfig('simulator: {symbols: [AAA]}\nfeeds: [{venue: binance, symbols: [BTCUSDT]}]', 'c.yml', opts));
    assert.match(e.message, /^c\.yml: simulator: removed: .*npm run simulator/);
  });

  test('what the message says to write loads', () => {
    const c = parseConfig('feeds: [{name: simulator, venue: binance, url: "ws://127.0.0.1:4567", symbols: [BTCUSDT]}]', 'c.yml', opts);
    assert.deepEqual(
      { name: c.feeds[0]!.name, venue: c.feeds[0]!.venue, url: c.feeds[0]!.url },
      { name: 'simulator', venue: 'binance', url: 'ws://127.0.0.1:4567' },
    );
  });
});

describe('results', () => {
  test('the config is deep-frozen', () => {
    const c = parseConfig('feeds: [{venue: binance, symbols: [BTCUSDT], options: {a: {b: [1]}}}]', 'c.yml', { ...VENUES, env: {} });
    const f = c.feeds[0]!;
    for (const o of [c, c.feeds, f, f.symbols, f.connection, f.connection.backoff, f.options, f.options.a, c.intervals, c.intervals[0], c.indicators.macd, c.limits]) {
      assert.ok(Object.isFrozen(o), JSON.stringify(o));
    }
    assert.throws(() => {
      (f.symbols as string[]).push('ETHUSDT');
    }, TypeError);
    assert.throws(() => {
      (c as { listen: string }).listen = 'x';
    }, TypeError);
  });

  test('freezing a config leaves the shared defaults mutable and unchanged', () => {
    buildConfig({ feeds: [{ venue: 'binance', symbols: ['BTCUSDT'] }] });
    parseConfig('feeds: [{venue: binance, symbols: [BTCUSDT]}]', 'c.yml', { ...VENUES, env: {} });
    assert.ok(!Object.isFrozen(DEFAULT_CONNECTION));
    assert.ok(!Object.isFrozen(DEFAULT_CONNECTION.backoff));
  });

  test('deepFreeze handles shared references and cycles', () => {
    const shared = { x: 1 };
    const o: Record<string, unknown> = { a: shared, b: shared };
    o.self = o;
    deepFreeze(o);
    assert.ok(Object.isFrozen(shared));
  });

  test('buildConfig(): a document built in code, validated against the live venues, frozen', () => {
    const c = buildConfig({ feeds: [{ venue: 'okx', symbols: ['BTC-USDT'] }] });
    assert.equal(c.source, undefined);
    assert.equal(c.feeds[0]!.name, 'okx');
    assert.ok(Object.isFrozen(c.feeds[0]!.symbols));
    const e = failure(() => buildConfig({ feeds: [{ venue: 'okx', symbols: ['btcusdt'] }] }));
    assert.match(e.message, /^<built-in>: feeds\[0\]\.symbols\[0\]: "btcusdt" is not how okx spells a symbol/);
  });
});

describe('loadConfig', () => {
  test('reads a file and records it as the source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'market-exporter-config-'));
    try {
      const path = join(dir, 'c.yml');
      writeFileSync(path, 'feeds: [{venue: binance, symbols: [BTCUSDT]}]\n');
      assert.equal(loadConfig(path, { ...VENUES, env: {} }).source, path);
      assert.equal(failsWith('CONFIG_READ', () => loadConfig(join(dir, 'missing.yml'), VENUES)), `${join(dir, 'missing.yml')}: cannot read the config file: no such file`);
      assert.equal(failsWith('CONFIG_READ', () => loadConfig(dir, VENUES)), `${dir}: cannot read the config file: it is a directory`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
