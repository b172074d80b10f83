import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADAPTERS } from '../../src/feeds/index.js';
import { BINANCE_URL } from '../../src/feeds/binance.js';

test('binance is registered under its venue key', () => {
  assert.equal(ADAPTERS.binance?.venue, 'binance');
  assert.equal(ADAPTERS.binance?.defaultUrl, BINANCE_URL);
});

test('no simulator venue: the simulator is reached as binance at its own url', () => {
  assert.equal(ADAPTERS.simulator, undefined);
  assert.equal(ADAPTERS.binance?.url('ws://127.0.0.1:1234', ['BTCUSDT'], ['trade']), 'ws://127.0.0.1:1234/stream');
  const f = readFileSync(new URL('../fixtures/binance/trade-combined.json', import.meta.url), 'utf8');
  assert.equal(ADAPTERS.binance?.parse(f)[0]?.kind, 'trade');
});

test('every adapter is registered under its own venue name', () => {
  for (const [key, adapter] of Object.entries(ADAPTERS)) assert.equal(adapter.venue, key);
});
