/**
 * What the indicators of one (symbol, interval) cost: heap bytes per slot and µs per update.
 *
 *   node --import tsx bench/indicator-footprint.ts [--sets 10000] [--bars 100] [--passes 7]
 *        [--steady-bars 10] [--breakdown] [--snapshot]
 *
 * Builds `--sets` slots of one IndicatorBank with DEFAULT_INDICATORS, each with its values array,
 * as a FeedState's symbols hold them, feeds each `--bars` bars and reports the heap (+ external)
 * growth per slot after a full GC: the state that stays alive per (symbol, interval). Then it times `--passes` passes of `--steady-bars` more bars per set and reports the
 * median µs per update, wall clock and process CPU time. --breakdown repeats the heap measure with
 * one indicator enabled at a time; --snapshot writes heap snapshots around a small build and lists
 * what each set keeps alive, by constructor (self sizes; a set's objects are all retained by the
 * set, so self sizes add up).
 * Re-runs itself with --expose-gc when started without it. JSON on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import type { IndicatorConfig } from '../src/config/types.js';
import { IndicatorBank } from '../src/indicators/bank.js';
import { NATIVE_OUTPUT_NAMES } from '../src/indicators/registry.js';
import { median, sig } from './stats.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

interface Options {
  sets: number;
  bars: number;
  passes: number;
  steadyBars: number;
  breakdown: boolean;
  snapshot: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { sets: 10_000, bars: 100, passes: 7, steadyBars: 10, breakdown: false, snapshot: false };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--sets') o.sets = num(a, argv[++i]);
    else if (a === '--bars') o.bars = num(a, argv[++i]);
    else if (a === '--passes') o.passes = num(a, argv[++i]);
    else if (a === '--steady-bars') o.steadyBars = num(a, argv[++i]);
    else if (a === '--breakdown') o.breakdown = true;
    else if (a === '--snapshot') o.snapshot = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

interface Bar {
  high: number;
  low: number;
  close: number;
}

/** A deterministic random walk, shared by every set (each starts at its own offset). */
function makeBars(count: number): Bar[] {
  let seed = 7;
  let close = 100;
  const out: Bar[] = [];
  for (let i = 0; i < count; i++) {
    seed = (seed * 48_271) % 2_147_483_647;
    close *= 1 + (seed / 2_147_483_647 - 0.5) * 0.004;
    out.push({ high: close * 1.001, low: close * 0.999, close });
  }
  return out;
}

/** heapUsed plus external memory (typed arrays' backing stores live outside the heap). */
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** One (symbol, interval): its slot and the values the renderer reads. */
interface Slot {
  bank: IndicatorBank;
  slot: number;
  values: Float64Array;
}

/** Feeds bars [from, to) to every slot; slot i reads the series from its own offset. */
function feed(sets: Slot[], bars: Bar[], from: number, to: number): void {
  const n = bars.length;
  for (let t = from; t < to; t++) {
    for (let i = 0; i < sets.length; i++) {
      const s = sets[i]!;
      const b = bars[(i * 31 + t) % n]!;
      s.bank.update(s.slot, b, s.values);
    }
  }
}

function build(cfg: IndicatorConfig, count: number, bars: Bar[], warm: number): { sets: Slot[]; usPerUpdate: number } {
  const start = process.hrtime.bigint();
  const sets: Slot[] = [];
  const bank = new IndicatorBank(cfg);
  for (let i = 0; i < count; i++) sets.push({ bank, slot: bank.alloc(), values: new Float64Array(NATIVE_OUTPUT_NAMES.length).fill(NaN) });
  feed(sets, bars, 0, warm);
  const us = Number(process.hrtime.bigint() - start) / 1e3;
  return { sets, usPerUpdate: us / (count * warm) };
}

/** Heap bytes per set once every set has seen `warm` bars. */
function bytesPerSet(cfg: IndicatorConfig, count: number, bars: Bar[], warm: number): number {
  const before = heapAfterGc();
  const { sets } = build(cfg, count, bars, warm);
  const after = heapAfterGc();
  if (sets.length !== count) throw new Error('unreachable: keeps sets alive across the measure');
  return (after - before) / count;
}

function onlyOne(name: keyof IndicatorConfig): IndicatorConfig {
  const cfg = Object.fromEntries(Object.entries(DEFAULT_INDICATORS).map(([k, v]) => [k, { ...v, enabled: k === name }]));
  return cfg as unknown as IndicatorConfig;
}

interface SnapshotJson {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type:constructor" in a heap snapshot. */
function histogram(file: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as SnapshotJson;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + ti]!]!;
    // Strings and numbers are named by their value; group those by type only.
    const name = type === 'object' || type === 'closure' ? s.strings[s.nodes[i + ni]!]! : '';
    const key = `${type}:${name}`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += s.nodes[i + si]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

/** What `count` sets add to the heap, per set, by constructor: the largest first. */
function retainedByConstructor(count: number, bars: Bar[], warm: number): { what: string; bytes: number; objects: number }[] {
  const dir = tmpdir();
  const a = join(dir, `indicator-footprint-${process.pid}-a.heapsnapshot`);
  const b = join(dir, `indicator-footprint-${process.pid}-b.heapsnapshot`);
  try {
    heapAfterGc();
    writeHeapSnapshot(a);
    const { sets } = build(DEFAULT_INDICATORS, count, bars, warm);
    heapAfterGc();
    writeHeapSnapshot(b);
    if (sets.length !== count) throw new Error('unreachable');
    const before = histogram(a);
    const rows: { what: string; bytes: number; objects: number }[] = [];
    for (const [key, v] of histogram(b)) {
      const w = before.get(key) ?? { size: 0, count: 0 };
      const bytes = (v.size - w.size) / count;
      if (bytes >= 8) rows.push({ what: key, bytes: sig(bytes), objects: sig((v.count - w.count) / count) });
    }
    return rows.sort((x, y) => y.bytes - x.bytes);
  } finally {
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  }
}

const o = parseArgs(process.argv.slice(2));
const log = (line: string) => process.stderr.write(`indicator-footprint: ${line}\n`);
const bars = makeBars(4_096);
const total = o.bars + o.passes * o.steadyBars;
if (total > bars.length) throw new Error(`--bars + --passes × --steady-bars must stay under ${bars.length}`);

log(`building ${o.sets} sets, ${o.bars} bars each`);
const before = heapAfterGc();
const built = build(DEFAULT_INDICATORS, o.sets, bars, o.bars);
const warmHeap = heapAfterGc();
const passes: number[] = [];
const cpuPasses: number[] = [];
for (let p = 0; p < o.passes; p++) {
  const from = o.bars + p * o.steadyBars;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  feed(built.sets, bars, from, from + o.steadyBars);
  const used = process.cpuUsage(cpu);
  const updates = o.sets * o.steadyBars;
  passes.push(Number(process.hrtime.bigint() - start) / 1e3 / updates);
  cpuPasses.push((used.user + used.system) / updates);
}
const steadyHeap = heapAfterGc();
const result: Record<string, unknown> = {
  node: process.version,
  sets: o.sets,
  bars: o.bars,
  bytesPerSet: Math.round((warmHeap - before) / o.sets),
  bytesPerSetAfterPasses: Math.round((steadyHeap - before) / o.sets),
  usPerUpdate: sig(median(passes)),
  usPerUpdatePasses: passes.map((v) => sig(v)),
  // Process CPU time (GC helper threads included): steadier than wall time on a busy machine.
  cpuUsPerUpdate: sig(median(cpuPasses)),
  usPerUpdateWarmup: sig(built.usPerUpdate),
};
built.sets.length = 0;

if (o.breakdown) {
  const per: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_INDICATORS) as (keyof IndicatorConfig)[]) {
    log(`breakdown: ${name} alone`);
    per[name] = Math.round(bytesPerSet(onlyOne(name), o.sets, bars, o.bars));
  }
  result.bytesPerSetByIndicator = per;
}
if (o.snapshot) {
  const n = Math.min(o.sets, 1_000);
  log(`heap snapshots around ${n} sets`);
  result.snapshotSets = n;
  result.perSetByConstructor = retainedByConstructor(n, bars, o.bars);
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
