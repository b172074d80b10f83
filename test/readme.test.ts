import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/config/load.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('README leads with `npm ci && npm start` and `npm test`', () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = firstBlock.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
});

test('every YAML config in README loads', () => {
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 2);
  for (const b of blocks) assert.doesNotThrow(() => parseConfig(b, 'README.md'), b);
});

test('README shows a config with all five venues', () => {
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseConfig(m[1]!, 'README.md'));
  const venues = blocks.map((c) => new Set(c.feeds.map((f) => f.venue)));
  assert.ok(venues.some((v) => ['binance', 'coinbase', 'kraken', 'okx', 'bybit'].every((x) => v.has(x))));
});
