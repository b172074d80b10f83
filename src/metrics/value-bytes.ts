/**
 * A series' number written as its exposition text straight into a byte buffer: the same bytes as
 * formatValue (text.ts), without making a string first.
 *
 * A scrape prints the numbers that changed since the last: at 10k symbols ~100k after every symbol
 * traded, ~400k after their bars closed. JSON.stringify makes a string of each (~130-150 ns, and
 * a young object) that is then copied out byte by byte. Here the digits are worked out with no
 * allocation. Counts and other whole numbers take writeShortDecimal's integer digits. Every other
 * number takes writeLongDecimal: short decimals (prices and quantities as venues print them,
 * timestamps in seconds with milliseconds) and the results of arithmetic that need 16-17 digits
 * (returns, summed volumes, spreads, indicators) alike, found with exact products. What it leaves
 * (powers of two, doubles within a hair of a tie or of their interval's edge) goes to
 * writeShortDecimal's 15-digit path, and what that cannot decide (exponent notation among it) to
 * JSON.stringify, V8's shortest round-trip printer.
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

/**
 * Write `v`'s exposition text at `pos`; returns the position after it. It may write digits past
 * that position too, within its room of MAX_VALUE_BYTES from `pos`.
 */
export function writeValue(buf: Uint8Array, pos: number, v: number): number {
  // Counts and whole numbers take the short path's integer digits; everything else in fixed
  // notation the long path (faster than the short one even for short decimals), and what that
  // leaves (powers of two among them) the short one.
  let end = v >>> 0 === v ? writeShortDecimal(buf, pos, v) : writeLongDecimal(buf, pos, v);
  if (end < 0) end = writeShortDecimal(buf, pos, v);
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

/*
 * writeLongDecimal: the shortest decimal that reads back as v, found as JS finds it.
 *
 * JS prints the shortest decimal inside v's rounding interval (v ± half an ulp), and of several
 * that short the one nearest v. With 15 significant digits at most one fits (decimals that long
 * are further apart than an ulp); with 17 the nearest always fits. So for c = 15, 16, 17 in turn:
 * take the c-digit decimal nearest v and stop at the first that lies inside the interval.
 *
 * All three come from one exact product P = v * 10^k, k chosen so that P has 17 digits before the
 * point: 10^k (k <= 22) is an exact double, and Dekker's product gives the rounded product and its
 * exact error as two doubles. The distances from P to the nearest decimals come out within ~1e-15
 * of the 17th digit, so a double within NEAR of the interval's edge or of an inexact tie is left
 * to the short path and JSON.stringify, as is a power of two (its interval is narrower below it
 * than above). An exact tie (two decimals equally near, both inside) goes to the even digit, as
 * V8 picks.
 */

/** 2^27 + 1: splits a double into two halves whose products are exact (Dekker). */
const SPLIT = 134_217_729;
const halfOf = (p: number): number => SPLIT * p - (SPLIT * p - p);
const POW10_HI = POW10.map(halfOf);
const POW10_LO = POW10.map((p, i) => p - POW10_HI[i]!);
/** Closer than this to a tie or to the interval's edge (in units of the decimal's last digit): unsure. */
const NEAR = 1e-9;
/** The bits of a double: its exponent gives the ulp, its fraction says if it is a power of two. */
const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HIGH_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;
/**
 * Per binary exponent from 2^-20 (below 1e-6) to 2^49 (above 1e15): floor(log10) of the binade's
 * start, the (rounded) power of ten after it, which at most one of its doubles pass, and half
 * the binade's ulp. A double beside that power of ten can get the wrong exponent here: the
 * product then says so.
 */
const MIN_EXPONENT = 1023 - 20;
const BINADES = 70;
const FLOOR_LOG10 = Int8Array.from({ length: BINADES }, (_, i) => Math.floor(Math.log10(2 ** (i - 20))));
const NEXT_POW10 = Float64Array.from(FLOOR_LOG10, (e) => Number(`1e${e + 1}`));
const HALF_ULP = Float64Array.from({ length: BINADES }, (_, i) => 2 ** (i - 20 - 53));
/** The rounding error of `product` = v * 10^k (k <= 22): v * 10^k = product + error exactly (Dekker). */
function productError(v: number, k: number, product: number): number {
  const vh = halfOf(v);
  const vl = v - vh;
  const ph = POW10_HI[k]!;
  const pl = POW10_LO[k]!;
  return vh * ph - product + vh * pl + vl * ph + vl * pl;
}

/**
 * `v` in fixed notation if 1e-6 <= |v| < 1e15 and its shortest decimal has 15 to 17 significant
 * digits (or fewer: then it is found at 15 and its zeros dropped), as JS prints it; otherwise -1
 * (nothing useful written), also where it cannot be sure.
 */
export function writeLongDecimal(buf: Uint8Array, pos: number, v: number): number {
  let at = pos;
  let x = v;
  if (x < 0) {
    buf[at++] = MINUS;
    x = -x;
  }
  // Also false for NaN.
  if (!(x >= 1e-6 && x < 1e15)) return -1;
  BITS[0] = x;
  const high = WORDS[HIGH_WORD]!;
  if ((high & 0xfffff) === 0 && WORDS[1 - HIGH_WORD] === 0) return -1;
  const binade = (high >>> 20) - MIN_EXPONENT;
  // e = floor(log10(x)); P = x * 10^(16 - e) is then in [1e16, 1e17).
  let e = FLOOR_LOG10[binade]!;
  if (x >= NEXT_POW10[binade]!) e++;
  if (e < -6) return -1;
  let product = x * POW10[16 - e]!;
  let error = productError(x, 16 - e, product);
  if (product < 1e16 || (product === 1e16 && error < 0)) {
    if (--e < -6) return -1;
    product = x * POW10[16 - e]!;
    error = productError(x, 16 - e, product);
  } else if (product > 1e17 || (product === 1e17 && error >= 0)) {
    e++;
    product = x * POW10[16 - e]!;
    error = productError(x, 16 - e, product);
  }
  // P = N + f: the integer N (past 2^53, so in two exact parts: upper * 1e8 + lower), 0 <= f < 1.
  const down = Math.floor(error);
  const f = error - down;
  // A multiplication, not a division: one off at most, which the loops below put right.
  let upper = Math.floor(product * 1e-8);
  let lower = product - upper * 1e8 + down;
  while (lower < 0) {
    lower += 1e8;
    upper--;
  }
  while (lower >= 1e8) {
    lower -= 1e8;
    upper++;
  }
  // Half an ulp of x, in units of P's last digit (at c digits, 10^(17 - c) times fewer).
  const half = HALF_ULP[binade]! * POW10[16 - e]!;
  // 15 digits, then 16, then 17: P's last two digits, then one, then none rounded off.
  const low = lower | 0;
  let cut = low % 100;
  let step = rounding(cut, f, 0.01, half * 0.01, 100, f === 0 && cut === 50, (((low / 100) | 0) & 1) === 0);
  if (step === NOT_INSIDE) {
    cut = low % 10;
    step = rounding(cut, f, 0.1, half * 0.1, 10, f === 0 && cut === 5, (((low / 10) | 0) & 1) === 0);
    if (step === NOT_INSIDE) {
      cut = 0;
      step = rounding(0, f, 1, half, 1, f === 0.5, (low & 1) === 0);
    }
  }
  // Unsure, or (17 digits) unreachable: the nearest 17-digit decimal is always inside the interval.
  if (step < 0) return -1;
  lower += step - cut;
  if (lower >= 1e8) {
    lower -= 1e8;
    upper++;
  }
  // Rounded up to 10^17: a power of ten, which JS prints shorter.
  // Both parts as int32: passed to a call that is not inlined, a double would be boxed.
  return upper >= 1e9 ? -1 : writeDigits(buf, at, upper | 0, lower | 0, e);
}

const NOT_INSIDE = -1;
const UNSURE = -2;

/**
 * Whether P's last digits `cut` and its fraction f, rounded off, leave a decimal inside the
 * interval. unit is the decimal's last digit in units of P's (1/100, 1/10 or 1), edge half an ulp
 * in units of the decimal's last digit. Returns what to add to `cut` to round: 0 (down) or `up`
 * (1 / unit); NOT_INSIDE; or UNSURE, within NEAR of the edge or of a tie that is not exact.
 * An exact tie (x with few bits after the point, past ~1e12) goes to the even digit, as JS does.
 */
function rounding(cut: number, f: number, unit: number, edge: number, up: number, tie: boolean, even: boolean): number {
  const frac = (cut + f) * unit;
  const roundUp = frac >= 0.5;
  const distance = roundUp ? 1 - frac : frac;
  if (distance > edge + NEAR) return NOT_INSIDE;
  if (distance >= edge - NEAR) return UNSURE;
  if (tie) return even ? 0 : up;
  if (Math.abs(distance - 0.5) < NEAR) return UNSURE;
  return roundUp ? up : 0;
}

/** "00" to "99": two digits at a time halves the divisions. */
const PAIRS = Uint8Array.from({ length: 200 }, (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : ((i >> 1) / 10) | 0));

/** The last `count` (even) digits of the int32 u, zeros in front, written backwards to end at `end`. */
function pairsInto(buf: Uint8Array, end: number, u: number, count: number): void {
  for (let at = end - 2; at >= end - count; at -= 2) {
    const q = (u / 100) | 0;
    const r = (u - q * 100) << 1;
    buf[at] = PAIRS[r]!;
    buf[at + 1] = PAIRS[r + 1]!;
    u = q;
  }
}

/**
 * The 17-digit integer upper * 1e8 + lower as the decimal with 16 - e places, zeros after the
 * last digit dropped. All 17 digits are written, in place, and the end returned is before the
 * dropped zeros: it writes past that end, within the value's room (MAX_VALUE_BYTES).
 */
function writeDigits(buf: Uint8Array, pos: number, upper: number, lower: number, e: number): number {
  const first = (upper / 1e8) | 0;
  if (e < 0) {
    // 0.000ddd: the digits after 1 - e bytes.
    buf[pos] = ZERO;
    buf[pos + 1] = POINT;
    for (let z = pos + 2; z < pos + 1 - e; z++) buf[z] = ZERO;
    const start = pos + 1 - e;
    buf[start] = ZERO + first;
    pairsInto(buf, start + 9, upper - first * 1e8, 8);
    pairsInto(buf, start + 17, lower, 8);
    let last = start + 16;
    while (buf[last] === ZERO) last--;
    return last + 1;
  }
  // ddd.ddd: the digits one byte on, then the first e + 1 moved back before the point.
  buf[pos + 1] = ZERO + first;
  pairsInto(buf, pos + 10, upper - first * 1e8, 8);
  pairsInto(buf, pos + 18, lower, 8);
  const point = pos + e + 1;
  for (let i = pos; i < point; i++) buf[i] = buf[i + 1]!;
  buf[point] = POINT;
  let last = pos + 17;
  while (last > point && buf[last] === ZERO) last--;
  return last === point ? point : last + 1;
}
