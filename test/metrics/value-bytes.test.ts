import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/metrics/text.js';
import { MAX_VALUE_BYTES, writeLongDecimal, writeShortDecimal, writeValue } from '../../src/metrics/value-bytes.js';

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

/**
 * Results of arithmetic, as a scrape prints them: returns, summed sizes, spreads, ratios,
 * averages; and doubles of every mantissa from 1e-6 to 1e15, with the doubles beside each power
 * of ten, where the exponent is decided.
 */
function arithmetic(count: number): number[] {
  const out: number[] = [];
  let volume = 0;
  for (let i = 0; i < count; i++) {
    const bid = Number(((1 + rnd() * 9) * 10 ** (Math.floor(rnd() * 10) - 4)).toFixed(8));
    const ask = Number((bid * (1 + rnd() * 1e-3)).toFixed(8));
    volume += Number((rnd() * 10).toFixed(4));
    out.push(ask / bid - 1, ask - bid, volume, (ask + bid) / 2, 10 ** (-6 + rnd() * 21), rnd() * 1e-3);
  }
  for (let e = -5; e <= 14; e++) {
    for (const start of [10 ** e, Number(`1e${e}`)]) {
      let up = start;
      let down = start;
      for (let j = 0; j < 50; j++) out.push((up = nextUp(up)), (down = nextDown(down)));
    }
  }
  return out.flatMap((x) => [x, -x]);
}

describe('writeLongDecimal', () => {
  it('prints results of arithmetic as JS does, and leaves almost none of them to JSON.stringify', () => {
    const values = arithmetic(50_000).filter((x) => Math.abs(x) >= 1e-6 && Math.abs(x) < 1e15);
    let left = 0;
    let wrong = 0;
    for (const v of values) {
      const { text, inRoom } = written(v, writeLongDecimal);
      if (text === undefined) left++;
      else if (text !== formatValue(v) || !inRoom) {
        wrong++;
        expect({ v, text, inRoom }).toEqual({ v, text: formatValue(v), inRoom: true });
      }
    }
    expect(wrong).toBe(0);
    // Those it leaves: powers of two, and doubles within ~1e-9 of a last digit from the interval's edge or an inexact tie.
    expect(left / values.length).toBeLessThan(1e-4);
  });

  it('prints 16 and 17 digits, and fewer when they read back, in fixed notation', () => {
    const cases: Array<[number, string]> = [
      [0.1 + 0.2, '0.30000000000000004'],
      [1 / 3, '0.3333333333333333'],
      [-2 / 3, '-0.6666666666666666'],
      [123.45678901234567, '123.45678901234567'],
      [0.00012345678901234567, '0.00012345678901234567'],
      [999_999_999_999_999.9, '999999999999999.9'],
      [100.02 - 100.01, '0.009999999999990905'],
      // Exact ties between two decimals that both read back: the even one, as JS picks.
      [898_283_639_086_379.75, '898283639086379.8'],
      [266_362_365_284_523.125, '266362365284523.12'],
      [104.57, '104.57'],
      [-5, '-5'],
      [1_796_400_000_123, '1796400000123'],
      [1e14, '100000000000000'],
    ];
    for (const [v, text] of cases) {
      expect(formatValue(v)).toBe(text);
      expect(written(v, writeLongDecimal).text, text).toBe(text);
    }
  });

  it('leaves powers of two and what JS prints in exponent notation or past 1e15', () => {
    for (const v of [0.5, 2 ** -10, 1024, -(2 ** 40), 1e15, 1e-7, 1e-6, 1e21, 0, Infinity, -Infinity, NaN])
      expect(written(v, writeLongDecimal).text, `${v}`).toBeUndefined();
  });
});
