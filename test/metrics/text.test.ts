import { describe, expect, it } from 'vitest';
import { formatValue } from '../../src/metrics/text.js';

/** Doubles of every magnitude and kind the exposition can carry, reproducible. */
function samples(): number[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const out = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 1 / 3, 2 ** 53, 2 ** 53 + 2, -(2 ** 31), 2 ** 31, 1e21, 1e-7, 123e-20, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308];
  for (let e = -320; e <= 308; e += 7) out.push(rnd() * 10 ** e, -rnd() * 10 ** e);
  // What the fast lane prints most: prices as venues send them, returns, timestamps in seconds.
  for (let i = 0; i < 500; i++) {
    const price = Number((rnd() * 1e5).toFixed(8));
    out.push(price, price / Number((rnd() * 1e5).toFixed(8)) - 1, (1_796_400_000_000 + Math.floor(rnd() * 1e9)) / 1000, Math.floor(rnd() * 1e9));
  }
  return out;
}

describe('formatValue', () => {
  it('prints the special values as the text format spells them', () => {
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(NaN)).toBe('NaN');
  });

  it('prints every finite number as String() does: the shortest text that reads back as the same double', () => {
    const values = samples();
    expect(values.length).toBeGreaterThan(2000);
    for (const v of values) {
      const text = formatValue(v);
      expect(text, `${v}`).toBe(String(v));
      // === rather than toBe: -0 prints as 0, as the format has it.
      expect(Number(text) === v, text).toBe(true);
    }
  });
});
