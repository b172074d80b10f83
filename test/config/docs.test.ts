import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { CONFIG_KEYS } from '../../src/config/validate.js';
import { withIndicatorDocs } from '../../src/indicators/doc.js';

const DOC = fileURLToPath(new URL('../../docs/config.md', import.meta.url));
const text = readFileSync(DOC, 'utf8');
const yamlBlocks = [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

test('docs/config.md: every YAML example is a valid config', () => {
  assert.ok(yamlBlocks.length >= 4, `only ${yamlBlocks.length} yaml blocks`);
  yamlBlocks.forEach((block, i) => {
    assert.doesNotThrow(() => parseConfig(block, `docs/config.md block ${i + 1}`, { env: {} }), `block ${i + 1}:\n${block}`);
  });
});

test('docs/config.md: the reference example shows exactly the defaults', () => {
  const reference = yamlBlocks.at(-1)!;
  assert.match(reference, /^listen:/, 'the last yaml block is the reference');
  const documented = parseConfig(reference, 'ref', { env: {} });
  const defaults = parseConfig('feeds: [{venue: binance, symbols: [BTCUSDT]}]', 'ref', { env: {} });
  assert.deepEqual(documented, defaults);
});

test('docs/config.md: every key the loader accepts is documented', () => {
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    for (const key of keys) {
      // As `key`, `section.key`, `key: value` or a YAML `key:`.
      const documented = new RegExp(`[\\s{\`.,]${key}[\`:]`).test(text);
      assert.ok(documented, `${section || '<top>'}.${key} is not in docs/config.md`);
    }
  }
});

test('docs/config.md: the indicator sections are what the registries generate (run `npm run docs:metrics`)', () => {
  assert.equal(text, withIndicatorDocs(text));
  assert.ok(text.includes('| `stochastic` |') && text.includes('| `rsi` |'));
});
