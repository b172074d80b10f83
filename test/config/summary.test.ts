import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { configSummary } from '../../src/config/summary.js';
import { shardSymbols } from '../../src/market/shard.js';

const SYMBOLS = Array.from({ length: 30 }, (_, i) => `S${i}USDT`);
const text = (shard: string) => `${shard}feeds:\n  - name: b\n    venue: binance\n    symbols: [${SYMBOLS.join(', ')}]\n`;

test('unsharded: feeds and symbols', () => {
  assert.equal(configSummary(parseConfig(text(''), 'c.yml'), 'c.yml'), 'config OK: 1 feeds, 30 symbols (c.yml)');
});

test('on a shard: what this replica carries, not only the total', () => {
  const config = parseConfig(text('shard: {index: 1, count: 3}\n'), 'c.yml');
  const mine = shardSymbols('b', SYMBOLS, { index: 1, count: 3 }).length;
  assert.ok(mine > 0 && mine < 30);
  assert.equal(configSummary(config, 'c.yml'), `config OK: 1 feeds, 30 symbols (c.yml); this replica (shard 1 of 3) carries ${mine} of them`);
});
