import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import type { ExtraIndicatorsConfig } from '../../src/config/types.js';
import { IndicatorBank, updateExtras } from '../../src/indicators/bank.js';
import { IndicatorSet } from '../../src/indicators/set.js';
import { NATIVE_OUTPUT_NAMES } from '../../src/indicators/registry.js';
import { mulberry32 } from '../../src/simulator/market.js';

function walk(count: number, seed: number): { h: number; l: number; c: number; v: number }[] {
  const rnd = mulberry32(seed);
  let c = 50 + rnd() * 100;
  return Array.from({ length: count }, () => {
    c *= 1 + (rnd() - 0.5) * 0.02;
    return { h: c * (1 + rnd() * 0.01), l: c * (1 - rnd() * 0.01), c, v: rnd() * 10 };
  });
}

const fresh = () => new Float64Array(NATIVE_OUTPUT_NAMES.length).fill(NaN);

describe('IndicatorBank', () => {
  test('slots across several chunks, fed interleaved, each equal to a set of its own', () => {
    const bank = new IndicatorBank(DEFAULT_INDICATORS, undefined, 3);
    const series = Array.from({ length: 7 }, (_, i) => walk(80, i + 1));
    const slots = series.map(() => ({ slot: bank.alloc(), values: fresh(), alone: new IndicatorSet(DEFAULT_INDICATORS) }));
    assert.equal(bank.size, 7);
    assert.deepEqual(
      slots.map((s) => s.slot),
      [0, 1, 2, 3, 4, 5, 6],
    );
    for (let t = 0; t < 80; t++) {
      slots.forEach((s, i) => {
        const b = series[i]![t]!;
        bank.update(s.slot, { high: b.h, low: b.l, close: b.c }, s.values);
        const want = s.alone.update({ high: b.h, low: b.l, close: b.c });
        NATIVE_OUTPUT_NAMES.forEach((n, k) => {
          if (want[n] === undefined) assert.ok(Number.isNaN(s.values[k]), `${n} before warm-up`);
          else assert.equal(s.values[k], want[n], `slot ${i} ${n} at ${t}`);
        });
      });
    }
    assert.ok(slots.every((s) => !s.values.some(Number.isNaN)), 'every output past warm-up');
  });

  test('a slot holds only the enabled indicators: stride shrinks with them, outputs stay in place', () => {
    const full = new IndicatorBank(DEFAULT_INDICATORS);
    const atrOnly = new IndicatorBank(
      Object.fromEntries(Object.entries(DEFAULT_INDICATORS).map(([k, v]) => [k, { ...v, enabled: k === 'atr' }])) as typeof DEFAULT_INDICATORS,
    );
    assert.equal(atrOnly.stride, 3);
    assert.ok(full.stride > 80, `${full.stride}`);
    const slot = atrOnly.alloc();
    const values = fresh();
    for (const b of walk(20, 3)) atrOnly.update(slot, { high: b.h, low: b.l, close: b.c }, values);
    NATIVE_OUTPUT_NAMES.forEach((n, k) => assert.equal(Number.isNaN(values[k]), n !== 'atr', n));
  });

  test('an update allocates nothing: 5,000,000 updates run without a collection', async () => {
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'alloc'], { timeout: 120_000 });
    const r = JSON.parse(stdout) as { collections: number };
    // A boxed number per update (16 bytes) is 80 MB here: scavenges by the dozen.
    assert.ok(r.collections <= 2, `${r.collections} collections`);
  });

  test('does not grow with updates (1,000,000 bars on one slot)', async () => {
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'growth'], { timeout: 120_000 });
    const r = JSON.parse(stdout) as { growth: number };
    // The library's LinkedList kept ~190 bytes per Bollinger update: 170 MB over this run.
    assert.ok(r.growth < 1_000_000, `grew ${r.growth} bytes`);
  });
});

describe('IndicatorBank extras', () => {
  const extra: ExtraIndicatorsConfig = {
    maxInstances: 5,
    indicators: [
      { indicator: 'obv', params: {}, feeds: ['binance'] },
      { indicator: 'adx', params: { period: 5 }, feeds: ['binance'], symbols: ['BTCUSDT'] },
    ],
  };

  test('a plan per symbol: label values after the natives, shared by symbols with the same extras', () => {
    const bank = new IndicatorBank(DEFAULT_INDICATORS, extra);
    const btc = bank.planFor('binance', 'BTCUSDT');
    assert.deepEqual(btc.names.slice(NATIVE_OUTPUT_NAMES.length), ['obv', 'adx', 'adx_plus_di', 'adx_minus_di']);
    assert.deepEqual(
      btc.entries.map((e) => [e.key, e.out]),
      [
        ['obv', 13],
        ['adx', 14],
      ],
    );
    assert.equal(bank.planFor('binance', 'ETHUSDT'), bank.planFor('binance', 'SOLUSDT'));
    assert.deepEqual(bank.planFor('binance', 'ETHUSDT').names.slice(NATIVE_OUTPUT_NAMES.length), ['obv']);
    assert.equal(bank.planFor('kraken', 'BTCUSDT').names, NATIVE_OUTPUT_NAMES);
  });

  test('instances are made up to maxInstances; the rest are refused and counted', () => {
    const bank = new IndicatorBank(DEFAULT_INDICATORS, extra);
    const btc = bank.planFor('binance', 'BTCUSDT');
    const eth = bank.planFor('binance', 'ETHUSDT');
    assert.equal(bank.createExtras(btc).length, 2);
    assert.equal(bank.createExtras(btc).length, 2);
    assert.equal(bank.createExtras(btc).length, 0, 'a third pair would make 6 > 5');
    assert.equal(bank.extraRefused, 2);
    assert.equal(bank.createExtras(eth).length, 1, 'one more fits');
    assert.equal(bank.createExtras(eth).length, 0);
    assert.equal(bank.extraRefused, 3);
  });

  test('extras write their outputs where the plan put them', () => {
    const bank = new IndicatorBank(DEFAULT_INDICATORS, extra);
    const plan = bank.planFor('binance', 'BTCUSDT');
    const extras = bank.createExtras(plan);
    const values = new Float64Array(plan.names.length).fill(NaN);
    for (const b of walk(40, 5)) updateExtras(plan, extras, { high: b.h, low: b.l, close: b.c, volume: b.v }, values);
    for (const name of ['obv', 'adx', 'adx_plus_di', 'adx_minus_di']) assert.ok(Number.isFinite(values[plan.names.indexOf(name)]), name);
    assert.ok(values.subarray(0, NATIVE_OUTPUT_NAMES.length).every(Number.isNaN), 'natives untouched');
  });

  test('an unknown extra is refused at construction', () => {
    assert.throws(() => new IndicatorBank(DEFAULT_INDICATORS, { maxInstances: 1, indicators: [{ indicator: 'nope', params: {} }] }), RangeError);
  });
});
