import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { EXIT_NODE_TOO_OLD } from '../../src/runtime/node-floor.js';

// A real Node 20, the line the project left: `bash scripts/get-node.sh 20` (CI runs it).
const OLD_NODE = 'tools/node/20/bin/node';

for (const [entry, args] of [
  ['src/main.ts', ['--config', 'no-such.yml']],
  ['src/simulator/main.ts', ['--port', '0']],
] as const) {
  test(`${entry} on Node 20: one line on stderr, exit ${EXIT_NODE_TOO_OLD}, nothing started`, () => {
    assert.ok(existsSync(OLD_NODE), `${OLD_NODE} is missing: run bash scripts/get-node.sh 20`);
    const r = spawnSync(OLD_NODE, ['--import', 'tsx', entry, ...args], { encoding: 'utf8', timeout: 60_000 });
    const version = spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
    assert.match(version, /^v20\./);
    assert.equal(r.stderr, `market-exporter needs Node >= 22.22; this is ${version}\n`);
    assert.equal(r.stdout, '');
    assert.equal(r.status, EXIT_NODE_TOO_OLD);
  });
}
