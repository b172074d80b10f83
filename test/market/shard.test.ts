import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fnv1a64, jumpHash, shardOf, shardSymbols } from '../../src/market/shard.js';

/** 20,000 symbols, the size of the desk in the issue. */
const DESK = Array.from({ length: 20_000 }, (_, i) => `SYM${String(i).padStart(5, '0')}USDT`);
const symbolArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,15}$/);
const uniqueSymbols = fc.uniqueArray(symbolArb, { maxLength: 60 });

describe('fnv1a64', () => {
  test('matches the published FNV-1a 64-bit test vectors', () => {
    assert.equal(fnv1a64(''), 0xcbf29ce484222325n);
    assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
    assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n);
  });

  test('hashes UTF-8 bytes, so a non-ASCII symbol has one stable key', () => {
    // "€" is three UTF-8 bytes (e2 82 ac); hashing the UTF-16 code unit instead would differ.
    let h = 0xcbf29ce484222325n;
    for (const b of [0xe2, 0x82, 0xac]) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    assert.equal(fnv1a64('€'), h);
    assert.equal(fnv1a64('€'), 0x5646581b8855166bn);
  });
});

describe('jumpHash', () => {
  test('matches the reference implementation (arXiv:1406.2294, as go-jump and ClickHouse test it)', () => {
    assert.equal(jumpHash(1n, 1), 0);
    assert.equal(jumpHash(42n, 57), 43);
    assert.equal(jumpHash(256n, 1024), 520);
    assert.equal(jumpHash(0xdead10ccn, 1), 0);
    assert.equal(jumpHash(0xdead10ccn, 666), 361);
  });

  test('refuses a bucket count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, NaN]) assert.throws(() => jumpHash(1n, n), RangeError);
  });

  test('property: one more bucket moves a key only to the new bucket', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 200 }), (key, n) => {
        const before = jumpHash(key, n);
        const after = jumpHash(key, n + 1);
        assert.ok(before >= 0 && before < n);
        assert.ok(after === before || after === n, `key ${key}: ${before} -> ${after} with ${n + 1} buckets`);
      }),
    );
  });
});

describe('shardOf', () => {
  test('pinned assignments: a change here reshuffles every deployed fleet', () => {
    // Golden values. If this fails the hash changed (or Node computes it differently): replicas
    // running different versions would no longer split the symbols without overlap and gaps.
    assert.equal(shardOf('binance', 'BTCUSDT', 3), 1);
    assert.equal(shardOf('binance', 'ETHUSDT', 3), 0);
    assert.equal(shardOf('kraken', 'BTC/USD', 3), 2);
    assert.equal(shardOf('coinbase', 'BTC-USD', 5), 0);
    assert.equal(shardOf('okx', 'BTC-USDT-SWAP', 7), 0);
    assert.equal(shardOf('simulator', 'SYM00042', 2), 1);
    assert.equal(shardOf('binance', 'BTCUSDT', 1024), 924);
  });

  test('the key is the feed name and the symbol, kept apart by a NUL', () => {
    const onBinance = DESK.slice(0, 200).map((s) => shardOf('binance', s, 4));
    const onOther = DESK.slice(0, 200).map((s) => shardOf('binance-2', s, 4));
    assert.notDeepEqual(onBinance, onOther, 'two feeds of one venue split independently');
    assert.notEqual(fnv1a64('ab\0c'), fnv1a64('a\0bc'));
  });

  test('20,000 symbols spread evenly: every shard within 5% of its fair share', () => {
    for (const count of [2, 3, 5]) {
      const sizes = new Array<number>(count).fill(0);
      for (const s of DESK) sizes[shardOf('binance', s, count)]!++;
      const fair = DESK.length / count;
      for (const [i, n] of sizes.entries()) assert.ok(Math.abs(n - fair) / fair < 0.05, `count ${count}: shard ${i} has ${n} (fair ${fair})`);
    }
  });

  test('growing 3 -> 4 replicas moves about a quarter of the symbols, every one of them to shard 3', () => {
    const moved = DESK.filter((s) => shardOf('binance', s, 3) !== shardOf('binance', s, 4));
    assert.ok(moved.every((s) => shardOf('binance', s, 4) === 3));
    const share = moved.length / DESK.length;
    assert.ok(share > 0.23 && share < 0.27, `moved ${share}`);
  });
});

describe('shardSymbols', () => {
  test('count 1 keeps every symbol in order', () => {
    assert.deepEqual(shardSymbols('x', ['B', 'A', 'C'], { index: 0, count: 1 }), ['B', 'A', 'C']);
  });

  test('property: the shards partition a feed: no overlap, no gaps, configured order kept', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), uniqueSymbols, fc.integer({ min: 1, max: 9 }), (exchange, symbols, count) => {
        const parts = Array.from({ length: count }, (_, index) => shardSymbols(exchange, symbols, { index, count }));
        const all = parts.flat();
        assert.equal(all.length, symbols.length, 'each symbol in exactly one shard');
        assert.deepEqual(new Set(all), new Set(symbols));
        for (const p of parts) assert.deepEqual(p, symbols.filter((s) => p.includes(s)), 'order kept');
      }),
    );
  });
});
