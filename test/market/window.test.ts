import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SLOTS_PER_WINDOW, TickWindow, type WindowStats } from '../../src/market/window.js';

const T0 = 1_700_000_000_000;

/**
 * Brute force: every accepted tick is kept in an array with its slot (by effective time = the
 * horizon at arrival), and stats scan the ticks whose slot is not wholly older than the cutoff.
 */
class Reference {
  private ticks: { price: number; slot: number }[] = [];
  private horizon = -Infinity;
  constructor(
    private readonly length: number,
    private readonly res: number,
  ) {}
  add(price: number, t: number): void {
    if (t < this.horizon - this.length) return;
    this.horizon = Math.max(this.horizon, t);
    this.ticks.push({ price, slot: Math.floor(this.horizon / this.res) * this.res });
  }
  evict(now: number): void {
    this.horizon = Math.max(this.horizon, now);
  }
  stats(): WindowStats | undefined {
    const cutoff = this.horizon - this.length;
    this.ticks = this.ticks.filter((x) => x.slot + this.res > cutoff);
    if (this.ticks.length === 0) return undefined;
    const prices = this.ticks.map((x) => x.price);
    const first = prices[0]!;
    const last = prices.at(-1)!;
    return { first, last, high: Math.max(...prices), low: Math.min(...prices), returnRatio: last / first - 1 };
  }
}

describe('TickWindow', () => {
  test('is empty until a tick arrives', () => {
    assert.equal(new TickWindow(60_000).stats(), undefined);
  });

  test('first, last, high, low and return over the ticks in the window', () => {
    const w = new TickWindow(60_000);
    w.add(100, T0);
    w.add(120, T0 + 1_000); // a spike between two scrapes
    w.add(90, T0 + 2_000);
    w.add(110, T0 + 3_000);
    const s = w.stats()!;
    assert.deepEqual({ ...s, returnRatio: undefined }, { first: 100, last: 110, high: 120, low: 90, returnRatio: undefined });
    assert.ok(Math.abs(s.returnRatio - 0.1) < 1e-12);
  });

  test('ticks leave the window as newer ticks arrive', () => {
    const w = new TickWindow(1_000, { resolutionMs: 1 });
    w.add(200, T0); // high, leaves first
    w.add(50, T0 + 100); // low
    w.add(100, T0 + 500);
    w.add(101, T0 + 1_000); // cutoff T0: T0 is still in (not older than cutoff)
    assert.deepEqual(w.stats(), { first: 200, last: 101, high: 200, low: 50, returnRatio: 101 / 200 - 1 });
    w.add(102, T0 + 1_001);
    assert.deepEqual(w.stats(), { first: 50, last: 102, high: 102, low: 50, returnRatio: 102 / 50 - 1 });
    w.add(103, T0 + 1_101);
    assert.deepEqual(w.stats(), { first: 100, last: 103, high: 103, low: 100, returnRatio: 103 / 100 - 1 });
  });

  test('evict(now) empties an idle window', () => {
    const w = new TickWindow(1_000, { resolutionMs: 1 });
    w.add(100, T0);
    w.add(101, T0 + 10);
    w.evict(T0 + 1_005);
    assert.equal(w.stats()!.first, 101);
    w.evict(T0 + 1_011);
    assert.equal(w.stats(), undefined);
    assert.equal(w.slots, 0);
    w.add(99, T0 + 1_500); // and fills again
    assert.deepEqual(w.stats(), { first: 99, last: 99, high: 99, low: 99, returnRatio: 0 });
  });

  test('a tick older than the newest seen - length is ignored; a slightly late one is accepted', () => {
    const w = new TickWindow(1_000, { resolutionMs: 1 });
    w.add(100, T0 + 5_000);
    w.add(1, T0 + 3_999); // older than 5000 - 1000: ignored
    assert.deepEqual(w.stats(), { first: 100, last: 100, high: 100, low: 100, returnRatio: 0 });
    w.add(150, T0 + 4_500); // late but inside: counted at the newest time seen
    assert.deepEqual(w.stats(), { first: 100, last: 150, high: 150, low: 100, returnRatio: 0.5 });
    // It lives as long as a tick at 5000 would: still in at 5999+1, gone after.
    w.add(120, T0 + 6_000);
    assert.equal(w.stats()!.high, 150);
    w.add(121, T0 + 6_001);
    assert.deepEqual(w.stats(), { first: 120, last: 121, high: 121, low: 120, returnRatio: 121 / 120 - 1 });
  });

  test('memory is bounded by length / resolution + 2 slots whatever the tick rate', () => {
    const w = new TickWindow(1_000); // default resolution: 1000 / SLOTS_PER_WINDOW = 4 ms
    let maxSlots = 0;
    let seed = 7;
    const prices: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const p = 100 + (seed % 1_000) / 100;
      prices.push(p);
      w.add(p, T0 + i * 0.05); // 20 ticks per ms, 20,000 per window
      maxSlots = Math.max(maxSlots, w.slots);
    }
    assert.ok(maxSlots <= SLOTS_PER_WINDOW + 2, `slots ${maxSlots}`);
    assert.ok(maxSlots >= SLOTS_PER_WINDOW, `slots ${maxSlots}`);
    // Stats still exact over what is kept: the ticks of the last SLOTS_PER_WINDOW + 1 slots.
    const ref = new Reference(1_000, 1_000 / SLOTS_PER_WINDOW);
    prices.forEach((p, i) => ref.add(p, T0 + i * 0.05));
    assert.deepEqual(w.stats(), ref.stats());
  });

  test('rejects non-finite input and bad options', () => {
    const w = new TickWindow(1_000);
    assert.throws(() => w.add(Number.NaN, T0), RangeError);
    assert.throws(() => w.add(1, Number.NaN), RangeError);
    assert.throws(() => w.evict(Number.NaN), RangeError);
    assert.throws(() => new TickWindow(0), RangeError);
    assert.throws(() => new TickWindow(1_000, { resolutionMs: 0 }), RangeError);
  });
});

describe('TickWindow against a brute-force reference', () => {
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), dt: fc.integer({ min: -1_500, max: 400 }), price: fc.integer({ min: 1, max: 1_000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), dt: fc.integer({ min: -100, max: 1_500 }), price: fc.constant(0) }) },
  );

  test('random adds (in order, late, too old) and evictions', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 7, 250, 1_000),
        fc.array(op, { minLength: 1, maxLength: 400 }),
        (res, ops) => {
          const L = 1_000;
          const w = new TickWindow(L, { resolutionMs: res });
          const ref = new Reference(L, res);
          let newest = T0;
          for (const o of ops) {
            if (o.kind === 'add') {
              const t = newest + o.dt;
              w.add(o.price, t);
              ref.add(o.price, t);
              newest = Math.max(newest, t);
            } else {
              const now = newest + o.dt;
              w.evict(now);
              ref.evict(now);
              newest = Math.max(newest, now);
            }
            assert.deepEqual(w.stats(), ref.stats());
            assert.ok(Object.is(w.returnRatio(), ref.stats()?.returnRatio ?? NaN), 'returnRatio() is stats().returnRatio, NaN when empty');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a long run wraps and grows the ring buffers many times', () => {
    const L = 60_000;
    const res = L / SLOTS_PER_WINDOW; // the default resolution: 240 ms
    const w = new TickWindow(L);
    const ref = new Reference(L, res);
    let seed = 12_345;
    const rnd = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    let t = T0;
    let p = 100;
    for (let i = 0; i < 100_000; i++) {
      // Bursts and lulls: sometimes 1 ms apart, sometimes 20 s apart; sometimes 2 s late.
      const r = rnd();
      t += r < 0.7 ? 1 : r < 0.98 ? 200 : 20_000;
      const late = rnd() < 0.05 ? 2_000 : 0;
      p *= 1 + (rnd() - 0.5) * 0.002;
      w.add(p, t - late);
      ref.add(p, t - late);
      if (i % 97 === 0) assert.deepEqual(w.stats(), ref.stats(), `at tick ${i}`);
    }
    assert.ok(w.slots <= SLOTS_PER_WINDOW + 2);
  });
});
