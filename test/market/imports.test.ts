import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '../../src/market');

test('the market state never imports the metrics layer: metric families read it, not the other way', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 5, 'src/market has its files');
  for (const f of files) {
    const imports = [...readFileSync(join(dir, f), 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
    for (const from of imports) assert.ok(!/(^|\/)metrics\//.test(from) && !from.startsWith('../metrics'), `src/market/${f} imports ${from}`);
  }
});
