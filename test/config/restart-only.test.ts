import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/demo.js';
import { RESTART_ONLY_KEYS, restartOnlyChanges } from '../../src/config/restart-only.js';
import { readFileSync } from 'node:fs';

const base = 'feeds:\n  - name: sim\n    venue: binance\n    url: ws://127.0.0.1:9\n    symbols: [BTCUSDT]\n';

test('restartOnlyChanges names exactly the restart-only keys that changed', () => {
  const a = parseConfig(base, 'a.yml');
  assert.deepEqual(restartOnlyChanges(a, parseConfig(base + 'logLevel: debug\n', 'b.yml')), [], 'a reloadable key is no restart');
  const b = parseConfig(base + 'listen: 127.0.0.1:9\nenableReloadEndpoint: false\n', 'b.yml');
  assert.deepEqual(restartOnlyChanges(a, b), ['listen', 'enableReloadEndpoint']);
  assert.deepEqual(restartOnlyChanges(a, b, ['listen']), ['enableReloadEndpoint'], 'a flag-overridden key is not in use');
  assert.deepEqual(restartOnlyChanges(demoConfig('ws://127.0.0.1:1'), demoConfig('ws://127.0.0.1:2')), [], 'feeds reload');
});

test('docs/config.md marks every restart-only key', () => {
  const doc = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
  for (const k of RESTART_ONLY_KEYS) assert.match(doc, new RegExp(`^\\| \`${k}\` \\|[^\\n]*\\*\\*Restart only\\.\\*\\*`, 'm'), k);
});
