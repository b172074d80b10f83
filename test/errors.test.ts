import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, ExporterError } from '../src/errors.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`| \`${code}\` |`), code);
});

test('ExporterError carries its code, message and cause', () => {
  const cause = new Error('inner');
  const e = new ExporterError('CONFIG_READ', 'cannot read x.yml', { cause });
  assert.equal(e.name, 'ExporterError');
  assert.equal(e.code, 'CONFIG_READ');
  assert.equal(e.cause, cause);
  assert.ok(e instanceof Error);
});
