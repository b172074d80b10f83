import { test } from 'vitest';
import assert from 'node:assert/strict';
import { IngestQueue, type Applier, type Queued } from '../../src/market/queue.js';
import { SymbolState, type Merged } from '../../src/market/symbol.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '1m', ms: 60_000 }], indicators: DEFAULT_INDICATORS };
const trade = (price: number, size = 1, eventTime = 1000): Queued => ({ kind: 'trade', price, size, eventTime });

function recorder() {
  const log: string[] = [];
  const applier: Applier = {
    apply: (s, ev) => void log.push(`${s.symbol}:${ev.kind === 'trade' ? ev.price : 'q'}`),
    applyMerged: (s, m: Merged) => void log.push(`${s.symbol}:merged(${m.price},n=${m.events},v=${m.size},h=${m.high},l=${m.low})`),
  };
  return { log, applier };
}

test('below capacity every event is applied in order, none conflated', () => {
  const q = new IngestQueue(4);
  const a = new SymbolState('x', 'A', cfg);
  for (const p of [1, 2, 3]) assert.equal(q.push(a, trade(p)), false);
  const { log, applier } = recorder();
  assert.equal(q.drain(applier, 100), 3);
  assert.deepEqual(log, ['A:1', 'A:2', 'A:3']);
  assert.equal(q.conflated, 0);
  assert.equal(q.depth, 0);
});

test('past capacity a symbol folds into one merged record, applied after its queued events', () => {
  const q = new IngestQueue(2);
  const a = new SymbolState('x', 'A', cfg);
  const b = new SymbolState('x', 'B', cfg);
  q.push(a, trade(10));
  q.push(b, trade(20));
  // Full: these fold. A's later events must never overtake A's queued one.
  assert.equal(q.push(a, trade(11, 2)), true);
  assert.equal(q.push(a, trade(9, 3)), true);
  assert.equal(q.push(a, trade(12, 4)), true);
  assert.equal(q.depth, 3);
  const { log, applier } = recorder();
  q.drain(applier, 100);
  assert.deepEqual(log, ['A:10', 'A:merged(12,n=3,v=9,h=12,l=9)', 'B:20']);
  assert.equal(q.conflated, 3);
  assert.equal(q.depth, 0);
});

test('once a symbol has a merged record, its new events join it even when the ring has room', () => {
  const q = new IngestQueue(1);
  const a = new SymbolState('x', 'A', cfg);
  q.push(a, trade(1));
  q.push(a, trade(2)); // full -> merged
  const { log, applier } = recorder();
  q.drain(applier, 1); // applies A:1 then its merged record right after
  assert.deepEqual(log, ['A:1', 'A:merged(2,n=1,v=1,h=2,l=2)']);
  assert.equal(q.push(a, trade(3)), false, 'merged record was flushed, so the ring takes it again');
});

test('a merged record with nothing older queued is applied first in the next drain', () => {
  const q = new IngestQueue(1);
  const a = new SymbolState('x', 'A', cfg);
  const b = new SymbolState('x', 'B', cfg);
  q.push(a, trade(1));
  q.push(b, trade(5)); // ring full: B merges with nothing of B queued
  const { log, applier } = recorder();
  q.drain(applier, 100);
  assert.deepEqual(log, ['B:merged(5,n=1,v=1,h=5,l=5)', 'A:1']);
});

test('memory stays bounded: a burst of 100k events over 50 symbols holds capacity + 50 records', () => {
  const q = new IngestQueue(1000);
  const syms = Array.from({ length: 50 }, (_, i) => new SymbolState('x', `S${i}`, cfg));
  for (let i = 0; i < 100_000; i++) q.push(syms[i % 50]!, trade(100 + (i % 7)));
  assert.equal(q.depth, 1000 + 50);
  assert.equal(q.conflated, 99_000);
  let applied = 0;
  const applier: Applier = { apply: () => void applied++, applyMerged: (_s, m) => void (applied += m.events) };
  while (q.depth > 0) q.drain(applier, 128);
  assert.equal(applied, 100_000, 'every event is accounted for: applied alone or inside a merged record');
});

test('forget() drops queued events of removed symbols', () => {
  const q = new IngestQueue(4);
  const a = new SymbolState('x', 'A', cfg);
  const b = new SymbolState('x', 'B', cfg);
  q.push(a, trade(1));
  q.push(b, trade(2));
  q.forget(new Set([a]));
  const { log, applier } = recorder();
  q.drain(applier, 10);
  assert.deepEqual(log, ['B:2']);
});

test('pushes and partial drains that wrap the ring keep order; an emptied ring touches no new slots', () => {
  const q = new IngestQueue(5);
  const a = new SymbolState('x', 'A', cfg);
  const { log, applier } = recorder();
  let next = 0;
  const expected: string[] = [];
  // Depths 0-4 in every phase of the ring: pushes of 3, drains of 2, so head and tail go round.
  for (let round = 0; round < 12; round++) {
    for (let k = 0; k < 3 && q.depth < 5; k++) {
      q.push(a, trade(++next));
      expected.push(`A:${next}`);
    }
    q.drain(applier, 2);
  }
  q.drain(applier, 100);
  assert.deepEqual(log, expected);
  assert.equal(q.conflated, 0);

  // A big ring used shallowly: slots are reused from the start instead of walking all of them
  // (each slot first written is memory the process keeps).
  const big = new IngestQueue(100_000);
  for (let k = 0; k < 10_000; k++) {
    big.push(a, trade(k));
    big.push(a, trade(k));
    big.drain(applier, 100);
  }
  assert.equal((big as unknown as { states: unknown[] }).states.length, 2);
});
