/**
 * A series' number written as its exposition text straight into a byte buffer: the same bytes as
 * formatValue (text.ts), without making a string first.
 *
 * A scrape prints the numbers that changed since the last: at 10k symbols ~100k after every symbol
 * traded, ~400k after their bars closed. JSON.stringify makes a string of each (~130-150 ns, and
 * a young object) that is then copied out byte by byte. Many are short decimals: prices and
 * quantities as venues print them, timestamps in seconds with milliseconds, counts. For those the
 * digits are worked out here in 30-110 ns with no allocation. The rest (results of arithmetic, such
 * as returns and indicators, which need 16-17 digits) are left to JSON.stringify: V8's shortest
 * round-trip printer, which this does not try to reproduce.
 */
import { formatValue } from './text.js';

/** Room a value needs from the position it is written at: JS prints a double in at most 25 characters. */
export const MAX_VALUE_BYTES = 32;

const MINUS = 45;
const ZERO = 48;
const POINT = 46;
/** 10^0 .. 10^22: the powers of ten a double holds exactly. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO_32 = 2 ** 32;

/** Write `v`'s exposition text at `pos` (MAX_VALUE_BYTES of room); returns the position after it. */
export function writeValue(buf: Uint8Array, pos: number, v: number): number {
  const end = writeShortDecimal(buf, pos, v);
  return end >= 0 ? end : writeAscii(buf, pos, formatValue(v));
}

/** A number's text is ASCII: byte per character, faster in JS than a native call for ~20 bytes. */
function writeAscii(buf: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

/**
 * `v` in fixed notation if it has at most 15 significant digits and 1e-6 <= |v| < 1e15 (or is 0);
 * otherwise -1 and nothing useful written.
 *
 * Why this is the text JS prints: in that range JS writes the shortest decimal that reads back as
 * `v`, in fixed notation. Let k be the most decimals a 15-digit number of v's magnitude has.
 * Then n = round(|v| * 10^k) is below 10^15, so the product's rounding error (< 0.25) cannot move
 * the rounding, and n / 10^k (both exact, the division correctly rounded) is the double nearest
 * the decimal n * 10^-k. If that is v, the decimal reads back as v. Decimals k places apart are
 * more than an ulp of v apart at 15 digits, so no other decimal with k or fewer places reads back
 * as v: this one, trailing zeros dropped, is the shortest. k comes from comparisons with exact
 * powers of ten, so it can only come out one too small, and then a 15-digit v falls back too.
 */
export function writeShortDecimal(buf: Uint8Array, pos: number, v: number): number {
  let x = v;
  if (x < 0) {
    buf[pos++] = MINUS;
    x = -x;
  } else if (x === 0) {
    // -0 too: JS prints it as 0.
    buf[pos] = ZERO;
    return pos + 1;
  }
  if (x < TWO_32 && x === x >>> 0) return digits(buf, pos + lengthOf(x), x);
  // Also false for NaN.
  if (!(x >= 1e-6 && x < 1e15)) return -1;
  // e = floor(log10(x)).
  let e = 0;
  if (x >= 1) while (e < 14 && x >= POW10[e + 1]!) e++;
  else {
    e = -1;
    while (x * POW10[-e]! < 1) e--;
  }
  let k = 14 - e;
  const scale = POW10[k]!;
  const n = Math.round(x * scale);
  if (n / scale !== x) return -1;
  const whole = k >= 15 ? 0 : Math.floor(n / scale);
  let frac = n - whole * scale;
  const wholeEnd = digits(buf, pos + lengthOf(whole), whole);
  if (frac === 0) return wholeEnd;
  for (;;) {
    const q = Math.floor(frac / 10);
    if (frac !== q * 10) break;
    frac = q;
    k--;
  }
  buf[wholeEnd] = POINT;
  const end = wholeEnd + 1 + k;
  fixedDigits(buf, end, frac, k);
  return end;
}

/** How many digits the integer u (< 10^16) has. */
function lengthOf(u: number): number {
  let len = 1;
  while (len < 16 && u >= POW10[len]!) len++;
  return len;
}

/** The digits of the integer u (< 10^16) written backwards to end at `end`; returns `end`. */
function digits(buf: Uint8Array, end: number, u: number): number {
  if (u >= TWO_32) {
    // Past uint32 arithmetic: the last 8 digits, then the rest.
    const hi = Math.floor(u / 1e8);
    fixedDigits(buf, end, u - hi * 1e8, 8);
    digits(buf, end - 8, hi);
    return end;
  }
  let at = end;
  do {
    const q = (u / 10) >>> 0;
    buf[--at] = ZERO + u - q * 10;
    u = q;
  } while (u !== 0);
  return end;
}

/** The last `count` digits of the integer u (< 10^16), zeros in front, written backwards to end at `end`. */
function fixedDigits(buf: Uint8Array, end: number, u: number, count: number): void {
  if (u >= TWO_32) {
    const hi = Math.floor(u / 1e8);
    fixedDigits(buf, end, u - hi * 1e8, 8);
    fixedDigits(buf, end - 8, hi, count - 8);
    return;
  }
  for (let at = end - 1; at >= end - count; at--) {
    const q = (u / 10) >>> 0;
    buf[at] = ZERO + u - q * 10;
    u = q;
  }
}
