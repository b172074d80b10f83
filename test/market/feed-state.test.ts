import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { FeedState } from '../../src/market/feed-state.js';

const cfg = { intervals: [], windows: [], indicators: DEFAULT_INDICATORS };

test('data silence is the quietest connection\'s, counted from the start until its first trade', () => {
  const f = new FeedState('x', ['A', 'B'], cfg, 1_000_000);
  f.connectionsPlanned = 2;
  assert.equal(f.dataSilence(1_005_000), 5, 'no data yet: since the feed started');
  f.noteData(0, 1_006_000);
  assert.equal(f.dataSilence(1_007_000), 7, 'connection 1 has still sent nothing');
  f.noteData(1, 1_007_000);
  f.noteData(0, 1_010_000);
  assert.equal(f.dataSilence(1_012_000), 5, 'connection 1 is the quiet one: its traffic is not hidden by connection 0\'s');
});

test('a feed with no planned connection (no symbols in this shard) has no silence to report', () => {
  const f = new FeedState('x', [], cfg, 0);
  assert.ok(Number.isNaN(f.dataSilence(60_000)));
});

test('the symbols share one indicator bank; a slot per interval is taken at its first closed bar only', () => {
  const intervals = [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }];
  const f = new FeedState('x', ['A', 'B', 'C'], { ...cfg, intervals }, 0);
  for (let t = 0; t <= 6; t++) f.symbols.get('A')!.applyTrade(100 + t, 1, 60_000 * t);
  f.symbols.get('B')!.applyTrade(100, 1, 0);
  f.symbols.get('B')!.applyTrade(101, 1, 60_000);
  // A closed 1m and 5m bars, B one 1m bar, C never traded.
  assert.equal(f.indicators.size, 3);
  assert.deepEqual(
    [...f.symbols.values()].map((s) => s.intervals.map((iv) => iv.slot >= 0)),
    [
      [true, true],
      [true, false],
      [false, false],
    ],
  );
});
