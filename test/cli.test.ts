import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.js';
import { parseArgs, USAGE } from '../src/cli.js';
import { ExporterError } from '../src/errors.js';

function usageError(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (err) {
    assert.ok(err instanceof ExporterError, String(err));
    assert.equal(err.code, 'CLI_USAGE');
    assert.ok(err.message.endsWith(`\n\n${USAGE}`), 'the usage text follows the problem');
    return err.message.slice(0, -USAGE.length - 2);
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('parseArgs', () => {
  test('no flags: run the built-in config', () => {
    assert.deepEqual(parseArgs([]), { checkConfig: false, help: false, version: false });
  });

  test('every flag, long and short, with separate and inline values', () => {
    assert.deepEqual(parseArgs(['--config', 'c.yml', '--listen', '0.0.0.0:10790', '--check-config', '--log-level', 'debug']), {
      config: 'c.yml',
      listen: '0.0.0.0:10790',
      checkConfig: true,
      help: false,
      version: false,
      logLevel: 'debug',
    });
    assert.deepEqual(parseArgs(['-c', 'c.yml', '-l', '[::1]:0', '-h', '-V']), {
      config: 'c.yml',
      listen: '[::1]:0',
      checkConfig: false,
      help: true,
      version: true,
    });
    assert.deepEqual(parseArgs(['--config=c.yml', '--log-level=warn']), {
      config: 'c.yml',
      checkConfig: false,
      help: false,
      version: false,
      logLevel: 'warn',
    });
  });

  test('unknown flags, stray arguments and missing values are usage errors', () => {
    assert.equal(usageError(['--foo']), "unknown option '--foo'");
    assert.equal(usageError(['-x']), "unknown option '-x'");
    assert.equal(usageError(['config.yml']), "unexpected argument 'config.yml'. This command does not take positional arguments");
    assert.equal(usageError(['--config']), "option '-c, --config <value>' argument missing");
    assert.equal(usageError(['--config', '--check-config']), "option '--config' argument is ambiguous.");
    assert.equal(usageError(['--help=yes']), "option '-h, --help' does not take an argument");
  });

  test('bad values are usage errors naming the flag', () => {
    assert.equal(usageError(['--config=']), '--config: expected a file name');
    assert.equal(
      usageError(['--listen', '10790']),
      '--listen: expected HOST:PORT like 0.0.0.0:10790, [::1]:10790 or :10790 with a port from 0 to 65535, got "10790"',
    );
    assert.equal(usageError(['--log-level', 'trace']), '--log-level: expected one of debug, info, warn, error, got "trace"');
    assert.equal(usageError(['-c', 'a.yml', '--config', 'b.yml']), "option '--config' given more than once");
  });

  test('Prometheus-style names: aliases of the same settings, :PORT for every interface, and the web/log/shard flags', () => {
    assert.deepEqual(parseArgs(['--web.listen-address', ':10790', '--log.level', 'warn', '--log.format', 'json']), {
      listen: '0.0.0.0:10790',
      logLevel: 'warn',
      logFormat: 'json',
      checkConfig: false,
      help: false,
      version: false,
    });
    assert.equal(parseArgs(['--listen=:0']).listen, '0.0.0.0:0');
    assert.deepEqual(
      parseArgs(['--web.telemetry-path', '/probe/metrics', '--web.disable-exporter-metrics', '--web.max-requests', '0', '--shard.index', '2', '--shard.count', '3']),
      { telemetryPath: '/probe/metrics', disableExporterMetrics: true, maxRequests: 0, shard: { index: 2, count: 3 }, checkConfig: false, help: false, version: false },
    );
    assert.deepEqual(parseArgs(['--shard.index=1']).shard, { index: 1 });
  });

  test('an alias and its original together, or bad values for the new flags, are usage errors', () => {
    assert.equal(usageError(['--listen', ':1', '--web.listen-address', ':2']), "options '--listen' and '--web.listen-address' are the same setting; give one");
    assert.equal(usageError(['--log.level', 'debug', '--log-level', 'info']), "options '--log.level' and '--log-level' are the same setting; give one");
    assert.equal(usageError(['--log.format', 'xml']), '--log.format: expected logfmt or json, got "xml"');
    assert.equal(usageError(['--log.level', 'loud']), '--log.level: expected one of debug, info, warn, error, got "loud"');
    assert.equal(usageError(['--web.telemetry-path', '/-/x']), '--web.telemetry-path: expected a path like /metrics, not / or under /-/, got "/-/x"');
    assert.equal(usageError(['--web.telemetry-path', 'metrics']), '--web.telemetry-path: expected a path like /metrics, not / or under /-/, got "metrics"');
    assert.equal(usageError(['--web.max-requests=-1']), '--web.max-requests: expected an integer from 0 to 1000000, got "-1"');
    assert.equal(usageError(['--shard.count', '0']), '--shard.count: expected an integer from 1 to 1024, got "0"');
    assert.equal(usageError(['--web.listen-address', '10790']).startsWith('--web.listen-address: expected HOST:PORT'), true);
  });

  test('USAGE names every flag', () => {
    for (const flag of ['--config FILE', '--listen HOST:PORT', '--web.listen-address', '--web.telemetry-path PATH', '--web.disable-exporter-metrics', '--web.max-requests N', '--check-config', '--log-level LEVEL', '--log.level', '--log.format FORMAT', '--shard.index N', '--shard.count N', '--help', '--version']) {
      assert.ok(USAGE.includes(flag), flag);
    }
  });
});

describe('market-exporter --check-config (the real entry point)', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BINANCE_URL: '' } });

  test('a valid file: exit 0 and a summary', () => {
    const file = 'test/fixtures/config/valid-all-venues.yml';
    const cfg = loadConfig(join(root, file));
    const symbols = cfg.feeds.reduce((n, f) => n + f.symbols.length, 0);
    const r = run('--check-config', '--config', file);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(cfg.feeds.length >= 2);
    assert.equal(r.stdout, `config OK: ${cfg.feeds.length} feeds, ${symbols} symbols (${file})\n`);
  });

  test('--shard.index and --shard.count apply over the file (here to --check-config), and are checked together', () => {
    const file = 'test/fixtures/config/valid-all-venues.yml';
    const r = run('--check-config', '--config', file, '--shard.index', '1', '--shard.count', '3');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /; this replica \(shard 1 of 3\) carries \d+ of them\n$/);
    const bad = run('--check-config', '--config', file, '--shard.index', '3', '--shard.count', '3');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^CLI_USAGE: shard index 3 \(--shard.index\) must be below the shard count 3 \(--shard.count\)/);
  });

  test('an invalid file: exit 1 and the same message loading gives', () => {
    const r = run('--check-config', '--config', 'test/fixtures/config/invalid-bad-symbol.yml');
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      'CONFIG_INVALID: test/fixtures/config/invalid-bad-symbol.yml: feeds[0].symbols[2]: expected a symbol like BTCUSDT or BTC-USD, got "btc usdt"',
    );
  });

  test('an invalid file at start: one error line in the log format, with its code; exit 1', () => {
    const r = run('--config', 'test/fixtures/config/invalid-bad-symbol.yml');
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^ts=\S+ level=error msg="cannot load the config, exiting" code=CONFIG_INVALID error="test\/fixtures\/config\/invalid-bad-symbol\.yml: feeds\[0\]/);
  });

  test('an address that cannot be bound: LISTEN_FAILED and exit 4', async () => {
    const { createServer } = await import('node:net');
    const held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const port = (held.address() as { port: number }).port;
    try {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--listen', `127.0.0.1:${port}`], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      assert.equal(code, 4, err);
      assert.match(err, /level=error msg="cannot start, exiting" code=LISTEN_FAILED .*exit_code=4/);
    } finally {
      held.close();
    }
  });

  test('a bad flag: the code, the problem and the usage', () => {
    const r = run('--bogus');
    assert.equal(r.status, 2, 'usage errors have their own status');
    assert.match(r.stderr, /^CLI_USAGE: unknown option '--bogus'/);
    assert.match(r.stderr, /Usage: market-exporter/);
  });
});
