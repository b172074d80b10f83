/**
 * A scrape's numbers printed alone, in one process: nanoseconds per value for writeValue
 * (src/metrics/value-bytes.ts, what the renderer calls) and for JSON.stringify with its text copied
 * out byte by byte (what writeValue falls back to), over the kinds of number a scrape prints. Every
 * value's bytes are first checked against JSON.stringify's: a difference is printed and the run
 * fails (exit 1).
 *
 *   node --import tsx bench/value-micro.ts [values per kind=1000000] [rounds=5]
 *
 * Prints, per kind, each one's median over the rounds, writeValue's as a share of JSON.stringify's,
 * and how many of the values neither of writeValue's own paths decided.
 */
import { median } from './stats.js';
import { MAX_VALUE_BYTES, writeLongDecimal, writeShortDecimal, writeValue } from '../src/metrics/value-bytes.js';

const count = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);

let seed = 7;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
/** A venue's price: 2 to 7 significant digits, from 1e-4 to 1e6. */
const price = () => Number(((1 + rnd() * 9) * 10 ** (Math.floor(rnd() * 10) - 4)).toPrecision(2 + Math.floor(rnd() * 6)));
const series = (f: (i: number) => number) => Float64Array.from({ length: count }, (_, i) => f(i));

let volume = 0;
let ema = 100;
let walk = 100;
const windowReturn = () => {
  const open = price();
  return Number((open * (1 + (rnd() - 0.5) * 0.02)).toFixed(8)) / open - 1;
};
const spread = () => {
  const bid = Number((100 + rnd() * 10).toFixed(2));
  return Number((bid + 0.01 * (1 + Math.floor(rnd() * 3))).toFixed(2)) - bid;
};
const emaOfWalk = () => {
  walk = Number((walk * (1 + (rnd() - 0.5) * 0.002)).toFixed(2));
  return (ema += (2 / 21) * (walk - ema));
};
const KINDS: Array<[string, Float64Array]> = [
  ['prices as venues print them', series(price)],
  ['times in seconds, with ms', series(() => (1_796_400_000_000 + Math.floor(rnd() * 1e9)) / 1000)],
  ['counts', series(() => Math.floor(rnd() * 1e7))],
  ['window returns', series(windowReturn)],
  ['summed traded volumes', series(() => (volume += Number((rnd() * 10).toFixed(4))))],
  ['spreads (ask - bid)', series(spread)],
  ['indicators (an EMA of a walk)', series(emaOfWalk)],
];

const buf = new Uint8Array(MAX_VALUE_BYTES);
const text = (end: number) => String.fromCharCode(...buf.subarray(0, end));
/** JSON.stringify's text copied out as writeValue's fallback copies it. */
function viaString(out: Uint8Array, v: number): number {
  const s = JSON.stringify(v);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return s.length;
}
function timed(values: Float64Array, write: (out: Uint8Array, v: number) => number): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < values.length; i++) sink += write(buf, values[i]!);
  const ns = ((performance.now() - t0) * 1e6) / values.length;
  return sink < 0 ? NaN : ns;
}

let wrong = 0;
console.log(`${count} values a kind, Node ${process.version}, medians of ${rounds} rounds (ns a value):`);
for (const [name, values] of KINDS) {
  let left = 0;
  for (const v of values) {
    const want = JSON.stringify(v);
    const got = text(writeValue(buf, 0, v));
    if (got !== want && wrong++ < 10) console.log(`  ${name}: ${want} written as ${got}`);
    if (writeShortDecimal(buf, 0, v) < 0 && writeLongDecimal(buf, 0, v) < 0) left++;
  }
  const own: number[] = [];
  const json: number[] = [];
  for (let r = 0; r < rounds; r++) {
    own.push(timed(values, (out, v) => writeValue(out, 0, v)));
    json.push(timed(values, viaString));
  }
  const [a, b] = [median(own), median(json)];
  console.log(
    `${name}: writeValue ${a.toFixed(0)}, JSON.stringify ${b.toFixed(0)} (${((100 * a) / b).toFixed(1)}%); left to JSON.stringify ${left} of ${values.length}`,
  );
}
console.log(`same bytes as JSON.stringify: ${wrong === 0 ? 'yes' : `NO (${wrong} values)`}`);
if (wrong > 0) process.exitCode = 1;
