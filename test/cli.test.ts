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
      '--listen: expected HOST:PORT like 0.0.0.0:10790 or [::1]:10790 with a port from 0 to 65535, got "10790"',
    );
    assert.equal(usageError(['--log-level', 'trace']), '--log-level: expected one of debug, info, warn, error, got "trace"');
    assert.equal(usageError(['-c', 'a.yml', '--config', 'b.yml']), "option '--config' given more than once");
  });

  test('USAGE names every flag', () => {
    for (const flag of ['--config FILE', '--listen HOST:PORT', '--check-config', '--log-level LEVEL', '--help', '--version']) {
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

  test('an invalid file: exit 1 and the same message loading gives', () => {
    const r = run('--check-config', '--config', 'test/fixtures/config/invalid-bad-symbol.yml');
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      'test/fixtures/config/invalid-bad-symbol.yml: feeds[0].symbols[2]: expected a symbol like BTCUSDT or BTC-USD, got "btc usdt"',
    );
  });
});
