/**
 * Lints the Dockerfile for the rules that matter (hadolint is not available offline): pinned base
 * images, multi-stage with production dependencies only, a non-root user, a HEALTHCHECK that
 * works without curl, and a build context that carries only what the build needs. Also proves
 * the two things a lint can't: production dependencies suffice for src/, and the health check
 * command exits 0 against a healthy exporter and 1 when nothing answers.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { DEFAULT_PORT } from '../../src/config/defaults.js';
import { NODE_FLAGS } from '../../src/runtime/node-flags.js';
import { freePort, spawnService } from '../support/service-process.js';
import { repoRoot } from '../grafana/load.js';
import { execForm, parseDockerfile, type Stage } from './dockerfile.js';

const dockerfile = parseDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const stages = dockerfile.stages;
const final = stages[stages.length - 1]!;
const stageNames = new Set(stages.flatMap((s) => (s.name ? [s.name] : [])));
const all = (s: Stage, cmd: string) => s.instructions.filter((i) => i.cmd === cmd);
const one = (s: Stage, cmd: string) => {
  const found = all(s, cmd);
  assert.equal(found.length, 1, `expected one ${cmd} in the final stage, found ${found.length}`);
  return found[0]!;
};

/** The HEALTHCHECK's command: node <compiled script>; returns the script's source path. */
function healthScript(): string {
  const argv = execForm(one(final, 'HEALTHCHECK').args.replace(/^.*?\bCMD\b/, ''));
  assert.equal(argv[0], 'node');
  const m = /^dist\/(src\/.+)\.js$/.exec(argv[1] ?? '');
  assert.ok(m, `HEALTHCHECK runs ${argv[1]}, not a compiled file under dist/src`);
  return `${m[1]}.ts`;
}

describe('Dockerfile', () => {
  test('is multi-stage, every base image pinned to a full version (no latest, no bare name)', () => {
    assert.ok(stages.length >= 2, 'a single stage ships the build toolchain');
    for (const s of stages) {
      if (stageNames.has(s.from)) continue;
      const m = /^([\w./-]+):([\w.-]+)$/.exec(s.from);
      assert.ok(m, `FROM ${s.from} has no tag`);
      assert.notEqual(m[2], 'latest');
      assert.match(m[2]!, /^\d+\.\d+\.\d+(-[\w.-]+)?$/, `FROM ${s.from}: pin major.minor.patch`);
    }
  });

  test("runs a Node LTS major that package.json's engines allow", () => {
    const major = Number(/^node:(\d+)\./.exec(final.from)?.[1]);
    assert.ok(major % 2 === 0, `Node ${major} is not an LTS line`);
    const lo = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    const hi = Number(/<\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    assert.ok(major >= lo && major < hi, `Node ${major} is outside engines ${pkg.engines.node}`);
  });

  test('installs production dependencies only into the final image, never with npm install', () => {
    const runs = stages.flatMap((s) => all(s, 'RUN').map((r) => ({ stage: s, cmd: r.args })));
    for (const r of runs) assert.doesNotMatch(r.cmd, /npm (install|i)\b/, 'npm install ignores the lockfile');
    const prodStage = stages.find((s) => all(s, 'RUN').some((r) => /npm ci\b.*--omit=dev/.test(r.args)));
    assert.ok(prodStage?.name, 'no stage runs npm ci --omit=dev');
    const copies = all(final, 'COPY').map((c) => c.args);
    const modules = copies.filter((c) => /node_modules/.test(c));
    assert.deepEqual(modules, [`--from=${prodStage.name} /app/node_modules ./node_modules`]);
    assert.ok(!all(final, 'RUN').some((r) => /npm/.test(r.args)), 'the final stage runs npm');
  });

  test('builds with the package build script and ships only its output', () => {
    const build = stages.find((s) => all(s, 'RUN').some((r) => r.args === 'npm run build'));
    assert.ok(build?.name);
    assert.match(pkg.scripts.build!, /tsc -p tsconfig\.build\.json/);
    const tsconfig = JSON.parse(readFileSync(path.join(repoRoot, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    assert.equal(path.join(tsconfig.compilerOptions.outDir, 'src'), 'dist/src', 'src/ no longer compiles to dist/src');
    const copies = all(final, 'COPY').map((c) => c.args);
    assert.ok(copies.includes(`--from=${build.name} /app/dist/src ./dist/src`));
  });

  test('runs dist/src/main.js (the package bin) as a non-root user, listening on every interface', () => {
    const user = one(final, 'USER');
    assert.ok(!['root', '0', '0:0'].includes(user.args), 'runs as root');
    const entry = one(final, 'ENTRYPOINT');
    assert.ok(user.line < entry.line, 'USER must come before ENTRYPOINT');
    assert.deepEqual(execForm(entry.args), ['node', ...NODE_FLAGS, Object.values(pkg.bin)[0]]);
    assert.deepEqual(execForm(one(final, 'CMD').args), ['--listen', `0.0.0.0:${DEFAULT_PORT}`]);
    assert.equal(one(final, 'EXPOSE').args, String(DEFAULT_PORT));
  });

  test('has a HEALTHCHECK on /-/healthy that needs no curl or wget', () => {
    const hc = one(final, 'HEALTHCHECK');
    assert.match(hc.args, /--interval=\d+s/);
    assert.ok(existsSync(path.join(repoRoot, healthScript())), 'the probe is built from src/');
  });

  test('the health check exits 0 against a healthy exporter and 1 when nothing answers', async () => {
    const exporter = await spawnService({
      name: 'market-exporter',
      command: process.execPath,
      cwd: repoRoot,
      args: (port) => ['--import', 'tsx', 'src/main.ts', '--listen', `127.0.0.1:${port}`],
      readyPath: '/-/healthy',
    });
    try {
      const probe = (port: number) =>
        spawnSync(process.execPath, ['--import', 'tsx', healthScript(), String(port)], { cwd: repoRoot, timeout: 15_000 });
      const ok = probe(exporter.port);
      assert.equal(ok.status, 0, ok.stderr.toString());
      const closed = await freePort();
      const down = probe(closed);
      assert.equal(down.status, 1);
    } finally {
      await exporter.stop();
    }
  });

  test('production dependencies are enough: src/ imports only Node built-ins and "dependencies"', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const n of readdirSync(dir)) {
        const p = path.join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(path.join(repoRoot, 'src'));
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      // Runtime imports only: `import type` is erased by the compiler.
      for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\bfrom\s+)?['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) problems.push(`${path.relative(repoRoot, f)}: ${spec}`);
      }
    }
    assert.ok(files.length > 10);
    assert.deepEqual(problems, [], 'these would be missing from the production image: move them to "dependencies"');
  });
});

describe('.dockerignore', () => {
  /** Docker's rule: the last matching pattern wins; `!` re-includes. Enough for `**`, names and dir/**. */
  function ignored(file: string, patterns: string[]): boolean {
    let out = false;
    for (const raw of patterns) {
      const neg = raw.startsWith('!');
      const p = neg ? raw.slice(1) : raw;
      const re = new RegExp('^' + p.split('**').map((s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('.*') + '(/.*)?$');
      if (re.test(file)) out = !neg;
    }
    return out;
  }
  const patterns = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  test('sends every file the Dockerfile copies from the context', () => {
    const sources = stages.flatMap((s) =>
      all(s, 'COPY')
        .filter((c) => !c.args.startsWith('--from'))
        .flatMap((c) => c.args.split(/\s+/).slice(0, -1)),
    );
    assert.ok(sources.includes('src'));
    for (const src of sources) assert.ok(!ignored(src, patterns) && !ignored(`${src}/main.ts`, patterns), `${src} is ignored`);
  });

  test('keeps dependencies, build output, tools, git and secrets out of the context', () => {
    for (const f of ['node_modules/ws/index.js', 'dist/src/main.js', 'tools/bin/prometheus', '.git/HEAD', 'secrets/telegram_bot_token', '.env', 'test/cli.test.ts', 'grafana/dashboards/market-overview.json']) {
      assert.ok(ignored(f, patterns), `${f} would be sent to the Docker daemon`);
    }
  });
});
