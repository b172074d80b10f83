/**
 * The provisioned dashboard files: generated from grafana/src/, valid against Grafana's published
 * types (@grafana/schema, checked by the TypeScript compiler on the JSON itself), and internally
 * consistent: stable UIDs, the shared variables, the alert annotation, links that resolve, a grid
 * without overlaps.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { generatedFiles } from '../../grafana/src/generate.js';
import { dashboardQueries, panelsOf } from '../../grafana/src/queries.js';
import type { DashboardJson } from '../../grafana/src/schema.js';
import { dashboardFiles, provisionedDatasources, repoRoot } from './load.js';

const files = dashboardFiles();
const byUid = new Map(files.map((f) => [f.dashboard.uid, f.dashboard]));

const EXPECTED = {
  'market-overview.json': { uid: 'market-exporter', title: 'Market feeds overview' },
  'market-symbol.json': { uid: 'market-symbol', title: 'Symbol' },
  'market-feed-latency.json': { uid: 'market-feed-latency', title: 'Feed latency' },
  'market-exporter-internals.json': { uid: 'market-exporter-internals', title: 'Exporter internals' },
};

/**
 * Type-check TypeScript sources that never touch the disk, with the project's compiler options.
 * Returns the diagnostics of each virtual file.
 */
function typeCheck(virtual: Map<string, string>): Map<string, string[]> {
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const cfg = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, repoRoot);
  const options = { ...parsed.options, noEmit: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => {
    const text = virtual.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, lang, true) : getSourceFile(name, lang, onError, create);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  const out = new Map<string, string[]>();
  for (const name of virtual.keys()) {
    const sf = program.getSourceFile(name);
    assert.ok(sf, `program lost ${name}`);
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    out.set(
      name,
      diags.map((d) => {
        const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  return out;
}

/** A virtual module next to grafana/src/schema.ts asserting that `json` is a DashboardJson. */
const checkSource = (json: string) =>
  `import type { DashboardJson } from './schema.js';\nexport const dashboard = ${json.trim()} satisfies DashboardJson;\n`;
const checkPath = (name: string) => path.join(repoRoot, 'grafana', 'src', `__typecheck_${name}.ts`);

describe('dashboard files', () => {
  test('are exactly what grafana/src/generate.ts produces (JSON and docs/dashboards.md)', () => {
    for (const { file, content } of generatedFiles()) {
      assert.equal(readFileSync(file, 'utf8'), content, `${path.relative(repoRoot, file)} is stale: run node --import tsx grafana/src/generate.ts`);
    }
  });

  test('are the four dashboards with their stable UIDs and titles', () => {
    assert.deepEqual(
      Object.fromEntries(files.map((f) => [f.file, { uid: f.dashboard.uid, title: f.dashboard.title }])),
      EXPECTED,
    );
  });

  test("type-check against Grafana's published dashboard and panel types; a broken copy does not", () => {
    const virtual = new Map<string, string>();
    for (const f of files) virtual.set(checkPath(f.file), checkSource(f.text));

    // Negative controls: each mutation must be rejected, or the check proves nothing.
    const overview = JSON.parse(files.find((f) => f.dashboard.uid === 'market-exporter')!.text) as DashboardJson;
    const firstOf = (d: DashboardJson, type: string) => panelsOf(d).find((p) => p.type === type) as unknown as Record<string, Record<string, unknown>>;
    const mutations: Record<string, (d: DashboardJson) => void> = {
      'unknown timeseries option': (d) => void (firstOf(d, 'timeseries').options!.legendMode = 'table'),
      'misspelt legend placement': (d) => void ((firstOf(d, 'timeseries').options!.legend as Record<string, unknown>).placement = 'left'),
      'stat without textMode': (d) => void delete firstOf(d, 'stat').options!.textMode,
      'unknown dashboard key': (d) => void ((d as unknown as Record<string, unknown>).refreshEvery = '30s'),
      'string schemaVersion': (d) => void ((d as unknown as Record<string, unknown>).schemaVersion = '42'),
      'bad variable refresh': (d) => void ((d.templating.list[0] as Record<string, unknown>).refresh = 7),
    };
    // Mutated on a copy holding one panel of each type, which keeps the compiler's work small.
    const sample = { ...overview, panels: [firstOf(overview, 'timeseries'), firstOf(overview, 'stat')] } as unknown as DashboardJson;
    for (const [name, mutate] of Object.entries(mutations)) {
      const copy = structuredClone(sample);
      mutate(copy);
      virtual.set(checkPath(`negative_${name.replace(/\W/g, '_')}`), checkSource(JSON.stringify(copy)));
    }

    virtual.set(checkPath('sample'), checkSource(JSON.stringify(sample)));

    const results = typeCheck(virtual);
    assert.deepEqual(results.get(checkPath('sample')), [], 'the unmutated sample must pass, or the negatives prove nothing');
    for (const f of files) assert.deepEqual(results.get(checkPath(f.file)), [], `${f.file} does not match @grafana/schema`);
    for (const name of Object.keys(mutations)) {
      const diags = results.get(checkPath(`negative_${name.replace(/\W/g, '_')}`)) ?? [];
      assert.ok(diags.length > 0, `the type check accepted a dashboard with ${name}`);
    }
  });
});

describe('each dashboard', () => {
  const promUid = provisionedDatasources().find((d) => d.type === 'prometheus')?.uid;

  for (const { file, dashboard: d } of files) {
    describe(file, () => {
      const panels = panelsOf(d);
      const varNames = new Set(d.templating.list.map((v) => v.name));

      test('has the exchange and symbol variables, read from Prometheus', () => {
        for (const name of ['exchange', 'symbol']) {
          const v = d.templating.list.find((x) => x.name === name);
          assert.ok(v, `no $${name}`);
          assert.equal(v.type, 'query');
          assert.equal(v.datasource?.uid, promUid);
          assert.match(String(v.query), new RegExp(`^label_values\\(.*, ${name}\\)$`));
        }
      });

      test('annotates firing alerts from ALERTS', () => {
        const alerts = d.annotations.list.filter((a) => /^ALERTS\{alertstate="firing"/.test(a.target.expr));
        assert.equal(alerts.length, 1);
        assert.equal(alerts[0]!.enable, true);
        assert.equal(alerts[0]!.datasource.uid, promUid);
        assert.match(alerts[0]!.titleFormat ?? '', /\{\{alertname\}\}/);
      });

      test('links to every other dashboard, carrying the variables and the time range', () => {
        const link = d.links?.find((l) => l.type === 'dashboards');
        assert.ok(link);
        assert.equal(link.includeVars, true);
        assert.equal(link.keepTime, true);
        for (const other of files) assert.ok(link.tags.every((t) => other.dashboard.tags.includes(t)), `${other.file} lacks the link tags`);
      });

      test('queries only the provisioned Prometheus, with unique refIds per panel', () => {
        for (const p of panels) {
          assert.equal(p.datasource.uid, promUid, p.title);
          assert.ok(p.targets.length > 0, `${p.title}: no query`);
          assert.equal(new Set(p.targets.map((t) => t.refId)).size, p.targets.length, `${p.title}: duplicate refId`);
          for (const t of p.targets) assert.equal(t.datasource.uid, promUid, `${p.title} ${t.refId}`);
        }
      });

      test('uses only variables it defines (or Grafana built-ins)', () => {
        const texts = [
          ...dashboardQueries(d).map((x) => x.expr),
          ...panels.map((p) => p.title),
          ...panels.flatMap((p) => p.targets.map((t) => t.legendFormat ?? '')),
        ];
        for (const text of texts) {
          for (const m of text.matchAll(/\$(\w+)/g)) {
            const name = m[1]!;
            if (name.startsWith('__')) assert.ok(['__rate_interval', '__range', '__interval'].includes(name), `${name} in ${text}`);
            else assert.ok(varNames.has(name), `$${name} is not a variable of ${file} (in ${text})`);
          }
        }
        for (const p of panels) {
          if (!p.repeat) continue;
          const v = d.templating.list.find((x) => x.name === p.repeat);
          assert.ok(v?.multi, `${p.title} repeats over ${p.repeat}, which is not a multi-value variable`);
        }
      });

      test('has unique panel ids and a grid without overlaps, inside 24 columns', () => {
        const ids = d.panels.map((p) => p.id);
        assert.equal(new Set(ids).size, ids.length);
        const boxes = d.panels.map((p) => ({ title: p.title, ...p.gridPos! }));
        for (const b of boxes) {
          assert.ok(b.x >= 0 && b.w > 0 && b.x + b.w <= 24 && b.h > 0 && b.y >= 0, `${b.title} is off the grid`);
        }
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!;
            const b = boxes[j]!;
            const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            assert.ok(!overlap, `${a.title} overlaps ${b.title}`);
          }
        }
      });

      test('describes every panel (what it shows, what is bad)', () => {
        for (const p of panels) assert.ok((p.description ?? '').length > 20, `${p.title} has no description`);
      });

      test('data links point at dashboards that exist, with variables they define', () => {
        const links = panels.flatMap((p) => [
          ...(p.fieldConfig.defaults.links ?? []),
          ...p.fieldConfig.overrides.flatMap((o) => o.properties.filter((x) => x.id === 'links').flatMap((x) => x.value as unknown[])),
        ]) as { url: string }[];
        for (const { url } of links) {
          const m = /^\/d\/([^/?]+)\/[^?]*\?(.*)$/.exec(url);
          assert.ok(m, `unexpected link ${url}`);
          const target = byUid.get(m[1]!);
          assert.ok(target, `${url} links to a missing dashboard`);
          for (const v of m[2]!.matchAll(/var-(\w+)=/g)) {
            assert.ok(target.templating.list.some((x) => x.name === v[1]), `${url}: ${target.uid} has no $${v[1]}`);
          }
        }
      });
    });
  }
});

describe('links into the dashboards from elsewhere', () => {
  test("the alert notifications' Grafana link opens a dashboard with $exchange and $symbol", () => {
    const tmpl = readFileSync(path.join(repoRoot, 'alertmanager', 'templates', 'links.tmpl'), 'utf8');
    const m = /define "market\.dashboard_path" \}\}\/d\/([^/{]+)/.exec(tmpl);
    assert.ok(m, 'alertmanager/templates/links.tmpl no longer defines market.dashboard_path as /d/<uid>/...');
    const d = byUid.get(m[1]!);
    assert.ok(d, `alert links point at /d/${m[1]}, which no dashboard has as UID`);
    for (const v of ['exchange', 'symbol']) assert.ok(d.templating.list.some((x) => x.name === v));
  });
});
