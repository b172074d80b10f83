#!/usr/bin/env node
// npm run test:rules: prove the alert pack with the real tools.
//   promtool check config   prometheus/prometheus.yml (and every rule file it loads)
//   promtool check rules    prometheus/rules/*.yml prometheus/alerts/*.yml
//   promtool test rules     prometheus/tests/*.test.yml, one file at a time
//   amtool check-config     alertmanager/alertmanager.yml
//   amtool config routes test, once per case in alertmanager/tests/routes.test.yml
// Prints one line per check (in this order, though they run concurrently), the tool output of
// failures, and a summary line; exits 1 if any check failed, 2 if a tool is missing or the
// inputs can't be read.
//
// Usage: node scripts/test-rules.mjs [--prometheus-dir DIR] [--alertmanager-dir DIR]
// Tools come from tools/bin (bash scripts/get-tools.sh; TOOLS_BIN=dir overrides) or else from PATH.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { prometheusDir: join(root, 'prometheus'), alertmanagerDir: join(root, 'alertmanager') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--prometheus-dir') opts.prometheusDir = resolve(argv[++i] ?? '');
    else if (a === '--alertmanager-dir') opts.alertmanagerDir = resolve(argv[++i] ?? '');
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node scripts/test-rules.mjs [--prometheus-dir DIR] [--alertmanager-dir DIR]\n');
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  return opts;
}

function fail(message) {
  process.stderr.write(`test:rules: ${message}\n`);
  process.exit(2);
}

function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** tools/bin/<name>, else the first <name> on PATH, else exit with how to get it. */
function findTool(name) {
  const local = join(process.env.TOOLS_BIN || join(root, 'tools', 'bin'), name);
  if (isExecutable(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  fail(`${name} not found in tools/bin or on PATH. Get it with: bash scripts/get-tools.sh`);
}

function version(tool) {
  const out = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return /(\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
}

function files(dir, suffix) {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(suffix))
      .sort()
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

// Checks run concurrently (promtool tests take seconds each); output is printed in order.
const checks = [];
function check(label, tool, args) {
  checks.push({ label, tool, args });
}

function run({ tool, args }) {
  return new Promise((resolveRun) => {
    const child = spawn(tool, args, { cwd: root });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolveRun({ ok: false, out: `${out}${e.message}` }));
    child.on('close', (code) => resolveRun({ ok: code === 0, out }));
  });
}

async function runAll() {
  const results = new Array(checks.length);
  let next = 0;
  let printed = 0;
  const flush = () => {
    while (printed < checks.length && results[printed]) {
      const { ok, out } = results[printed];
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${checks[printed].label}\n`);
      if (!ok) process.stdout.write(out.trim().replace(/^/gm, '     ') + '\n');
      printed++;
    }
  };
  const worker = async () => {
    while (next < checks.length) {
      const i = next++;
      results[i] = await run(checks[i]);
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  return results;
}

const opts = parseArgs(process.argv.slice(2));
const promtool = findTool('promtool');
const amtool = findTool('amtool');
const rel = (p) => relative(root, p) || '.';

const promConfig = join(opts.prometheusDir, 'prometheus.yml');
const ruleFiles = [...files(join(opts.prometheusDir, 'rules'), '.yml'), ...files(join(opts.prometheusDir, 'alerts'), '.yml')];
const testFiles = files(join(opts.prometheusDir, 'tests'), '.test.yml');
const amConfig = join(opts.alertmanagerDir, 'alertmanager.yml');
const routesFile = join(opts.alertmanagerDir, 'tests', 'routes.test.yml');
if (ruleFiles.length === 0) fail(`no rule files under ${rel(opts.prometheusDir)}/rules or /alerts`);
if (testFiles.length === 0) fail(`no promtool tests under ${rel(opts.prometheusDir)}/tests`);

let cases;
try {
  cases = load(readFileSync(routesFile, 'utf8'))?.cases;
} catch (e) {
  fail(`cannot read ${rel(routesFile)}: ${e.message}`);
}
if (!Array.isArray(cases) || cases.length === 0) fail(`${rel(routesFile)} has no cases`);

check(`promtool check config ${rel(promConfig)}`, promtool, ['check', 'config', promConfig]);
check(`promtool check rules (${ruleFiles.length} files)`, promtool, ['check', 'rules', ...ruleFiles]);
for (const f of testFiles) check(`promtool test rules ${rel(f)}`, promtool, ['test', 'rules', f]);
check(`amtool check-config ${rel(amConfig)}`, amtool, ['check-config', amConfig]);
for (const c of cases) {
  const labels = Object.entries(c.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  const receivers = (c.receivers ?? []).join(',');
  check(`amtool routes: ${c.name} -> ${receivers}`, amtool, [
    'config',
    'routes',
    'test',
    `--config.file=${amConfig}`,
    `--verify.receivers=${receivers}`,
    ...labels,
  ]);
}

const results = await runAll();
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(
  `test:rules: ${results.length - failed} passed, ${failed} failed ` +
    `(promtool ${version(promtool)}, amtool ${version(amtool)})\n`,
);
process.exit(failed === 0 ? 0 : 1);
