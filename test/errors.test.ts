import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ERROR_CODES, errorFields, ExporterError } from '../src/errors.js';
import { EXIT, exitCodeFor } from '../src/exit-codes.js';

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`| \`${code}\` |`), code);
});

test('every exit status is documented in docs/errors.md, and each code maps to one', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [name, status] of Object.entries(EXIT)) assert.match(doc, new RegExp(`^\\| ${status} \\|`, 'm'), name);
  assert.equal(exitCodeFor(new ExporterError('CLI_USAGE', 'x')), EXIT.USAGE);
  assert.equal(exitCodeFor(new ExporterError('LISTEN_FAILED', 'x')), EXIT.LISTEN);
  assert.equal(exitCodeFor(new ExporterError('CONFIG_YAML', 'x')), EXIT.CONFIG);
  assert.equal(exitCodeFor(new TypeError('bug')), EXIT.INTERNAL);
});

test('ExporterError carries its code, message and cause', () => {
  const cause = new Error('inner');
  const e = new ExporterError('CONFIG_READ', 'cannot read x.yml', { cause });
  assert.equal(e.name, 'ExporterError');
  assert.equal(e.code, 'CONFIG_READ');
  assert.equal(e.cause, cause);
  assert.ok(e instanceof Error);
});

test('every error-level log line in src/ carries a code', () => {
  const root = new URL('../src/', import.meta.url);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const missing: string[] = [];
  for (const f of files) {
    const text = readFileSync(new URL(f, root), 'utf8');
    // A call's fields end at its closing parenthesis; logger calls here are one statement each.
    for (const m of text.matchAll(/\.error\(([^;]*?)\);/gs))
      if (!/\bcode\b|errorFields\(/.test(m[1]!)) missing.push(`${f}: .error(${m[1]!.slice(0, 80)}...)`);
  }
  assert.ok(files.length > 20, 'src/ was read');
  assert.deepEqual(missing, []);
});

test('errorFields: an ExporterError gives its code and message; anything else is INTERNAL with its stack', () => {
  assert.deepEqual(errorFields(new ExporterError('CONFIG_YAML', 'x.yml:1:2: bad')), { code: 'CONFIG_YAML', error: 'x.yml:1:2: bad' });
  const f = errorFields(new TypeError('boom'));
  assert.equal(f.code, 'INTERNAL');
  assert.match(f.error, /TypeError: boom\n\s+at /);
  assert.deepEqual(errorFields('text'), { code: 'INTERNAL', error: 'text' });
});
