/**
 * Child processes of the harness: the simulator CLI, the exporter child and the ceiling client,
 * each in its own process so the load generator and the code under test each get a core. Stopped
 * by their own pid only. Works from the sources (tsx) and from dist/ alike.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Reply, ReadyMessage } from './ipc.js';

/** Running from .ts sources (tests) means children need tsx too. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** Absolute path of a repo module, e.g. `src/simulator/main`, in whichever form is running. */
export function modulePath(rel: string): string {
  return fileURLToPath(new URL(`../${rel}${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url));
}

const STDERR_TAIL = 4000;

export class Proc {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readyMsg: Promise<ReadyMessage> | undefined;
  private stderrTail = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-STDERR_TAIL);
    });
    this.exited = once(child, 'exit').then(() => undefined);
    child.on('message', (m: Reply | ReadyMessage) => {
      if ('id' in m) {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (!w) return;
        if (m.ok) w.resolve(m.result);
        else w.reject(new Error(`${name}: ${m.error}`));
      }
    });
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (code ${child.exitCode}): ${this.stderr()}`));
      this.waiting.clear();
    });
  }

  /**
   * Start `node <module> ...args`; `ipc` opens a message channel (the bench children use it).
   * `stdoutFile`: with `ipc`, the child's stdout goes there rather than nowhere (V8's --trace-gc*
   * flags print to stdout).
   */
  static start(name: string, rel: string, args: readonly string[], opts: { ipc?: boolean; nodeArgs?: readonly string[]; stdoutFile?: string } = {}): Proc {
    const execArgv = [...(FROM_SOURCES ? ['--import', 'tsx'] : []), ...(opts.nodeArgs ?? [])];
    const out = opts.ipc && opts.stdoutFile !== undefined ? openSync(opts.stdoutFile, 'w') : undefined;
    try {
      const child = spawn(process.execPath, [...execArgv, modulePath(rel), ...args], {
        stdio: opts.ipc ? ['ignore', out ?? 'ignore', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
      });
      return new Proc(name, child);
    } finally {
      // The child has its own copy of the descriptor.
      if (out !== undefined) closeSync(out);
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stderr(): string {
    return this.stderrTail.trim();
  }

  /** The first stdout line matching `re`. */
  async line(re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    const lines = createInterface({ input: this.child.stdout! });
    try {
      return await this.within(
        (async () => {
          for await (const l of lines) {
            const m = re.exec(l);
            if (m) return m;
          }
          throw new Error(`${this.name} ended its output without a line matching ${re}: ${this.stderr()}`);
        })(),
        timeoutMs,
        `a line matching ${re}`,
      );
    } finally {
      lines.close();
    }
  }

  /** The child's first IPC message, `{ready: true}`. */
  ready(timeoutMs = 120_000): Promise<ReadyMessage> {
    this.readyMsg ??= this.within(
      new Promise<ReadyMessage>((resolve) => {
        const on = (m: Reply | ReadyMessage) => {
          if ('ready' in m) {
            this.child.off('message', on);
            resolve(m);
          }
        };
        this.child.on('message', on);
      }),
      timeoutMs,
      'ready',
    );
    return this.readyMsg;
  }

  /** One IPC request; resolves with the child's result. */
  request<T>(cmd: string, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    const p = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.child.send({ id, cmd });
    return this.within(p as Promise<T>, timeoutMs, `an answer to ${cmd}`);
  }

  /** Ask politely (IPC `stop`, else SIGTERM), then SIGKILL this pid if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) await this.request('stop', 10_000).catch(() => undefined);
    else this.child.kill('SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  private async within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: no ${what} within ${ms} ms: ${this.stderr()}`)), ms);
    });
    const died = this.exited.then(() => {
      throw new Error(`${this.name} exited (code ${this.child.exitCode}) before ${what}: ${this.stderr()}`);
    });
    try {
      return await Promise.race([p, timeout, died]);
    } finally {
      clearTimeout(timer);
    }
  }
}
