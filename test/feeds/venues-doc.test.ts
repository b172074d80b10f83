import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { ADAPTERS } from '../../src/feeds/index.js';

const DOC = fileURLToPath(new URL('../../docs/venues.md', import.meta.url));
const text = readFileSync(DOC, 'utf8');
const yamlBlocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const ENV = { POLYGON_API_KEY: 'k', ALPACA_KEY_ID: 'k', ALPACA_SECRET_KEY: 's', FINNHUB_TOKEN: 't' };

test('docs/venues.md names every venue key in its table', () => {
  for (const venue of Object.keys(ADAPTERS)) assert.match(text, new RegExp(`^\\| \`${venue}\` `, 'm'), venue);
});

test('docs/venues.md: every YAML example is a valid config whose venue options validate', () => {
  assert.ok(yamlBlocks.length >= 3, `only ${yamlBlocks.length} yaml blocks`);
  yamlBlocks.forEach((block, i) => {
    const config = parseConfig(block, `docs/venues.md block ${i + 1}`, { env: ENV });
    for (const feed of config.feeds) {
      const problems = ADAPTERS[feed.venue]?.validateOptions?.(feed.options, { url: feed.url }) ?? [];
      assert.deepEqual(problems, [], `block ${i + 1}, feed ${feed.name}`);
    }
  });
});
