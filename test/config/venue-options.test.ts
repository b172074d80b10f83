import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { ExporterError } from '../../src/errors.js';

test("a venue's own option checks are reported by the config loader, with the feed's key path", () => {
  const yaml = [
    'feeds:',
    '  - venue: generic',
    '    url: wss://example.invalid/stream',
    '    symbols: [AAPL]',
    '    options:',
    '      fields:',
    '        symbol: sym',
    '        price: p',
    '',
  ].join('\n');
  assert.throws(
    () => parseConfig(yaml, 'g.yml'),
    (e: unknown) =>
      e instanceof ExporterError &&
      e.code === 'CONFIG_INVALID' &&
      e.message.split('\n').includes('g.yml: feeds[0].options.fields.time: missing; expected a field path like p or data.price'),
  );
});
