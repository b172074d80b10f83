/**
 * The technicalindicators internals (3.1.0, pinned exactly in package.json) that the wrappers lean
 * on to keep an IndicatorSet small and fast, in one place. test/indicators/internals.test.ts pins
 * each one, so an upgrade that changes one fails there, not in production.
 *
 * Why they are worth it (bench/indicator-footprint.ts): every streaming class is a generator made
 * from a function expression created per instance, so each instance also carries its own closure,
 * prototype object and hidden classes (~700 bytes before any data), and the library's
 * `this.generator.next` inside `nextValue` sees one hidden class per instance: with thousands of
 * series that lookup is megamorphic. Series values sit in linked lists at ~64 bytes per value.
 *
 * - `step`: calls the generator's `next` directly (the spec's own, not looked up per instance).
 *   `nextValue` adds nothing else when the instance's format is the identity.
 * - `stepSeeding`: EMA and WEMA seed themselves with an SMA they build inside and never call once
 *   they have produced a value, yet keep alive with its list of `period` values; this finds that
 *   SMA (the one SMA their first updates call) and drops its generator.
 * - `watchSmaCalls` / `lastSmaCalled` / `lastSmaValue`: SD computes the window's mean with an SMA of its own; Bollinger
 *   reads that mean instead of running a second SMA over the same closes.
 * - `shed` and `EMPTY`: constructors keep their input arrays and a `result` array per instance,
 *   used only by the batch API; one shared frozen empty array replaces them (frozen, so a library
 *   that wrote to them after construction would throw rather than share state).
 */
import { SMA } from 'technicalindicators';

/** What the streaming classes have in common: a generator fed one input per update. */
export interface Streaming<I, O> {
  generator: IterableIterator<O | undefined>;
  nextValue(input: I): O | undefined;
}

/** Shared by every instance for `values` / `high` / `low` / `close` and `result`. */
export const EMPTY = Object.freeze([]) as unknown as number[];

const generatorNext = (Object.getPrototypeOf(function* () {}) as { prototype: Generator }).prototype.next;

/**
 * `ind.nextValue(input)` for an instance built with an identity format, without the per-instance
 * lookup of `generator.next`.
 */
export function step<I, O>(ind: Streaming<I, O>, input: I): O | undefined {
  return generatorNext.call(ind.generator, input).value as O | undefined;
}

/** Replaces the arrays only the batch API reads with the shared empty one; returns `ind`. */
export function shed<T extends { result: unknown }>(ind: T): T {
  const fields = ind as { result: unknown; price?: unknown };
  fields.result = EMPTY;
  if ('price' in fields) fields.price = EMPTY;
  return ind;
}

// ---- which SMA was called last, and what it answered ----

const MARK = Symbol.for('market-exporter.smaCallsWatched');
let lastSma: SMA | undefined;
let lastValue: number | undefined;

/** Wrap SMA.prototype.nextValue once per process to record each call (idempotent). */
export function watchSmaCalls(): void {
  const proto = SMA.prototype as SMA & { [MARK]?: true };
  if (proto[MARK]) return;
  const nextValue = proto.nextValue;
  proto.nextValue = function (this: SMA, price: number): number | undefined {
    const v = nextValue.call(this, price);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- recording the receiver is the point
    lastSma = this;
    lastValue = v;
    return v;
  };
  proto[MARK] = true;
}

/** Forget the last SMA call, so `lastSmaCalled` reports only calls made after this. */
export function clearLastSmaCall(): void {
  lastSma = undefined;
  lastValue = undefined;
}

/** The SMA whose nextValue ran last since `clearLastSmaCall`, or undefined. */
export function lastSmaCalled(): SMA | undefined {
  return lastSma;
}

/** What that SMA's nextValue returned. */
export function lastSmaValue(): number | undefined {
  return lastValue;
}

/** Thrown when the library no longer behaves as the pinned version did. */
export class LibraryChangedError extends Error {
  override name = 'LibraryChangedError';
}

// ---- releasing the seed SMA of EMA / WEMA ----

/** Stands in for a released seed SMA's generator: any use means the library changed. */
const RELEASED: IterableIterator<number | undefined> = {
  next(): never {
    throw new LibraryChangedError('technicalindicators called an EMA/WEMA seed SMA after seeding');
  },
  [Symbol.iterator]() {
    return this;
  },
};

/** Whether `sma` is a seed SMA that `stepSeeding` released. */
export function isReleased(sma: SMA): boolean {
  return sma.generator === RELEASED;
}

/**
 * `step` for an EMA or WEMA that has not produced a value yet: once it does, the SMA it seeded
 * from is released (its generator, list and arrays dropped). Call `step` after that.
 */
export function stepSeeding(avg: Streaming<number, number>, value: number): number | undefined {
  watchSmaCalls();
  clearLastSmaCall();
  const v = step(avg, value);
  const seed = lastSma;
  if (seed === undefined) throw new LibraryChangedError('technicalindicators EMA/WEMA no longer seeds from an SMA');
  if (v !== undefined) {
    shed(seed).generator = RELEASED;
    clearLastSmaCall();
  }
  return v;
}
