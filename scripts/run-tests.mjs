#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (Node 20 has no --test glob support).
// Usage: node scripts/run-tests.mjs [dir-or-file ...] [--exclude dir ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const roots = [];
const excludes = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--exclude') excludes.push(args[++i]);
  else roots.push(args[i]);
}
if (roots.length === 0) roots.push('test');

function walk(p, out) {
  if (excludes.some((e) => relative(e, p) === '' || !relative(e, p).startsWith('..'))) return out;
  if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n), out);
  else if (p.endsWith('.test.ts')) out.push(p);
  return out;
}
const files = roots.flatMap((r) => walk(r, []));
if (files.length === 0) {
  console.error('run-tests: no test files found under', roots.join(' '));
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
