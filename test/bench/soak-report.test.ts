import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { slope, summarise, type SoakSample } from '../../bench/soak-report.js';

const MiB = 1024 * 1024;

/** A sample every 5 s for `minutes`, heap and RSS from the given functions of t (seconds). */
function run(minutes: number, heap: (t: number) => number, rss: (t: number) => number, series = (_t: number) => 1000): SoakSample[] {
  const out: SoakSample[] = [];
  for (let t = 0; t <= minutes * 60; t += 5) {
    out.push({ t, rssBytes: rss(t) * MiB, heapUsedBytes: heap(t) * MiB, series: series(t) + 50, marketSeries: series(t), loopLagP99: 0.01, loopLagMax: 0.02, trades: t * 100, reconnects: 0, conflated: 0, errors: 0, scrapeSeconds: 0.005 });
  }
  return out;
}

// A sawtooth: garbage piles up for 30 s and is collected, the way a V8 heap looks under load.
const saw = (base: number, amp: number) => (t: number) => base + amp * ((t % 30) / 30);

describe('soak summary', () => {
  test('slope is least squares', () => {
    assert.equal(slope([0, 1, 2, 3], [1, 3, 5, 7]), 2);
    assert.ok(Number.isNaN(slope([1], [1])));
    assert.ok(Number.isNaN(slope([2, 2], [1, 5])));
  });

  test('a sawtooth around a flat floor is flat; series constant; lag bounded: OK', () => {
    const s = summarise({ minutes: 30, warmupSeconds: 120, samples: run(30, saw(20, 15), saw(100, 20)), bursts: 30, disconnects: 15 });
    assert.ok(s.ok, s.verdicts.join('\n'));
    assert.ok(Math.abs(s.heapMiB.floorSlopePerHour) < 1, `${s.heapMiB.floorSlopePerHour}`);
    assert.equal(s.tradesPerSecond, 100);
  });

  test('a heap floor rising 30 MiB/h and an RSS ceiling rising 60 MiB/h are leaks, sawtooth or not', () => {
    const leak = (t: number) => saw(20, 15)(t) + (30 * t) / 3600;
    const s = summarise({ minutes: 30, warmupSeconds: 120, samples: run(30, leak, (t) => saw(100, 20)(t) + (60 * t) / 3600), bursts: 0, disconnects: 0 });
    assert.equal(s.ok, false);
    assert.ok(Math.abs(s.heapMiB.floorSlopePerHour - 30) < 2, `${s.heapMiB.floorSlopePerHour}`);
    assert.ok(s.verdicts.some((v) => v.startsWith('heap: floor GROWING')));
    assert.ok(s.verdicts.some((v) => v.startsWith('rss: ceiling RISING')));
  });

  test('series that keep appearing after the warm-up fail the run', () => {
    const s = summarise({ minutes: 10, warmupSeconds: 60, samples: run(10, saw(20, 5), saw(100, 5), (t) => 1000 + Math.floor(t / 60)), bursts: 0, disconnects: 0 });
    assert.equal(s.ok, false);
    assert.ok(s.verdicts.some((v) => v.startsWith('market series: GREW')));
  });
});
