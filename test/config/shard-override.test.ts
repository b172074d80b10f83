import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { withShard } from '../../src/config/shard-override.js';

const config = parseConfig('shard: {index: 0, count: 2}\nfeeds: [{venue: binance, symbols: [BTCUSDT]}]\n', 'c.yml');

test('--shard.* flags replace the file\'s fields; none leaves the config as it is', () => {
  assert.equal(withShard(config, undefined), config);
  assert.deepEqual(withShard(config, { index: 1 }).shard, { index: 1, count: 2 });
  assert.deepEqual(withShard(config, { index: 4, count: 5 }).shard, { index: 4, count: 5 });
  assert.ok(Object.isFrozen(withShard(config, { count: 3 })), 'still frozen');
});

test('an index at or past the count is a usage error naming where each came from', () => {
  assert.throws(() => withShard(config, { index: 2 }), { code: 'CLI_USAGE', message: 'shard index 2 (--shard.index) must be below the shard count 2 (shard.count in the config)' });
});
