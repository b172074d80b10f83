import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADAPTERS, SIMULATOR_VENUE } from '../../src/feeds/index.js';
import { BINANCE_URL } from '../../src/feeds/binance.js';

test('binance is registered under its venue key', () => {
  assert.equal(ADAPTERS.binance?.venue, 'binance');
  assert.equal(ADAPTERS.binance?.defaultUrl, BINANCE_URL);
});

test('the simulator is the Binance protocol with no default URL', () => {
  const sim = ADAPTERS[SIMULATOR_VENUE];
  assert.ok(sim);
  assert.equal(sim.venue, SIMULATOR_VENUE);
  assert.equal(sim.defaultUrl, '');
  assert.equal(sim.url('ws://127.0.0.1:1234', ['BTCUSDT'], ['trade']), 'ws://127.0.0.1:1234/stream');
  const f = readFileSync(new URL('../fixtures/binance/trade-combined.json', import.meta.url), 'utf8');
  assert.deepEqual(sim.parse(f), ADAPTERS.binance?.parse(f));
});

test('every adapter is registered under its own venue name', () => {
  for (const [key, adapter] of Object.entries(ADAPTERS)) assert.equal(adapter.venue, key);
});
