import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration, parseSize } from '../../src/config/units.js';

test('parseDuration reads Prometheus-style durations', () => {
  const cases: [string, number][] = [
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m5ms', 60_005],
    ['2d3h4m5s6ms', 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000 + 6],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects what is not a duration', () => {
  for (const text of ['', '10', '1.5s', '-1s', '30m1h', '1s1s', '10 seconds', '1S', 'ms', '1w', ' 1s']) {
    assert.equal(parseDuration(text), undefined, JSON.stringify(text));
  }
});

test('formatDuration gives the canonical label', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(60_000), '1m');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(1_500), '1s500ms');
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(86_400_000 + 1), '1d1ms');
});

test('formatDuration and parseDuration round-trip (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms)) === ms),
  );
});

test('parseSize reads bytes with binary and decimal units', () => {
  const cases: [string, number][] = [
    ['65536', 65_536],
    ['512B', 512],
    ['64KiB', 65_536],
    ['1MiB', 1_048_576],
    ['1 MiB', 1_048_576],
    ['2GiB', 2 * 1_073_741_824],
    ['1KB', 1_000],
    ['3MB', 3_000_000],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
  for (const text of ['', '1.5MiB', '1mib', '1 megabyte', '-1', 'MiB']) assert.equal(parseSize(text), undefined, text);
});
