/**
 * Run by set.test.ts, bank.test.ts and extra.test.ts in its own process (node --expose-gc
 * --import tsx), so a full GC can be forced and the test runner's own heap stays out of it.
 *   mode "footprint": 1,000 slots of one IndicatorBank with the default config, each with its
 *     values array as SymbolState keeps it, fed 60 bars (all past warm-up): heap + external
 *     bytes per slot.
 *   mode "growth": one slot fed 1,000,000 bars: heapUsed after a full GC at 100,000 and at
 *     1,000,000 bars.
 *   mode "alloc": 100 warm slots fed 50,000 more bars each: the collections that ran meanwhile
 *     (16 bytes per update would be 80 MB of garbage, several scavenges).
 *   mode "extra": per extra indicator, 300 instances with default parameters fed `bars` (argv[3])
 *     bars: heap bytes per instance.
 * Output is one JSON line.
 */
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { IndicatorBank } from '../../src/indicators/bank.js';
import { EXTRA_INDICATORS, createExtra } from '../../src/indicators/extra.js';
import { NATIVE_OUTPUT_NAMES } from '../../src/indicators/registry.js';

const mode = process.argv[2] ?? 'footprint';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function memoryAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

if (mode === 'footprint') {
  const count = 1_000;
  const before = memoryAfterGc();
  const bank = new IndicatorBank(DEFAULT_INDICATORS);
  const slots = Array.from({ length: count }, () => ({ slot: bank.alloc(), values: new Float64Array(NATIVE_OUTPUT_NAMES.length).fill(NaN) }));
  for (let t = 0; t < 60; t++) {
    for (let i = 0; i < count; i++) {
      const close = 100 + ((i * 7 + t * 13) % 29) / 10;
      bank.update(slots[i]!.slot, { high: close + 0.05, low: close - 0.05, close }, slots[i]!.values);
    }
  }
  const after = memoryAfterGc();
  if (slots.some((s) => Number.isNaN(s.values[0]))) throw new Error('not warm');
  process.stdout.write(JSON.stringify({ mode, slots: bank.size, bytesPerSlot: (after - before) / count }) + '\n');
} else if (mode === 'growth') {
  const bank = new IndicatorBank(DEFAULT_INDICATORS);
  const slot = bank.alloc();
  const values = new Float64Array(NATIVE_OUTPUT_NAMES.length);
  let seed = 1;
  let close = 100;
  const marks: Record<string, number> = {};
  for (let i = 1; i <= 1_000_000; i++) {
    seed = (seed * 48_271) % 2_147_483_647;
    close *= 1 + (seed / 2_147_483_647 - 0.5) * 0.002;
    bank.update(slot, { high: close * 1.001, low: close * 0.999, close }, values);
    if (i === 100_000) marks.at100k = memoryAfterGc();
  }
  marks.at1m = memoryAfterGc();
  process.stdout.write(JSON.stringify({ mode, ...marks, growth: marks.at1m - marks.at100k! }) + '\n');
} else if (mode === 'alloc') {
  const { PerformanceObserver } = await import('node:perf_hooks');
  const bank = new IndicatorBank(DEFAULT_INDICATORS);
  const slots = Array.from({ length: 100 }, () => ({ slot: bank.alloc(), values: new Float64Array(NATIVE_OUTPUT_NAMES.length) }));
  // Bars made beforehand, as BarBuilder hands them over: only the updates are measured.
  const bars = Array.from({ length: 29 }, (_, k) => ({ high: 100.05 + k / 10, low: 99.95 + k / 10, close: 100 + k / 10 }));
  const step = (t: number) => {
    for (const s of slots) bank.update(s.slot, bars[(s.slot * 7 + t * 13) % 29]!, s.values);
  };
  for (let t = 0; t < 5_000; t++) step(t); // warm: every kernel past warm-up, and optimised
  memoryAfterGc();
  let collections = 0;
  const obs = new PerformanceObserver((list) => (collections += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  for (let t = 0; t < 50_000; t++) step(t);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  process.stdout.write(JSON.stringify({ mode, updates: 5_000_000, collections }) + '\n');
} else if (mode === 'extra') {
  const bars = Number(process.argv[3] ?? 1_000);
  const count = 300;
  const out = new Float64Array(4);
  const bytes: Record<string, number> = {};
  for (const d of EXTRA_INDICATORS) {
    const p = Object.fromEntries(Object.entries(d.params).map(([k, v]) => [k, v.default]));
    const before = memoryAfterGc();
    const xs = Array.from({ length: count }, () => createExtra(d.key, p));
    let c = 100;
    for (let t = 0; t < bars; t++) {
      c *= 1 + Math.sin(t * 7.1) * 0.01;
      for (const x of xs) x.update({ high: c * 1.01, low: c * 0.99, close: c, volume: 10 + (t % 7) }, out, 0);
    }
    bytes[d.key] = (memoryAfterGc() - before) / xs.length;
    xs.length = 0;
  }
  process.stdout.write(JSON.stringify({ mode, bars, bytes }) + '\n');
} else throw new Error(`unknown mode ${mode}`);
