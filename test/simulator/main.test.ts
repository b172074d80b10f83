import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { binance } from '../../src/feeds/binance.js';
import type { TradeEvent } from '../../src/feeds/types.js';
import { parseSimulatorArgs } from '../../src/simulator/cli.js';
import { DEFAULT_SIMULATOR } from '../../src/simulator/defaults.js';
import { waitFor } from '../support/wait-for.js';

const MAIN = fileURLToPath(new URL('../../src/simulator/main.ts', import.meta.url));

describe('simulator CLI arguments', () => {
  test('defaults: loopback, free port, DEFAULT_SIMULATOR', () => {
    const { options, level, help } = parseSimulatorArgs([]);
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.port, 0);
    assert.deepEqual(options.symbols, DEFAULT_SIMULATOR.symbols);
    assert.equal(options.ratePerSymbol, DEFAULT_SIMULATOR.ratePerSymbol);
    assert.equal(options.seed, DEFAULT_SIMULATOR.seed);
    assert.equal(level, 'info');
    assert.equal(help, false);
  });

  test('every flag', () => {
    const { options, level } = parseSimulatorArgs(
      '--host 127.0.0.2 --port 4567 --symbols BTCUSDT,ETHUSDT --rate 10 --seed 1 --start-price 50 --volatility 0.01 --first-trade-id 7 --ping-interval 1000 --log-level debug'.split(' '),
    );
    assert.deepEqual(options, {
      host: '127.0.0.2',
      port: 4567,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      ratePerSymbol: 10,
      seed: 1,
      startPrice: 50,
      volatility: 0.01,
      firstTradeId: 7,
      pingIntervalMs: 1000,
    });
    assert.equal(level, 'debug');
  });

  test('bad values are CLI_USAGE errors naming the flag', () => {
    for (const [args, flag] of [
      [['--rate', 'fast'], /--rate/],
      [['--rate', '-1'], /--rate/],
      [['--port', '70000'], /--port/],
      [['--port', '1.5'], /--port/],
      [['--symbols', ','], /--symbols/],
      [['--log-level', 'loud'], /--log-level/],
      [['--nope'], /nope/],
    ] as const) {
      assert.throws(() => parseSimulatorArgs([...args]), (e: Error & { code?: string }) => e.code === 'CLI_USAGE' && flag.test(e.message), args.join(' '));
    }
  });
});

describe('simulator as a process', () => {
  test('prints its URL first, serves trades, stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--symbols', 'BTCUSDT,ETHUSDT', '--rate', '50', '--seed', '1', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const m = /^listening (ws:\/\/127\.0\.0\.1:\d+)$/.exec(first);
      assert.ok(m, `first line: ${first}`);

      const ws = new WebSocket(`${m[1]}/stream`);
      const trades: TradeEvent[] = [];
      let closeCode: number | undefined;
      ws.on('message', (d: Buffer) => trades.push(...binance.parse(d.toString()).filter((e): e is TradeEvent => e.kind === 'trade')));
      ws.on('close', (code) => (closeCode = code));
      await once(ws, 'open');
      ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['ethusdt@trade'], id: 1 }));
      await waitFor(() => trades.length >= 5, 'trades from the process');
      assert.ok(trades.every((t) => t.symbol === 'ETHUSDT'));

      child.kill('SIGTERM');
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      assert.equal(signal, null, `exited on its own, stderr: ${stderr}`);
      assert.equal(code, 0, stderr);
      await waitFor(() => closeCode, 'the client to see the close');
      assert.equal(closeCode, 1001);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('bad arguments: usage on stderr, exit code 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--rate', 'lots'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--rate must be a number/);
    assert.match(r.stderr, /usage: simulator/);
  });
});
