/**
 * A frame layout known to the byte: literal text between typed fields, read without JSON.parse.
 *
 * A venue's hot frames (a Binance trade, a book ticker) come in one compact layout, field for field
 * as documented, tens of thousands a second. JSON.parse builds an object of strings for each, and
 * was the largest single cost of a frame in the throughput profile. A shape reads the same frame in
 * one pass over its characters and yields the fields; anything that departs from the layout in
 * any way (another field, whitespace, an escape, a number JSON.parse would read differently) is
 * not matched, and the adapter parses that frame in full as before. So a match only ever stands
 * for a frame the full parse reads the same way (test/feeds/shape.test.ts checks the two agree).
 *
 * Fields: `INT` a JSON integer without sign, fraction or leading zero, up to 2^53 - 1 (exact);
 * `STR` the characters of a JSON string up to its closing quote, none of them an escape or a
 * control character (so the text is the string's value); `DEC` such a string read as a number,
 * exactly as `+text` reads it (venues quote prices and sizes); `SKIP` such a string, not kept;
 * `BOOL` true or false.
 * Pure; `match` writes the fields into an array it is given, so a match allocates only the
 * strings it returns.
 */

export const INT = 0;
export const STR = 1;
export const BOOL = 2;
export const DEC = 3;
export const SKIP = 4;
type Field = typeof INT | typeof STR | typeof BOOL | typeof DEC | typeof SKIP;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const DOT = 0x2e;
/** 2^53 has 16 digits: every integer of at most 16 digits up to it is built exactly digit by digit. */
const MAX_DIGITS = 16;
/**
 * A decimal of at most 15 digits is m / 10^f with m < 2^53 and 10^f a double, both exact, and one
 * IEEE division rounds correctly, as `+text` does: the same double, without the string or the
 * general conversion. Longer or other text (an exponent, a sign) takes `+text` itself.
 */
const MAX_EXACT_DIGITS = 15;
const POW10 = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, i) => 10 ** i);

export class Shape {
  private readonly parts: readonly (string | Field)[];

  /** Literal text and fields, in order; two fields never touch (a literal must separate them). */
  constructor(...parts: (string | Field)[]) {
    for (let i = 1; i < parts.length; i++)
      if (typeof parts[i] === 'number' && typeof parts[i - 1] === 'number') throw new Error('shape: two fields must be separated by literal text');
    this.parts = parts;
  }

  /**
   * Match the shape at `from`; returns the index after it, or -1. `out` receives the fields in
   * order (numbers, strings, booleans).
   */
  match(text: string, from: number, out: (number | string | boolean)[]): number {
    let at = from;
    let k = 0;
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (typeof p === 'string') {
        if (!text.startsWith(p, at)) return -1;
        at += p.length;
      } else if (p === INT) {
        const start = at;
        let n = 0;
        for (let c = text.charCodeAt(at) - ZERO; c >= 0 && c <= 9; c = text.charCodeAt(++at) - ZERO) n = n * 10 + c;
        const digits = at - start;
        if (digits === 0 || digits > MAX_DIGITS || n > Number.MAX_SAFE_INTEGER || (digits > 1 && text.charCodeAt(start) === ZERO)) return -1;
        out[k++] = n;
      } else if (p === STR || p === SKIP) {
        const start = at;
        for (let c = text.charCodeAt(at); c !== QUOTE; c = text.charCodeAt(++at))
          // NaN (past the end) fails c >= 0x20 too.
          if (!(c >= 0x20) || c === BACKSLASH) return -1;
        if (p === STR) out[k++] = text.slice(start, at);
      } else if (p === DEC) {
        const start = at;
        let m = 0;
        let digits = 0;
        let dot = -1;
        for (let c = text.charCodeAt(at); c !== QUOTE; c = text.charCodeAt(++at)) {
          const d = c - ZERO;
          if (d >= 0 && d <= 9) {
            m = m * 10 + d;
            digits++;
          } else if (c === DOT && dot < 0) dot = at;
          // NaN (past the end) fails c >= 0x20 too.
          else if (!(c >= 0x20) || c === BACKSLASH) return -1;
          else digits = Infinity;
        }
        const places = dot < 0 ? 0 : at - dot - 1;
        // Digits on both sides of a dot: "5." and ".5" are numbers to `+` but not to the fast path.
        const plain = digits > 0 && digits <= MAX_EXACT_DIGITS && (dot < 0 || (dot > start && places > 0));
        out[k++] = plain ? m / POW10[places]! : +text.slice(start, at);
      } else if (text.startsWith('true', at)) {
        at += 4;
        out[k++] = true;
      } else if (text.startsWith('false', at)) {
        at += 5;
        out[k++] = false;
      } else return -1;
    }
    return at;
  }
}
