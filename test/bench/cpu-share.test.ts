import { test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { cpuShare, describeCpu, machineTicks, processTicks, runDelayNs, sampleCpu, statTicks, threadKind, type CpuSample } from '../../bench/cpu-share.js';

test('CPU ticks are read after the command name, whatever it holds', () => {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const line = '4242 (node (a) b) R 1 2 3 4 5 6 7 8 9 10 250 30 0 0 20 0 11 0 99 1000 200\n';
  assert.equal(statTicks(line), 280);
  assert.throws(() => statTicks('no parenthesis here'), /not a \/proc stat line/);
  assert.throws(() => statTicks('1 (x) R 1'), /no CPU times/);
});

test('the time a thread waited for a core is the second field of its schedstat', () => {
  assert.equal(runDelayNs('980873655 349174223 782\n'), 349174223);
  assert.throws(() => runDelayNs('12\n'), /schedstat/);
});

test("the machine's busy ticks leave out idle and iowait", () => {
  const t = machineTicks('cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n');
  assert.deepEqual(t, { busy: 160, total: 1000 });
  assert.throws(() => machineTicks('intr 1 2 3\n'), /cpu line/);
});

test('threads are told apart by the names Node and V8 give them', () => {
  assert.equal(threadKind('node', true), 'main');
  assert.equal(threadKind('V8Worker', false), 'v8'); // Node 24
  assert.equal(threadKind('node-V8Worker', false), 'v8'); // Node 26
  assert.equal(threadKind('node', false), 'v8'); // Node 22: unnamed, the process's name
  assert.equal(threadKind('node-MainThread', true), 'main');
  assert.equal(threadKind('libuv-worker', false), 'libuv');
  assert.equal(threadKind('SignalInspector', false), 'other');
});

test('a share is per cent of one core over the span; the machine is out of its cores', () => {
  const a: CpuSample = { atMs: 0, processes: { exporter: { main: 0, v8: 0, libuv: 0, other: 0, mainWaitNs: 0 } }, machine: { busy: 0, total: 0 } };
  const b: CpuSample = { atMs: 2000, processes: { exporter: { main: 100, v8: 20, libuv: 40, other: 2, mainWaitNs: 0.5e9 } }, machine: { busy: 300, total: 400 } };
  const c = cpuShare([[a, b]], 2);
  assert.deepEqual(c.processes.exporter, { main: 50, v8: 10, libuv: 20, other: 1, all: 81, mainWaiting: 25 });
  assert.equal(c.machineBusy, 150);
  assert.equal(c.spanS, 2);
  assert.match(describeCpu(c), /^CPU over 2\.00 s, % of one core: exporter 81% \(main thread 50, waiting for a core 25; V8 workers 10, libuv pool 20, other 1\); machine busy 150% of 200%$/);
  // Two stretches together: their ticks over their summed time, not an average of their shares.
  const c2: CpuSample = { atMs: 10_000, processes: { exporter: { main: 100, v8: 20, libuv: 40, other: 2, mainWaitNs: 0 } }, machine: { busy: 300, total: 400 } };
  const d: CpuSample = { atMs: 12_000, processes: { exporter: { main: 300, v8: 20, libuv: 40, other: 2, mainWaitNs: 1.5e9 } }, machine: { busy: 700, total: 800 } };
  const both = cpuShare([[a, b], [c2, d]], 2);
  assert.equal(both.spanS, 4);
  assert.equal(both.processes.exporter!.main, 75);
  assert.equal(both.processes.exporter!.all, 90.5);
  assert.equal(both.processes.exporter!.mainWaiting, 50);
  assert.equal(both.machineBusy, 175);
});

test("this process's main thread and libuv pool are counted where their work ran", async () => {
  const before = processTicks(process.pid);
  // Work on the main thread until the process has used 300 ms of CPU, however long that takes.
  const u0 = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
    const u = process.cpuUsage(u0);
    if (u.user + u.system >= 300_000) break;
  }
  const mid = processTicks(process.pid);
  assert.ok(x > 0);
  assert.ok(mid.main - before.main >= 20, `main thread ${mid.main - before.main} ticks for 300 ms of work`);
  // zlib's async calls run on the libuv pool: 16 MiB of random bytes is well over 100 ms of deflate.
  await promisify(deflate)(randomBytes(16 << 20), { level: 6 });
  const after = processTicks(process.pid);
  assert.ok(after.libuv - mid.libuv >= 5, `libuv pool ${after.libuv - mid.libuv} ticks for a 16 MiB deflate`);
  assert.ok(after.main - mid.main < after.libuv - mid.libuv, `the deflate was counted on the main thread: ${JSON.stringify({ mid, after })}`);
});

test('a sample of named processes and the machine', () => {
  const s = sampleCpu({ self: process.pid });
  assert.ok(s.processes.self!.main > 0);
  assert.ok(Number.isFinite(s.processes.self!.mainWaitNs) && s.processes.self!.mainWaitNs >= 0);
  assert.ok(s.machine.total > s.machine.busy && s.machine.busy > 0);
});
