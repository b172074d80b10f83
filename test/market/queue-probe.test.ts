import { test } from 'vitest';
import assert from 'node:assert/strict';
import { IngestQueue, type Applier } from '../../src/market/queue.js';
import { SymbolState } from '../../src/market/symbol.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '1m', ms: 60_000 }], indicators: DEFAULT_INDICATORS };
const nothing: Applier = { apply: () => undefined, applyMerged: () => undefined };

test('the apply probe gets each event its arrival stamp, and NaN for a merged record', () => {
  const q = new IngestQueue(2);
  const a = new SymbolState('x', 'A', cfg);
  const seen: number[] = [];
  q.setProbe((arrivedAt) => seen.push(arrivedAt));
  q.arrival = 10;
  q.pushTrade(a, 1, 1, 1000);
  q.arrival = 20;
  q.pushQuote(a, 1, 2, NaN, 1000);
  q.arrival = 30;
  assert.equal(q.pushTrade(a, 3, 1, 1000), true, 'full: conflated');
  q.drain(nothing, 100);
  assert.deepEqual(seen, [10, 20, NaN]);
});

test('without a probe nothing is stamped or reported, and the queue works the same', () => {
  const q = new IngestQueue(4);
  const a = new SymbolState('x', 'A', cfg);
  const applied: string[] = [];
  q.pushTrade(a, 1, 2, 1000);
  q.pushQuote(a, 3, 4, 5, 1001);
  q.drain({ apply: (_s, ev) => void applied.push(JSON.stringify(ev)), applyMerged: () => undefined }, 10);
  assert.deepEqual(applied.map((j) => JSON.parse(j)), [
    { kind: 'trade', price: 1, size: 2, eventTime: 1000 },
    { kind: 'quote', bid: 3, ask: 4, last: 5, eventTime: 1001 },
  ]);
});

test('a probe set later sees only what is pushed after it; clearing it stops the reports', () => {
  const q = new IngestQueue(4);
  const a = new SymbolState('x', 'A', cfg);
  const seen: number[] = [];
  q.setProbe((t) => seen.push(t));
  q.arrival = 5;
  q.pushTrade(a, 1, 1, 1000);
  q.setProbe(undefined);
  q.pushTrade(a, 2, 1, 1000);
  q.drain(nothing, 10);
  assert.deepEqual(seen, [], 'cleared before the drain');
  assert.equal(q.depth, 0);
});
