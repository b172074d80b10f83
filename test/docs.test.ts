import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const docs = new URL('../docs/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, docs), 'utf8');

test('no document under docs/ is a placeholder', () => {
  for (const f of readdirSync(docs).filter((n) => n.endsWith('.md'))) assert.doesNotMatch(read(f), /placeholder|figures pending|TODO|TBD/i, f);
});

test('scaling.md gives per-replica figures from performance.md, linked to where they were measured', () => {
  const scaling = read('scaling.md');
  assert.match(scaling, /\(performance\.md#issue-16s-targets-fourth-round\)/);
  assert.match(read('performance.md'), /^### Issue 16's targets: fourth round$/m);
  const perf = read('performance.md');
  for (const figure of ['135 MiB', '510 MiB', '49 MiB']) {
    assert.ok(scaling.includes(figure), `scaling.md quotes ${figure}`);
    assert.ok(perf.includes(figure), `performance.md has ${figure}`);
  }
});
