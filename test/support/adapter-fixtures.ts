/**
 * Shared scaffolding for the venue adapter tests (test/feeds/<venue>.test.ts): fixture frames from
 * test/fixtures/<venue>/, readers that expect one event or one error, and the tests every adapter
 * gets the same way (the bad-frame table, odd JSON, hostile fields, "parse never throws", every
 * fixture exercised). What a venue's frames must become stays in that venue's test file.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ERROR_TYPES, RECONNECT_REASONS, type Adapter, type ErrorEvent, type ErrorType, type MarketEvent } from '../../src/feeds/types.js';
import { fixtureNames, fixtureText } from './fixtures.js';
import { hostileVariants } from './hostile.js';

export { fixtureJson, fixtureNames, fixtureText } from './fixtures.js';

/** One venue's fixtures read through one adapter. Every read marks the fixture as exercised. */
export interface AdapterFixtures {
  readonly venue: string;
  readonly adapter: Adapter;
  /** Every fixture in test/fixtures/<venue>/. */
  readonly names: readonly string[];
  /** Fixtures read so far through frame, events, one or error. */
  readonly read: ReadonlySet<string>;
  frame(name: string): string;
  events(name: string): MarketEvent[];
  /** The fixture's only event (fails unless it parses to exactly one). */
  one(name: string): MarketEvent;
  /** The fixture's only event, which must be an error. */
  error(name: string): ErrorEvent;
}

/** Fixture readers for `venue`, parsing with `adapter`. */
export function adapterFixtures(venue: string, adapter: Adapter): AdapterFixtures {
  const read = new Set<string>();
  const frame = (name: string) => {
    read.add(name);
    return fixtureText(venue, name);
  };
  const events = (name: string) => adapter.parse(frame(name));
  const one = (name: string) => {
    const evs = events(name);
    assert.equal(evs.length, 1, `${name}: ${JSON.stringify(evs)}`);
    return evs[0] as MarketEvent;
  };
  const error = (name: string) => {
    const e = one(name);
    assert.equal(e.kind, 'error', `${name} should be an error, got ${JSON.stringify(e)}`);
    return e as ErrorEvent;
  };
  return { venue, adapter, names: fixtureNames(venue), read, frame, events, one, error };
}

/** A fixture that must parse to one error of this type. */
export type ErrorCase = readonly [fixture: string, type: ErrorType];

/**
 * One test per case: the fixture is one error of the given type, it does not end the session,
 * and its message is bounded (it is logged).
 */
export function errorCaseTests(fx: AdapterFixtures, cases: readonly ErrorCase[]): void {
  for (const [name, type] of cases) {
    test(`${name} -> ${type}`, () => {
      const e = fx.error(name);
      assert.equal(e.type, type);
      assert.equal(e.reconnect, undefined, 'a bad frame does not end the session');
      assert.ok(e.message.length > 0 && e.message.length < 300, 'bounded message');
    });
  }
}

/** Inputs every adapter must answer with exactly one error event. */
export const SCALAR_FRAMES: readonly string[] = ['null', '42', '{}', ''];

/** A test that SCALAR_FRAMES and the venue's near-misses (`more`) each give one error event. */
export function scalarFrameTests(fx: AdapterFixtures, more: readonly string[], name = 'JSON scalars and empty objects'): void {
  test(name, () => {
    for (const f of [...SCALAR_FRAMES, ...more]) {
      const events = fx.adapter.parse(f);
      assert.equal(events.length, 1, f);
      assert.equal(events[0]?.kind, 'error', f);
    }
  });
}

/**
 * A test that no fixture, with any one value replaced by hostile JSON (no callable toString),
 * makes any of `adapters` throw. Reading fixtures here does not count as exercising them.
 */
export function hostileFixturesTest(fx: AdapterFixtures, adapters: readonly Adapter[] = [fx.adapter]): void {
  test('hostile JSON (no callable toString) in any field of any fixture never throws', () => {
    let n = 0;
    for (const name of fx.names) {
      for (const f of hostileVariants(fixtureText(fx.venue, name))) {
        for (const a of adapters) {
          assert.doesNotThrow(() => {
            a.parse(f);
          }, f);
        }
        n++;
      }
    }
    assert.ok(n > 200, `only ${n} variants`);
  });
}

type Path = readonly (string | number)[];

/** Arbitrary JSON in one field of a real frame: the object at `at` gets `key` set to any value. */
export interface FieldMutation {
  fixture: string;
  /** Where the mutated object sits in the frame (`['data', 0]`); the frame itself when empty. */
  at?: Path;
  /** Keys to replace; every key of that object when absent. */
  keys?: readonly string[];
  numRuns: number;
}

export interface NeverThrowsOptions {
  /** Adapters that must all hold the property (default: the fixtures' adapter). */
  adapters?: readonly Adapter[];
  /** More the venue promises of every event (finite prices, integer seqs...). */
  invariant?: (e: MarketEvent) => void;
  /** Runs for arbitrary strings and for arbitrary JSON. */
  runs?: number;
  mutations?: readonly FieldMutation[];
}

function getAt(root: unknown, at: Path): unknown {
  return at.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root);
}

function setAt(root: unknown, at: Path, key: string, value: unknown): unknown {
  const [head, ...rest] = at;
  if (head === undefined) return { ...(root as Record<string, unknown>), [key]: value };
  if (Array.isArray(root)) return root.map((c: unknown, i) => (i === head ? setAt(c, rest, key, value) : c));
  const obj = root as Record<string | number, unknown>;
  return { ...obj, [head]: setAt(obj[head], rest, key, value) };
}

/**
 * A fast-check test: parse never throws, returns an array, and every error has a known type and
 * reconnect reason (plus the venue's `invariant`), for arbitrary strings, arbitrary JSON and real
 * frames with one field replaced by arbitrary JSON.
 */
export function neverThrowsProperty(fx: AdapterFixtures, name: string, opts: NeverThrowsOptions = {}): void {
  const { adapters = [fx.adapter], invariant, runs = 500, mutations = [] } = opts;
  test(name, () => {
    const check = (f: string) => {
      for (const a of adapters) {
        const events = a.parse(f);
        assert.ok(Array.isArray(events));
        for (const e of events) {
          if (e.kind === 'error') {
            assert.ok((ERROR_TYPES as readonly string[]).includes(e.type));
            if (e.reconnect) assert.ok((RECONNECT_REASONS as readonly string[]).includes(e.reconnect));
          }
          invariant?.(e);
        }
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: runs });
    fc.assert(fc.property(fc.json(), check), { numRuns: runs });
    for (const m of mutations) {
      const base = JSON.parse(fx.frame(m.fixture)) as unknown;
      const at = m.at ?? [];
      const keys = m.keys ?? Object.keys(getAt(base, at) as Record<string, unknown>);
      fc.assert(
        fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => check(JSON.stringify(setAt(base, at, key, value)))),
        { numRuns: m.numRuns },
      );
    }
  });
}

/**
 * A test that every fixture was read by a test above (register it last). With `listed`, every
 * fixture must also be in that hand-kept list.
 */
export function fixtureCoverageTest(fx: AdapterFixtures, listed?: Iterable<string>): void {
  test(`every ${fx.venue} fixture is exercised by a test above`, () => {
    assert.deepEqual(fx.names.filter((f) => !fx.read.has(f)), [], 'fixtures no test read');
    if (listed) {
      const names = new Set(listed);
      assert.deepEqual(fx.names.filter((f) => !names.has(f)), [], 'fixtures missing from the list');
    }
  });
}

/**
 * A fast-check test: any positive price put into `trade(price, id)` comes back as the price of
 * its first event, a trade, whose seq is `id` (`seq: false`: which carries no seq at all).
 */
export function priceRoundTripProperty(
  fx: AdapterFixtures,
  name: string,
  trade: (price: number, id: number) => string,
  { seq = true }: { seq?: boolean } = {},
): void {
  test(name, () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e9, noNaN: true }), fc.integer({ min: 1, max: 2 ** 52 }), (price, id) => {
        const [e] = fx.adapter.parse(trade(price, id));
        assert.equal(e?.kind, 'trade');
        assert.equal(e?.kind === 'trade' && e.price, price);
        assert.equal(e?.kind === 'trade' && e.seq, seq ? id : undefined);
      }),
      { numRuns: 300 },
    );
  });
}
