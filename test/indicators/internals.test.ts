/**
 * Pins every technicalindicators internal that src/indicators/internals.ts relies on. A library
 * upgrade that changes one fails here, with the assumption named, before any value goes wrong.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { AverageGain, AverageLoss, EMA, SD, SMA, TrueRange, WEMA } from 'technicalindicators';
import {
  clearLastSmaCall,
  EMPTY,
  isReleased,
  lastSmaCalled,
  lastSmaValue,
  LibraryChangedError,
  shed,
  step,
  stepSeeding,
  watchSmaCalls,
  type Streaming,
} from '../../src/indicators/internals.js';
import { mulberry32 } from '../../src/simulator/market.js';

const identity = (v: number): number => v;

/** 300 closes on a random walk, with a flat stretch. */
function closes(seed: number): number[] {
  const rnd = mulberry32(seed);
  let c = 100;
  return Array.from({ length: 300 }, (_, i) => (i % 50 < 10 ? c : (c *= 1 + (rnd() - 0.5) * 0.02)));
}

/** Counts SMA.prototype.nextValue calls (and on which instances) while fn runs. */
function countSmaCalls(fn: () => void): SMA[] {
  watchSmaCalls(); // first, so the wrapper below wraps the watcher and restoring keeps it
  const proto = SMA.prototype;
  const nextValue = proto.nextValue;
  const seen: SMA[] = [];
  proto.nextValue = function (this: SMA, price: number) {
    seen.push(this);
    return nextValue.call(this, price);
  };
  try {
    fn();
  } finally {
    proto.nextValue = nextValue;
  }
  return seen;
}

function same(a: unknown, b: unknown, what: string): void {
  assert.ok(Object.is(a, b), `${what}: ${String(a)} vs ${String(b)}`);
}

describe('step: generator.next(x).value is nextValue(x) with an identity format', () => {
  const cases: [string, () => Streaming<number, number>][] = [
    ['SMA', () => new SMA({ period: 7, values: [], format: identity })],
    ['EMA', () => new EMA({ period: 7, values: [], format: identity })],
    ['WEMA', () => new WEMA({ period: 7, values: [], format: identity })],
    ['SD', () => new SD({ period: 7, values: [], format: identity })],
    ['AverageGain', () => new AverageGain({ period: 7, values: [], format: identity })],
    ['AverageLoss', () => new AverageLoss({ period: 7, values: [], format: identity })],
  ];
  for (const [name, make] of cases) {
    test(name, () => {
      const a = make();
      const b = make();
      assert.equal(Object.prototype.toString.call(a.generator), '[object Generator]');
      let defined = 0;
      for (const [i, x] of closes(1).entries()) {
        const want = a.nextValue(x);
        same(step(b, x), want, `${name} at ${i}`);
        if (want !== undefined) defined++;
      }
      assert.ok(defined > 250, `${name} produced ${defined} values`);
    });
  }

  test('TrueRange, fed bars', () => {
    const make = () => new TrueRange({ high: [], low: [], close: [], format: identity });
    const a = make();
    const b = make();
    for (const [i, c] of closes(2).entries()) {
      const bar = { high: c * 1.01, low: c * 0.99, close: c };
      same(step(b, bar), a.nextValue({ ...bar }), `TrueRange at ${i}`);
    }
  });
});

describe('shed and EMPTY: constructors keep arrays that only the batch API reads', () => {
  test('instances built on EMPTY and shed work, and never write to the shared arrays', () => {
    const sma = shed(new SMA({ period: 5, values: EMPTY, format: identity }));
    const tr = shed(new TrueRange({ high: EMPTY, low: EMPTY, close: EMPTY, format: identity }));
    const plain = new SMA({ period: 5, values: [], format: identity });
    assert.equal(sma.result, EMPTY);
    assert.equal(sma.price, EMPTY);
    assert.equal(tr.result, EMPTY);
    for (const x of closes(3)) {
      same(step(sma, x), plain.nextValue(x), 'SMA');
      step(tr, { high: x + 1, low: x - 1, close: x });
    }
    assert.ok(Object.isFrozen(EMPTY));
    assert.equal(EMPTY.length, 0);
  });

  test('`result` is the batch output: only a constructor given values writes to it', () => {
    const batch = new SMA({ period: 2, values: [1, 3, 5], format: identity });
    assert.deepEqual(batch.result, [2, 4]);
  });
});

describe('watchSmaCalls: SMA.prototype.nextValue records the last call', () => {
  test('idempotent, transparent, and records instance and value', () => {
    watchSmaCalls();
    const patched = SMA.prototype.nextValue;
    watchSmaCalls();
    assert.equal(SMA.prototype.nextValue, patched);
    const a = new SMA({ period: 3, values: [], format: identity });
    clearLastSmaCall();
    assert.equal(lastSmaCalled(), undefined);
    assert.equal(a.nextValue(1), undefined);
    assert.equal(lastSmaCalled(), a);
    assert.equal(lastSmaValue(), undefined);
    a.nextValue(2);
    assert.equal(a.nextValue(6), 3);
    assert.equal(lastSmaValue(), 3);
  });

  test('SD computes its mean with exactly one SMA per update, the same one, equal to SMA(period)', () => {
    watchSmaCalls();
    const sd = new SD({ period: 20, values: [], format: identity });
    const sma = new SMA({ period: 20, values: [], format: identity });
    let inner: SMA | undefined;
    let checked = 0;
    for (const [i, x] of closes(4).entries()) {
      clearLastSmaCall();
      let dev: number | undefined;
      const calls = countSmaCalls(() => (dev = step(sd, x)));
      assert.equal(calls.length, 1, `SMA calls in SD update ${i}`);
      inner ??= calls[0];
      assert.equal(calls[0], inner, `SD update ${i} calls the same SMA`);
      assert.equal(lastSmaCalled(), inner);
      const mean = lastSmaValue();
      same(mean, sma.nextValue(x), `SD mean at ${i}`);
      if (mean !== undefined) {
        assert.ok(dev !== undefined, `SD gives a deviation whenever its mean exists (${i})`);
        checked++;
      }
    }
    assert.ok(checked > 250);
  });
});

describe('stepSeeding: EMA and WEMA seed from one SMA and never call it again', () => {
  for (const [name, make] of [
    ['EMA', (p: number) => new EMA({ period: p, values: [], format: identity })],
    ['WEMA', (p: number) => new WEMA({ period: p, values: [], format: identity })],
  ] as const) {
    test(`${name}: the seed is found, released once seeded, and the values do not change`, () => {
      for (const period of [1, 2, 9, 26]) {
        const plain = make(period);
        const lean = make(period);
        const seeds = new Set<SMA>();
        let seeded = false;
        for (const [i, x] of closes(period).entries()) {
          const want = plain.nextValue(x);
          let got: number | undefined;
          if (seeded) got = step(lean, x);
          else {
            const calls = countSmaCalls(() => (got = stepSeeding(lean, x)));
            assert.equal(calls.length, 1, `${name}(${period}) calls one SMA per update while seeding`);
            seeds.add(calls[0]!);
            seeded = got !== undefined;
          }
          same(got, want, `${name}(${period}) at ${i}`);
          if (i === period - 1) assert.ok(seeded, `${name}(${period}) seeded at its period-th value`);
        }
        assert.equal(seeds.size, 1, 'always the same seed SMA');
        const [seed] = seeds;
        assert.ok(isReleased(seed!));
        assert.equal(seed!.result, EMPTY);
        assert.throws(() => seed!.nextValue(1), LibraryChangedError);
      }
    });
  }

  test('an indicator that calls no SMA is reported, not silently stepped', () => {
    const gain = new AverageGain({ period: 3, values: [], format: identity });
    assert.throws(() => stepSeeding(gain, 1), LibraryChangedError);
  });
});
