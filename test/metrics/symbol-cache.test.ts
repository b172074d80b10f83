import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { FeedState } from '../../src/market/feed-state.js';
import { SymbolCache } from '../../src/metrics/symbol-cache.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '5m', ms: 300_000 }], indicators: DEFAULT_INDICATORS };

function cacheOf(feeds: FeedState[]): SymbolCache<string> {
  const c = new SymbolCache<string>();
  for (const f of feeds) for (const s of f.symbols.values()) c.set(s, `${f.name}:${s.symbol}`);
  return c;
}

test('prune keeps every symbol still in the feeds', () => {
  const a = new FeedState('a', ['BTCUSDT', 'ETHUSDT'], cfg);
  const b = new FeedState('b', ['BTCUSDT'], cfg);
  const c = cacheOf([a, b]);
  c.prune([a, b], 0);
  assert.equal(c.size, 3);
  assert.equal(c.get(a.symbols.get('ETHUSDT')!), 'a:ETHUSDT');
  assert.equal(c.get(b.symbols.get('BTCUSDT')!), 'b:BTCUSDT');
});

test('prune forgets a removed feed, a removed symbol and a symbol made afresh under the same names', () => {
  const a = new FeedState('a', ['BTCUSDT', 'ETHUSDT'], cfg);
  const b = new FeedState('b', ['BTCUSDT'], cfg);
  const c = cacheOf([a, b]);
  const oldBtc = a.symbols.get('BTCUSDT')!;
  const oldEth = a.symbols.get('ETHUSDT')!;
  // A reload that rebuilds feed a with one symbol, and drops feed b.
  const a2 = new FeedState('a', ['BTCUSDT'], cfg);
  const btc = a2.symbols.get('BTCUSDT')!;
  c.set(btc, 'a2:BTCUSDT');
  c.prune([a2], 1);
  assert.equal(c.size, 1);
  assert.equal(c.get(btc), 'a2:BTCUSDT');
  assert.equal(c.get(oldBtc), undefined);
  assert.equal(c.get(oldEth), undefined);
  assert.equal(c.get(b.symbols.get('BTCUSDT')!), undefined);
});

test('prune does not walk the cache while it holds no more than the walk met', () => {
  const a = new FeedState('a', ['BTCUSDT', 'ETHUSDT'], cfg);
  const c = cacheOf([a]);
  // Told both were met, it trusts the count: the stale-looking entries (no feed given) stay.
  c.prune([], 2);
  assert.equal(c.size, 2);
  c.prune([], 1);
  assert.equal(c.size, 0);
});
