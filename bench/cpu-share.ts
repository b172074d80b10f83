/**
 * Where the machine's CPU went over a stretch of a bench run: each process's threads by kind (the
 * main thread, V8's workers, libuv's thread pool) from /proc/<pid>/task/<tid>/stat, and the whole
 * machine's busy and idle time from /proc/stat, and how long each main thread was ready to run
 * with no core free (its run delay, /proc/<pid>/task/<pid>/schedstat). The bench's exporter shares
 * two cores with the load generator and the harness that scrapes it: the run delay tells a frame
 * held up by the exporter's own work from one held up by a core the others had. Linux only, as
 * the bench is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Ticks of /proc's CPU times per second (USER_HZ: 100 on every Linux the bench runs on). */
const TICKS_PER_S = 100;

/** What a thread is, by the name Node and V8 give it (/proc/.../comm). */
export type ThreadKind = 'main' | 'v8' | 'libuv' | 'other';
const THREAD_KINDS: readonly ThreadKind[] = ['main', 'v8', 'libuv', 'other'];

/**
 * V8's platform workers (marking, sweeping, compiling) are `V8Worker` in Node 24 and
 * `node-V8Worker` in Node 26; Node 22 leaves them unnamed, so they carry the process's name,
 * `node`, as no other thread of the exporter does. libuv's pool is `libuv-worker` in all three.
 */
export function threadKind(comm: string, isMain: boolean): ThreadKind {
  if (isMain) return 'main';
  if (comm.includes('V8Worker') || comm === 'node') return 'v8';
  if (comm.startsWith('libuv')) return 'libuv';
  return 'other';
}

/**
 * User plus system ticks of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat line. Fields are
 * counted from the last `)`: the command name before it may hold spaces and parentheses.
 */
export function statTicks(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  // After ") ": state (field 3), ..., utime (14), stime (15).
  const f = stat.slice(close + 2).split(' ');
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no CPU times in a /proc stat line: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** Busy and total ticks of /proc/stat's first (`cpu`) line: idle and iowait count as not busy. */
export function machineTicks(procStat: string): { busy: number; total: number } {
  const line = procStat.slice(0, procStat.indexOf('\n'));
  const f = line.trim().split(/\s+/);
  if (f[0] !== 'cpu') throw new Error(`/proc/stat does not start with the cpu line: ${line.slice(0, 80)}`);
  // user nice system idle iowait irq softirq steal (guest times are inside user and nice).
  const t = f.slice(1, 9).map(Number);
  const total = t.reduce((a, b) => a + b, 0);
  return { busy: total - t[3]! - t[4]!, total };
}

/** Nanoseconds a thread has spent runnable but waiting for a core: the second field of /proc/.../schedstat. */
export function runDelayNs(schedstat: string): number {
  const ns = Number(schedstat.trim().split(/\s+/)[1]);
  if (!Number.isFinite(ns)) throw new Error(`not a /proc schedstat line: ${schedstat.slice(0, 80)}`);
  return ns;
}

/**
 * A process's ticks so far by thread kind (threads that have exited since are not counted), and
 * how long its main thread has waited for a core, in ns.
 */
export type ProcessTicks = Record<ThreadKind, number> & { mainWaitNs: number };

export function processTicks(pid: number): ProcessTicks {
  const out: ProcessTicks = { main: 0, v8: 0, libuv: 0, other: 0, mainWaitNs: runDelayNs(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')) };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    let comm: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // Exited between the listing and the read.
    }
    out[threadKind(comm, Number(tid) === pid)] += statTicks(stat);
  }
  return out;
}

export interface CpuSample {
  readonly atMs: number;
  readonly processes: Readonly<Record<string, ProcessTicks>>;
  readonly machine: { busy: number; total: number };
}

/** The ticks of the named processes and of the machine, now. */
export function sampleCpu(pids: Readonly<Record<string, number>>): CpuSample {
  const processes: Record<string, ProcessTicks> = {};
  for (const [name, pid] of Object.entries(pids)) processes[name] = processTicks(pid);
  return { atMs: performance.now(), processes, machine: machineTicks(readFileSync('/proc/stat', 'utf8')) };
}

/**
 * CPU over stretches of time taken together (from one sample to the next: a whole span, or each
 * scrape of a series), in percent of one core: each process's threads by kind, and the machine's
 * busy time out of `cores` × 100.
 */
export interface CpuShare {
  spanS: number;
  cores: number;
  /** Per process: per cent of one core by thread kind, `all` of them, and `mainWaiting`: per cent of the time its main thread waited for a core. */
  processes: Record<string, Record<ThreadKind | 'all' | 'mainWaiting', number>>;
  machineBusy: number;
}

export function cpuShare(spans: readonly (readonly [CpuSample, CpuSample])[], cores = availableParallelism()): CpuShare {
  let ms = 0;
  let machineBusy = 0;
  let machineTotal = 0;
  const ticks: Record<string, ProcessTicks> = {};
  for (const [a, b] of spans) {
    ms += b.atMs - a.atMs;
    machineBusy += b.machine.busy - a.machine.busy;
    machineTotal += b.machine.total - a.machine.total;
    for (const [name, end] of Object.entries(b.processes)) {
      const start = a.processes[name];
      if (!start) continue;
      const t = (ticks[name] ??= { main: 0, v8: 0, libuv: 0, other: 0, mainWaitNs: 0 });
      for (const k of THREAD_KINDS) t[k] += end[k] - start[k];
      t.mainWaitNs += end.mainWaitNs - start.mainWaitNs;
    }
  }
  // Per cent of one core over the stretches: `perS` of a count is a second of it.
  const pct = (n: number, perS: number) => Math.round((n / perS / (ms / 1000)) * 1000) / 10;
  const cpu = (n: number) => pct(n, TICKS_PER_S);
  const processes: CpuShare['processes'] = {};
  for (const [name, t] of Object.entries(ticks))
    processes[name] = { main: cpu(t.main), v8: cpu(t.v8), libuv: cpu(t.libuv), other: cpu(t.other), all: cpu(t.main + t.v8 + t.libuv + t.other), mainWaiting: pct(t.mainWaitNs, 1e9) };
  // The machine's share from its own total, not the wall clock: /proc/stat's ticks are per core.
  const busy = machineTotal > 0 ? Math.round((machineBusy / machineTotal) * cores * 1000) / 10 : NaN;
  return { spanS: ms / 1000, cores, processes, machineBusy: busy };
}

/** `exporter 95% (main thread 62, waiting for a core 8; V8 workers 20, ...); load 40% (...); machine busy 190% of 200%`. */
export function describeCpu(c: CpuShare): string {
  const parts = Object.entries(c.processes).map(
    ([name, p]) => `${name} ${p.all}% (main thread ${p.main}, waiting for a core ${p.mainWaiting}; V8 workers ${p.v8}, libuv pool ${p.libuv}, other ${p.other})`,
  );
  return `CPU over ${c.spanS.toFixed(c.spanS < 10 ? 2 : 1)} s, % of one core: ${parts.join('; ')}; machine busy ${c.machineBusy}% of ${c.cores * 100}%`;
}
