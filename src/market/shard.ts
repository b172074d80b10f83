/**
 * Which replica carries a symbol: `shard: {index, count}` splits every feed's symbols over `count`
 * exporters so that each symbol lands on exactly one of them. Pure and deterministic: the same
 * (exchange, symbol, count) gives the same shard in every process, on every machine and Node
 * version, because it uses only 64-bit integer arithmetic on the UTF-8 bytes (BigInt) and a
 * division and a multiplication of doubles (IEEE-754 rounds them the same everywhere).
 *
 * Key: FNV-1a 64 of `exchange + "\0" + symbol` (exchange = the feed's name, the `exchange` label;
 * the NUL keeps "ab"+"c" and "a"+"bc" apart). Shard: Jump Consistent Hash (Lamping and Veach,
 * 2014, arXiv:1406.2294) of that key into `count` buckets. Jump rather than `hash mod count`
 * because it moves the fewest symbols when `count` changes: going from N to N+1 replicas moves
 * only about 1/(N+1) of the symbols, all of them to the new shard N, and the others stay where
 * they were. docs/scaling.md builds its gap-free resharding procedure on that.
 */
import type { ShardConfig } from '../config/types.js';

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const JUMP_MULTIPLIER = 2862933555777941757n;
const TWO_POW_31 = 2 ** 31;
const utf8 = new TextEncoder();

/** FNV-1a, 64-bit, over the UTF-8 bytes of `text`. */
export function fnv1a64(text: string): bigint {
  let h = FNV64_OFFSET;
  for (const byte of utf8.encode(text)) h = ((h ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
  return h;
}

/**
 * Jump Consistent Hash: the bucket in [0, buckets) for a 64-bit key. Growing `buckets` by one
 * moves a key only to the new last bucket, never between existing ones.
 */
export function jumpHash(key: bigint, buckets: number): number {
  if (!Number.isSafeInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  let k = key & MASK64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK64;
    j = Math.floor((b + 1) * (TWO_POW_31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard (0..count-1) that carries `symbol` of the feed named `exchange`. */
export function shardOf(exchange: string, symbol: string, count: number): number {
  if (count === 1) return 0;
  return jumpHash(fnv1a64(`${exchange}\0${symbol}`), count);
}

/** The symbols of one feed that belong to `shard`, in their configured order. */
export function shardSymbols(exchange: string, symbols: readonly string[], shard: ShardConfig): string[] {
  if (shard.count === 1) return [...symbols];
  return symbols.filter((s) => shardOf(exchange, s, shard.count) === shard.index);
}
