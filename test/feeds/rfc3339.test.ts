import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRfc3339 } from '../../src/feeds/rfc3339.js';

describe('parseRfc3339', () => {
  test('microseconds are kept as a fraction of a millisecond', () => {
    const ms = parseRfc3339('2023-09-25T07:49:37.708706Z');
    assert.equal(Math.floor(ms), Date.UTC(2023, 8, 25, 7, 49, 37, 708));
    // A double near 1.7e12 resolves about 0.00024 ms: the microseconds survive, not much more.
    assert.ok(Math.abs(ms - Math.floor(ms) - 0.706) < 1e-3, `fraction of ${ms}`);
  });

  test('no fraction, one digit, nine digits', () => {
    assert.equal(parseRfc3339('2014-11-07T08:19:28Z'), Date.UTC(2014, 10, 7, 8, 19, 28));
    assert.equal(parseRfc3339('2014-11-07T08:19:28.5Z'), Date.UTC(2014, 10, 7, 8, 19, 28, 500));
    const ns = parseRfc3339('2014-11-07T08:19:28.123456789Z');
    assert.ok(Math.abs(ns - (Date.UTC(2014, 10, 7, 8, 19, 28, 123) + 0.456789)) < 1e-3);
  });

  test('offsets move the instant; lowercase t and z are RFC 3339 too', () => {
    const utc = Date.UTC(2024, 6, 24, 12, 0, 0);
    assert.equal(parseRfc3339('2024-07-24T14:30:00+02:30'), utc);
    assert.equal(parseRfc3339('2024-07-24T07:00:00-05:00'), utc);
    assert.equal(parseRfc3339('2024-07-24t12:00:00z'), utc);
  });

  test('leap years and month lengths', () => {
    assert.equal(parseRfc3339('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
    assert.equal(parseRfc3339('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
    for (const bad of ['2023-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z', '2024-00-10T00:00:00Z']) {
      assert.ok(Number.isNaN(parseRfc3339(bad)), bad);
    }
  });

  test('anything else is NaN', () => {
    const bad = [
      '',
      '2023-09-25',
      '2023-09-25 07:49:37Z',
      '2023-09-25T07:49:37',
      '2023-09-25T07:49:37.Z',
      '2023-09-25T07:49:37.1234567890Z',
      '2023-09-25T24:00:00Z',
      '2023-09-25T23:60:00Z',
      '2023-09-25T07:49:37+0200',
      '2023-09-25T07:49:37+24:00',
      '2023-09-25T07:49:37Zjunk',
      '0999-09-25T07:49:37Z',
      '2023-9-25T07:49:37.000Z',
      '2O23-09-25T07:49:37Z',
      '1721822400123',
    ];
    for (const s of bad) assert.ok(Number.isNaN(parseRfc3339(s)), s);
  });

  test('property: agrees with Date for every millisecond-precision ISO string', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (t) => {
        assert.equal(parseRfc3339(new Date(t).toISOString()), t);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => void parseRfc3339(s)), { numRuns: 1000 });
  });
});
