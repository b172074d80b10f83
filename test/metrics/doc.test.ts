import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { METRICS } from '../../src/metrics/catalog.js';
import { metricsMarkdown } from '../../src/metrics/doc.js';

test('docs/metrics.md is what the catalogue generates (run `npm run docs:metrics` after changing metrics)', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  assert.equal(doc, metricsMarkdown());
});

test('docs/metrics.md names every metric with its type', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  for (const m of Object.values(METRICS)) assert.ok(doc.includes(`| \`${m.name}\` | ${m.type} |`), m.name);
});
