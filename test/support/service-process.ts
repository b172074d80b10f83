/**
 * Start a real server binary as a child process, wait until it answers, stop it by its PID.
 * Shared by the Prometheus and Alertmanager harnesses (and reusable for any other binary).
 * Children that a failing test leaves behind are killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop(): Promise<void>;
}

export interface SpawnServiceOptions {
  name: string;
  command: string;
  /** Arguments for a given port (called again with a new port if the first one was taken). */
  args: (port: number) => string[];
  /** Path polled until it answers 200, e.g. /-/ready. */
  readyPath: string;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port that was free a moment ago on 127.0.0.1 (binaries that can't report port 0 need one). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', resolve);
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port from the OS');
  return addr.port;
}

/** Poll an async condition until it yields a value (not undefined/false/null) or the deadline passes. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  what: string,
  { timeoutMs = 10_000, everyMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function launch(opts: SpawnServiceOptions, port: number) {
  const child = spawn(opts.command, opts.args(port), {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.once('error', (e) => {
      out += `\nspawn error: ${e.message}`;
      running.delete(child);
      resolve(null);
    });
  });
  return { child, exited, output: () => out };
}

/**
 * Spawn the binary on a free 127.0.0.1 port and wait until `readyPath` answers 200. Retries
 * once on a new port if the process exits early (another process took the port meanwhile).
 */
export async function spawnService(opts: SpawnServiceOptions): Promise<ServiceProcess> {
  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  let lastOutput = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const p = launch(opts, port);
    let exitCode: number | null | undefined;
    void p.exited.then((c) => (exitCode = c ?? -1));
    const deadline = Date.now() + timeoutMs;
    while (exitCode === undefined && Date.now() < deadline && !(await isReady(url + opts.readyPath))) {
      await sleep(100);
    }
    if (exitCode === undefined && (await isReady(url + opts.readyPath))) {
      const stop = async () => {
        if (exitCode !== undefined) return;
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await p.exited;
        clearTimeout(timer);
      };
      return { name: opts.name, pid: p.child.pid ?? -1, port, url, output: p.output, stop };
    }
    if (exitCode === undefined) {
      p.child.kill('SIGKILL');
      await p.exited;
      throw new Error(`${opts.name} did not become ready at ${url + opts.readyPath} within ${timeoutMs}ms:\n${p.output()}`);
    }
    lastOutput = p.output();
  }
  throw new Error(`${opts.name} exited before it was ready:\n${lastOutput}`);
}

/** The exporter itself (src/main.ts through tsx) with `configFile`, on a free 127.0.0.1 port, once ready. */
export function spawnExporter(configFile: string, cwd: string): Promise<ServiceProcess> {
  return spawnService({
    name: 'market-exporter',
    command: process.execPath,
    args: (port) => ['--import', 'tsx', 'src/main.ts', '--config', configFile, '--listen', `127.0.0.1:${port}`],
    cwd,
    readyPath: '/-/ready',
  });
}
