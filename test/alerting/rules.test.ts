// The alert pack's structure (every alert labelled, annotated, documented and tested the same
// way) and the real-tool checks of `npm run test:rules`, so `npm test` covers them too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import { load } from 'js-yaml';
import {
  durationSeconds,
  groupNames,
  loadPromtoolTests,
  loadRules,
  metricNames,
  readDoc,
  ruleFilePaths,
  RUNBOOK_BASE,
} from '../support/alert-pack.js';
import { repoRoot } from '../support/prometheus.js';

const files = ruleFilePaths();
const recording = loadRules(files.recording);
const alerting = loadRules(files.alerting);
const alertNames = [...new Set(alerting.map((r) => r.alert ?? ''))];
const promtoolTests = loadPromtoolTests();

describe('alert rules', () => {
  test('every alert has a severity, a summary, a description and its runbook_url', () => {
    for (const r of alerting) {
      const where = `${r.file} ${r.alert}`;
      assert.match(r.alert ?? '', /^Market[A-Z][A-Za-z]+$/, where);
      // `none`: alerts that only inhibit others (routed nowhere, see alertmanager-config.test.ts).
      assert.ok(['critical', 'warning', 'info', 'none'].includes(r.labels?.severity ?? ''), `${where}: severity`);
      assert.ok((r.annotations?.summary ?? '').length > 10, `${where}: summary`);
      assert.ok((r.annotations?.description ?? '').length > 20, `${where}: description`);
      assert.equal(r.annotations?.runbook_url, `${RUNBOOK_BASE}#${(r.alert ?? '').toLowerCase()}`, where);
      if (r.labels?.severity !== 'none') assert.ok(r.for && durationSeconds(r.for) > 0, `${where}: a for: duration`);
    }
  });

  test('rule group names are unique across files (promtool keys groups by name)', () => {
    const names = groupNames([...files.recording, ...files.alerting]);
    assert.deepEqual(names, [...new Set(names)]);
  });

  test('every threshold is used by an alert or a recording rule', () => {
    const thresholds = recording.filter((r) => /threshold|trading_session/.test(r.record ?? '')).map((r) => r.record ?? '');
    assert.ok(thresholds.length >= 20);
    const used = new Set(
      [...alerting, ...recording.filter((r) => !thresholds.includes(r.record ?? ''))].flatMap((r) => metricNames(r.expr)),
    );
    assert.deepEqual(thresholds.filter((t) => !used.has(t)), []);
  });
});

describe('runbook and thresholds table', () => {
  const runbook = readDoc('docs/runbook.md');
  const sections = new Map<string, string>();
  for (const part of runbook.split(/^## /m).slice(1)) {
    const title = part.split('\n')[0]?.trim() ?? '';
    sections.set(title, part);
  }

  test('docs/runbook.md has a section per alert with what it means, how to check, what to do', () => {
    for (const name of alertNames) {
      const s = sections.get(name);
      assert.ok(s, `## ${name} missing from docs/runbook.md`);
      for (const part of ['**What it means.**', '**How to check.**', '**What to do.**']) assert.ok(s.includes(part), `${name}: ${part}`);
    }
    assert.deepEqual([...sections.keys()].filter((t) => !alertNames.includes(t)), [], 'runbook sections without an alert');
  });

  test('docs/alerts.md lists every alert rule with its severity, for, keep_firing_for and threshold values', () => {
    const rows = readDoc('docs/alerts.md')
      .split('\n')
      .filter((l) => /^\| Market/.test(l))
      .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()));
    const constants = new Map<string, number>();
    for (const r of recording) {
      const m = /vector\(([\d.]+)\)\s*$/.exec(r.expr.trim()) ?? /or on\(exchange\)\s*([\d.]+)\s*\*/.exec(r.expr) ?? /^([\d.]+)\s*\*/.exec(r.expr.trim());
      if (r.record && m?.[1]) constants.set(r.record, Number(m[1]));
    }
    assert.equal(rows.length, alerting.length, 'one row per alert rule');
    for (const r of alerting) {
      const thresholds = metricNames(r.expr).filter((n) => /threshold/.test(n));
      const row = rows.find(
        (c) => c[1] === r.alert && c[2] === r.labels?.severity && thresholds.every((t) => (c[4] ?? '').includes(`\`${t}\``)),
      );
      assert.ok(row, `docs/alerts.md: no row for ${r.alert} ${r.labels?.severity} ${thresholds.join(' ')}`);
      assert.equal(row[5], r.for ?? '', `${r.alert}: for`);
      assert.equal(row[6], r.keep_firing_for ?? '', `${r.alert}: keep_firing_for`);
      for (const m of (row[4] ?? '').matchAll(/`([a-z_:0-9]+)` = ([\d.]+)/g)) {
        assert.equal(Number(m[2]), constants.get(m[1] ?? ''), `${r.alert}: ${m[1]} value`);
      }
    }
  });
});

describe('promtool tests', () => {
  test('every alert fires at its for: and not one evaluation before, with labels and annotations', () => {
    for (const name of alertNames) {
      let covered = false;
      for (const f of promtoolTests) {
        const step = durationSeconds(f.evaluation_interval ?? '1m');
        for (const g of f.tests) {
          const cases = (g.alert_rule_test ?? []).filter((c) => c.alertname === name);
          for (const fire of cases.filter((c) => (c.exp_alerts ?? []).length > 0)) {
            const t = durationSeconds(fire.eval_time);
            const before = cases.find((c) => durationSeconds(c.eval_time) === t - step && (c.exp_alerts ?? []).length === 0);
            const complete = (fire.exp_alerts ?? []).every(
              (a) => a.exp_labels?.severity && ['summary', 'description', 'runbook_url'].every((k) => a.exp_annotations?.[k]),
            );
            if (before && complete) covered = true;
          }
        }
      }
      assert.ok(covered, `${name}: no promtool test with "no alert" one evaluation before a complete firing alert`);
    }
  });

  test('every promtool test file loads the shipped rules in a fixed group order', () => {
    const groups = groupNames([...files.recording, ...files.alerting]);
    for (const f of promtoolTests) {
      assert.ok(f.rule_files.some((r) => r.startsWith('../rules/')), f.file);
      // promtool evaluates groups in random order without it: flaky tests.
      assert.deepEqual(f.group_eval_order?.filter((g) => groups.includes(g)), f.group_eval_order, f.file);
      assert.ok((f.group_eval_order ?? []).indexOf('market-thresholds') === 0, `${f.file}: thresholds first`);
    }
  });

  test('a calm run fires nothing, not even a pending alert', () => {
    const calm = promtoolTests.flatMap((f) => f.tests.flatMap((g) => g.promql_expr_test ?? []));
    assert.ok(calm.some((e) => /^count_over_time\(ALERTS\[\d+m\]\)$/.test(e.expr) && (e.exp_samples ?? []).length === 0));
  });
});

describe('npm run test:rules (real promtool and amtool)', () => {
  const script = path.join(repoRoot, 'scripts', 'test-rules.mjs');
  const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env, cwd: repoRoot });

  test('passes on the shipped pack and prints a summary line', () => {
    const res = run([]);
    assert.equal(res.status, 0, res.stdout + res.stderr);
    const summary = res.stdout.trim().split('\n').at(-1) ?? '';
    assert.match(summary, /^test:rules: \d+ passed, 0 failed \(promtool \d+\.\d+\.\d+, amtool \d+\.\d+\.\d+\)$/);
    const cases = (load(readFileSync(path.join(repoRoot, 'alertmanager/tests/routes.test.yml'), 'utf8')) as { cases: unknown[] }).cases;
    const passed = Number(/(\d+) passed/.exec(summary)?.[1]);
    // check config + check rules + one per promtool test file + check-config + one per route case.
    assert.equal(passed, 2 + promtoolTests.length + 1 + cases.length);
  });

  test('fails when a threshold moves under a test, or a route sends an alert elsewhere', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'market-test-rules-'));
    try {
      const prom = path.join(tmp, 'prometheus');
      const am = path.join(tmp, 'alertmanager');
      cpSync(path.join(repoRoot, 'prometheus'), prom, { recursive: true });
      cpSync(path.join(repoRoot, 'alertmanager'), am, { recursive: true });
      // Keep it quick: one test file; queue threshold 0.8 -> 0.95 (the test has 90%).
      for (const f of ['calm', 'calm-walk', 'fast', 'feeds', 'market', 'recording', 'sessions']) rmSync(path.join(prom, 'tests', `${f}.test.yml`));
      const thr = path.join(prom, 'rules', 'thresholds.rules.yml');
      const text = readFileSync(thr, 'utf8');
      assert.ok(text.includes('expr: vector(0.8)'));
      writeFileSync(thr, text.replace('expr: vector(0.8)', 'expr: vector(0.95)'));
      const routes = path.join(am, 'tests', 'routes.test.yml');
      writeFileSync(routes, readFileSync(routes, 'utf8').replace('receivers: [email-digest]', 'receivers: [telegram]'));

      const res = run(['--prometheus-dir', prom, '--alertmanager-dir', am]);
      assert.equal(res.status, 1, res.stdout);
      assert.match(res.stdout, /^FAIL promtool test rules .*exporter\.test\.yml$/m);
      assert.match(res.stdout, /MarketQueueSaturated/);
      assert.match(res.stdout, /^FAIL amtool routes: info alert to the email digest -> telegram$/m);
      assert.match(res.stdout.trim().split('\n').at(-1) ?? '', /^test:rules: \d+ passed, 2 failed/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a missing tool stops the run with how to get it', () => {
    const res = run([], { ...process.env, TOOLS_BIN: path.join(tmpdir(), 'no-such-dir'), PATH: '' });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /promtool not found in tools\/bin or on PATH\. Get it with: bash scripts\/get-tools\.sh/);
  });
});
