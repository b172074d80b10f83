/**
 * The real entry point as a process: signals at every stage of its life, sent to its own PID.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './support/service-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line matching `re` (fails if the process exits first). */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
}

const running = new Set<ChildProcess>();
afterAll(() => {
  for (const c of running) c.kill('SIGKILL');
});

function run(...args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  const lines: string[] = [];
  let rest = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const line = (re: RegExp, timeoutMs = 30_000) =>
    pollUntil(
      () => {
        const l = lines.find((x) => re.test(x));
        if (l) return l;
        if (done) throw new Error(`exited before a line matching ${re}:\n${lines.join('\n')}`);
        return undefined;
      },
      `a log line matching ${re}`,
      { timeoutMs, everyMs: 5 },
    );
  return { child, lines, exited, line };
}

describe('signals during startup', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'me-main-'));
    file = join(dir, 'big.yml');
    // Enough symbols that starting takes a while; an endpoint that refuses, so nothing leaves the host.
    const symbols = Array.from({ length: 10_000 }, (_, i) => `S${String(i).padStart(5, '0')}USDT`);
    writeFileSync(file, `listen: 127.0.0.1:0\nfeeds:\n  - name: big\n    venue: binance\n    url: ws://127.0.0.1:1\n    symbols: [${symbols.join(', ')}]\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('SIGTERM as soon as it starts: a shutdown line, a stopped line, exit 0', async () => {
    const r = run('--config', file);
    await r.line(/msg="starting market-exporter" version=\S+/);
    // Mid-startup: the feed's state is built, the HTTP server is not listening yet.
    await r.line(/msg="feed started"/);
    r.child.kill('SIGTERM');
    const { code, signal } = await r.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, r.lines.join('\n'));
    assert.ok(r.lines.some((l) => /level=info msg="shutting down" signal=SIGTERM/.test(l)), r.lines.join('\n'));
    assert.match(r.lines.at(-1)!, /msg=stopped signal=SIGTERM/);
  });

  test('SIGHUP as soon as it starts does not kill it: it comes up, then SIGTERM stops it', async () => {
    const r = run('--config', file);
    await r.line(/msg="feed started"/);
    r.child.kill('SIGHUP');
    await r.line(/msg=listening /);
    // A long startup says what it is doing.
    for (const step of ['starting feeds: building symbol state', 'preparing the /metrics lines of every symbol'])
      assert.ok(r.lines.some((l) => l.includes(`msg="${step}" symbols=10000`)), step);
    // Handled during startup (deferred) or just after (a reload): either way it is logged.
    await r.line(/msg="SIGHUP during startup|msg="config reload requested" trigger=SIGHUP/);
    await r.line(/msg="config reloaded" trigger=SIGHUP/);
    assert.equal(r.child.exitCode, null, 'still running');
    r.child.kill('SIGTERM');
    assert.deepEqual(await r.exited, { code: 0, signal: null }, r.lines.join('\n'));
  });
});

test('SIGHUP without --config: the refused reload is logged with its code, and the process keeps serving', async () => {
  const r = run('--listen', '127.0.0.1:0');
  const url = (await r.line(/msg=listening /)).match(/url=(http:\/\/\S+)\/metrics/)![1]!;
  await r.line(/level=info msg="ready: every feed has connected" feeds=1 seconds=/);
  r.child.kill('SIGHUP');
  const failed = await r.line(/msg="config reload failed/);
  assert.match(failed, /level=error .*trigger=SIGHUP code=RELOAD_NO_CONFIG error="no config file to reload/);
  assert.equal((await fetch(`${url}/-/healthy`)).status, 200);
  r.child.kill('SIGTERM');
  assert.deepEqual(await r.exited, { code: 0, signal: null }, r.lines.join('\n'));
});
