import { test } from 'vitest';
import assert from 'node:assert/strict';
import { formatSummary, parseNvp, summarise } from '../../bench/gc-phases.js';

// Lines as Node 24's V8 prints them with --trace-gc-nvp, cut short; the third keeps V8's missing
// space between two fields (`0.0clear.join_job`), which must not break the line.
const TEXT = [
  'market-exporter listening on 127.0.0.1:9464',
  '[20089:0x2672f000:0]     5138 ms: pause=2.3 mutator=30.2 gc=s reduce_memory=0 interleaved=0 time_to_safepoint=0.00',
  '[20089:0x2672f000:0]    16577 ms: pause=47.2 mutator=100.3 gc=mc reduce_memory=0 evacuate=2.6 mark=42.9 mark.ephemeron.marking=42.5',
  '[20089:0x2672f000:0]    20932 ms: pause=10.5 mutator=80.0 gc=mc clear.join_filter_job=0.0clear.join_job=0.5 evacuate=6.1 mark.ephemeron.marking=0.1',
  '[20089:0x2672f000:0]    21000 ms: pause=25.0 mutator=9.0 gc=s',
].join('\n');

test('parseNvp reads each collection line: its time, kind and numeric fields', () => {
  const cs = parseNvp(TEXT);
  assert.equal(cs.length, 4);
  assert.deepEqual(cs.map((c) => [c.t, c.kind]), [[5138, 's'], [16577, 'mc'], [20932, 'mc'], [21000, 's']]);
  assert.equal(cs[1]!.fields.get('mark.ephemeron.marking'), 42.5);
  assert.equal(cs[2]!.fields.get('evacuate'), 6.1);
  // The glued token is skipped, the rest of the line still read.
  assert.equal(cs[2]!.fields.get('pause'), 10.5);
});

test('summarise totals full collections and scavenges from a time on', () => {
  const all = summarise(parseNvp(TEXT));
  assert.equal(all.majors, 2);
  assert.equal(all.majorsOver20Ms, 1);
  assert.equal(all.majorPauseMaxMs, 47.2);
  assert.ok(Math.abs(all.majorPauseSumMs - 57.7) < 1e-9);
  assert.ok(Math.abs(all.ephemeronSumMs - 42.6) < 1e-9);
  assert.ok(Math.abs(all.evacuateSumMs - 8.7) < 1e-9);
  assert.equal(all.scavenges, 2);
  assert.equal(all.scavengesOver20Ms, 1);
  assert.equal(all.scavengePauseMaxMs, 25);

  const late = summarise(parseNvp(TEXT), 20_000);
  assert.equal(late.majors, 1);
  assert.equal(late.majorsOver20Ms, 0);
  assert.equal(late.scavenges, 1);
  assert.match(formatSummary(late), /^full collections 1 \(over 20 ms: 0\), pauses 10\.5 ms in all, longest 10\.5 ms; ephemeron marking 0\.1 ms, evacuation 6\.1 ms \| scavenges 1 \(over 20 ms: 1\), longest 25\.0 ms$/);
});
