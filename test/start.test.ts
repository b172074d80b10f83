/**
 * `npm start` as README gives it: built once at install (`prepare`), no compile per start, and the
 * exporter's own PID in its first log line, so signals reach the exporter rather than npm.
 */
import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './support/service-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; bin: Record<string, string> };

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

test('npm ci builds once (prepare); npm start runs the built exporter and compiles nothing', () => {
  assert.match(pkg.scripts.prepare ?? '', /\bnpm run (--silent )?build\b/);
  assert.doesNotMatch(pkg.scripts.start!, /\bbuild\b|\btsc\b|\btsx\b|&&/, 'start only execs node');
  assert.match(pkg.scripts.start!, /^node [^&;|]* dist\/src\/main\.js$/);
});

test('the bin is executable after a build', () => {
  const bin = pkg.bin['market-exporter']!;
  assert.ok(existsSync(new URL(`../${bin}`, import.meta.url)), `${bin} is built (npm ci runs prepare)`);
  assert.ok((statSync(new URL(`../${bin}`, import.meta.url)).mode & 0o111) !== 0, `${bin} is executable`);
  assert.match(readFileSync(new URL(`../${bin}`, import.meta.url), 'utf8'), /^#!\/usr\/bin\/env -S node /);
});

test('under npm start, signals sent to the PID in the first log line reach the exporter', async () => {
  const child = spawn('npm', ['start', '--', '--listen', '127.0.0.1:0'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const t0 = Date.now();
  const pid = Number(await pollUntil(() => /msg="starting market-exporter" .*pid=(\d+)/.exec(out)?.[1], 'the starting line'));
  assert.notEqual(pid, child.pid, 'the exporter, not npm');
  const url = await pollUntil(() => /msg=listening url=(\S+)\/metrics/.exec(out)?.[1], 'the listening line');
  // Generous for a shared test machine; without a compile it is about a second (README).
  assert.ok(Date.now() - t0 < 10_000, `listening after ${Date.now() - t0} ms`);
  process.kill(pid, 'SIGHUP');
  await pollUntil(() => /msg="config reload failed.*trigger=SIGHUP code=RELOAD_NO_CONFIG/.test(out), 'the SIGHUP to be handled by the exporter');
  assert.equal((await fetch(`${url}/-/healthy`)).status, 200, 'still serving after SIGHUP');
  process.kill(pid, 'SIGTERM');
  assert.equal(await exited, 0, out);
  assert.match(out, /msg=stopped signal=SIGTERM/);
});
