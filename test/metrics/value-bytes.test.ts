import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/metrics/text.js';
import { MAX_VALUE_BYTES, writeShortDecimal, writeValue } from '../../src/metrics/value-bytes.js';

let seed = 11;
const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
const ascii = new TextDecoder('ascii');

/** v written at an offset into a buffer of sentinels: its text, and whether it stayed in its room. */
function written(v: number, write = writeValue): { text: string | undefined; inRoom: boolean } {
  const buf = new Uint8Array(3 + MAX_VALUE_BYTES + 3).fill(0xff);
  const end = write(buf, 3, v);
  const inRoom = buf.subarray(0, 3).every((b) => b === 0xff) && buf.subarray(3 + MAX_VALUE_BYTES).every((b) => b === 0xff);
  return { text: end < 0 ? undefined : ascii.decode(buf.subarray(3, end)), inRoom };
}

const nextUp = (x: number): number => {
  const d = new DataView(new ArrayBuffer(8));
  d.setFloat64(0, x);
  d.setBigInt64(0, d.getBigInt64(0) + (x >= 0 ? 1n : -1n));
  return d.getFloat64(0);
};
const nextDown = (x: number): number => -nextUp(-x);

/** Doubles at and beside every edge the short path decides on. */
function edges(): number[] {
  const out = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1 / 3, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e-7, Infinity, -Infinity, NaN];
  out.push(Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_SAFE_INTEGER, 999_999_999_999_999, 999_999_999_999_999.9);
  for (let e = -8; e <= 22; e++) for (const x of [10 ** e, Number(`1e${e}`), 9.5 * 10 ** e, Number(`9.99999999999999e${e}`)]) out.push(x, nextUp(x), nextDown(x));
  return out.flatMap((x) => [x, -x]);
}

/** Decimals of 1 to 17 significant digits, from 1e-9 to 1e17, as a venue or a clock prints them. */
function decimals(count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const digits = 1 + Math.floor(rnd() * 17);
    let mantissa = String(1 + Math.floor(rnd() * 9));
    for (let d = 1; d < digits; d++) mantissa += String(Math.floor(rnd() * 10));
    out.push(Number(`${rnd() < 0.2 ? '-' : ''}${mantissa}e${Math.floor(rnd() * 27) - 9 - digits}`));
  }
  return out;
}

/** Every kind of double: random bit patterns (subnormals, huge, NaN payloads included). */
function bitPatterns(count: number): number[] {
  const d = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    d.setUint32(0, Math.floor(rnd() * 2 ** 32));
    d.setUint32(4, Math.floor(rnd() * 2 ** 32));
    out.push(d.getFloat64(0));
  }
  return out;
}

/**
 * What a scrape prints most: prices and sizes with 8 places (prices up to 1e6: venues print fewer
 * places above), seconds with milliseconds, counts, and arithmetic on them.
 */
function marketValues(count: number): number[] {
  const out: number[] = [];
  let volume = 0;
  for (let i = 0; i < count; i++) {
    const price = Number(((1 + rnd() * 9) * 10 ** (Math.floor(rnd() * 10) - 4)).toFixed(8));
    const qty = Number((rnd() * 100).toFixed(8));
    volume += qty;
    out.push(price, qty, volume, (1_796_400_000_000 + Math.floor(rnd() * 1e9)) / 1000, Math.floor(rnd() * 1e9), price * 1.0001 - price, price / 1.37 - 1);
  }
  return out;
}

describe('writeValue', () => {
  it('writes the same text as formatValue for every kind of double, within its room', () => {
    const values = [...edges(), ...decimals(100_000), ...bitPatterns(100_000), ...marketValues(20_000)];
    let wrong = 0;
    for (const v of values) {
      const { text, inRoom } = written(v);
      if (text !== formatValue(v) || !inRoom) {
        wrong++;
        expect({ v, text, inRoom }).toEqual({ v, text: formatValue(v), inRoom: true });
      }
    }
    expect(wrong).toBe(0);
  });

  it('reads back as the same double', () => {
    for (const v of [...decimals(10_000), ...marketValues(2_000)]) expect(Number(written(v).text) === v, `${v}`).toBe(true);
  });
});

describe('writeShortDecimal', () => {
  it('takes prices and sizes with 8 places, seconds with milliseconds and counts, and prints them as JS does', () => {
    const short = marketValues(10_000).filter((_, i) => i % 7 !== 2 && i % 7 < 5);
    for (const v of short) expect(written(v, writeShortDecimal).text, `${v}`).toBe(formatValue(v));
    for (const v of decimals(50_000)) {
      const { text } = written(v, writeShortDecimal);
      if (text !== undefined) expect(text, `${v}`).toBe(formatValue(v));
    }
  });

  it('leaves to JSON.stringify what needs more than 15 digits or exponent notation', () => {
    for (const v of [0.1 + 0.2, 1 / 3, 2 / 3 - 1, 123.45678901234567, 1e15, 2 ** 53, 1e-7, 9.99e-7, Infinity, -Infinity, NaN, Number.MIN_VALUE])
      expect(written(v, writeShortDecimal).text, `${v}`).toBeUndefined();
  });

  it('decides on 15 digits: takes them, leaves 16', () => {
    expect(written(123_456_789.012345, writeShortDecimal).text).toBe('123456789.012345');
    expect(written(0.000123456789012345, writeShortDecimal).text).toBe('0.000123456789012345');
    expect(written(-999_999_999_999_999, writeShortDecimal).text).toBe('-999999999999999');
    expect(written(1234567890.123456, writeShortDecimal).text).toBeUndefined();
  });
});
