import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as B from '../../src/runtime/budgets.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

test('the budgets keep the relations their comments rely on', () => {
  // A frame waits behind at most one stretch of reads and one of applies: inside the 20 ms target.
  assert.ok(B.WORK_BUDGET_MS + B.APPLY_BUDGET_MS < 20);
  assert.ok(B.EAGER_PER_TURN <= B.DRAIN_SLICE, 'a turn of eager apply is worth at most one slice');
  assert.ok(B.APPLY_STEP <= B.DRAIN_SLICE && B.TICK_STEP > 0 && B.RENDER_STEP > 0);
  assert.ok(B.RENDER_SLICE_MS >= B.APPLY_BUDGET_MS, 'rendering yields no more often than applying');
  // Bars are at least a second long (config validation): a slower tick would close them late.
  assert.ok(B.TICK_MS <= 1000);
});

test('no time-slicing constant is defined outside runtime/budgets.ts', () => {
  const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const offenders: string[] = [];
  for (const f of files) {
    const path = join(SRC, f);
    if (relative(SRC, path) === join('runtime', 'budgets.ts') || f.startsWith('simulator')) continue;
    for (const line of readFileSync(path, 'utf8').split('\n'))
      if (/^(export )?const \w*(BUDGET|SLICE|PER_TURN|_STEP|TICK_MS)\w* = \d/.test(line)) offenders.push(`${f}: ${line.trim()}`);
  }
  assert.deepEqual(offenders, []);
});
