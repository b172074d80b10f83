import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nodeFloorRefusal } from '../../src/runtime/node-floor.js';
import { NODE_ENGINES } from '../../src/version.js';

describe('nodeFloorRefusal', () => {
  test('below the floor: one line naming the floor and the running version', () => {
    assert.equal(nodeFloorRefusal('v20.20.2', '>=22.22 <27'), 'market-exporter needs Node >= 22.22; this is v20.20.2');
    assert.equal(nodeFloorRefusal('v22.21.9', '>=22.22 <27'), 'market-exporter needs Node >= 22.22; this is v22.21.9');
    assert.equal(nodeFloorRefusal('v22.12.0', '>=22.12.1'), 'market-exporter needs Node >= 22.12.1; this is v22.12.0');
  });

  test('at or above the floor, newer than tested included: no refusal', () => {
    for (const v of ['v22.22.0', 'v22.22.1', 'v23.0.0', 'v24.1.0', 'v26.12.1', 'v30.0.0']) {
      assert.equal(nodeFloorRefusal(v, '>=22.22 <27'), undefined, v);
    }
  });

  test('no floor to read, or a version it cannot read: no refusal rather than a false one', () => {
    assert.equal(nodeFloorRefusal('v20.0.0', ''), undefined);
    assert.equal(nodeFloorRefusal('v20.0.0', '^22'), undefined);
    assert.equal(nodeFloorRefusal('nightly', '>=22.22'), undefined);
  });

  test('the floor is the one package.json promises, and this Node meets it', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    assert.equal(NODE_ENGINES, pkg.engines.node);
    assert.match(NODE_ENGINES, /^>=22\.22 </);
    assert.equal(nodeFloorRefusal(process.version, NODE_ENGINES), undefined);
  });

  test('every entry point imports the check before anything else', () => {
    for (const [file, spec] of [
      ['src/main.ts', './runtime/node-floor.js'],
      ['src/simulator/main.ts', '../runtime/node-floor.js'],
    ] as const) {
      const firstImport = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('import '));
      assert.ok(firstImport?.startsWith(`import '${spec}';`), `${file} first imports: ${firstImport}`);
    }
  });
});
