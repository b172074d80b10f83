import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { versionText } from '../src/version.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('--version text names version, branch, revision, build date and Node, as the Prometheus tools do', () => {
  assert.equal(
    versionText({ version: '1.2.3', revision: 'abc123', branch: 'main', buildDate: '2026-01-02T03:04:05.000Z' }, 'v24.0.0'),
    'market-exporter, version 1.2.3 (branch: main, revision: abc123)\n  build date: 2026-01-02T03:04:05.000Z\n  node version: v24.0.0',
  );
});

test('the build records revision, branch and date (overridable for builds without .git) and makes the bin executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'me-post-build-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'dist', 'src'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'src', 'main.js'), '#!/usr/bin/env node\n');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'post-build.mjs')], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, BUILD_REVISION: 'abc123', BUILD_BRANCH: 'release-1', SOURCE_DATE_EPOCH: '1700000000' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'dist', 'build-info.json'), 'utf8')), {
    revision: 'abc123',
    branch: 'release-1',
    buildDate: '2023-11-14T22:13:20.000Z',
  });
  assert.ok((statSync(join(dir, 'dist', 'src', 'main.js')).mode & 0o111) !== 0);
});

test('the built exporter reports its build record in --version', () => {
  const record = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8')) as { revision: string; branch: string; buildDate: string };
  const r = spawnSync(process.execPath, [join(root, 'dist', 'src', 'main.js'), '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^market-exporter, version \\d+\\.\\d+\\.\\d+ \\(branch: ${record.branch}, revision: ${record.revision}\\)\\n  build date: ${record.buildDate}\\n  node version: v\\d+`));
});
