/**
 * Every metric a dashboard or a Prometheus rule names exists: in the exporter's metric module
 * (src/metrics/catalog.ts), in prom-client's default metrics the exporter also serves, as a
 * recording rule in prometheus/rules/, or as a series Prometheus makes itself (up, ALERTS, ...).
 * And the other way round: every metric the exporter exposes is on some dashboard.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { dashboardQueries, metricNames, parseLabelValues } from '../../grafana/src/queries.js';
import { exposedNames, METRICS, type MetricDef } from '../../src/metrics/catalog.js';
import { dashboardFiles, readYaml, repoRoot } from './load.js';

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

function ruleFiles(dir: string): { file: string; rules: RuleFile }[] {
  const abs = path.join(repoRoot, 'prometheus', dir);
  return readdirSync(abs)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => ({ file: `prometheus/${dir}/${f}`, rules: readYaml<RuleFile>('prometheus', dir, f) }));
}

const recordingFiles = ruleFiles('rules');
const alertFiles = ruleFiles('alerts');
const allRules = [...recordingFiles, ...alertFiles].flatMap(({ file, rules }) =>
  rules.groups.flatMap((g) => g.rules.map((r) => ({ file, ...r }))),
);
/** Recording rule name → the expressions that define it (a name may have one per label set). */
const recorded = new Map<string, string[]>();
for (const r of allRules) if (r.record) recorded.set(r.record, [...(recorded.get(r.record) ?? []), r.expr]);

/** prom-client's defaults, registered the way src/service.ts does it. */
function promClientDefaults(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const out = new Set<string>();
  for (const m of registry.getMetricsAsArray()) {
    out.add(m.name);
    for (const s of ['_bucket', '_sum', '_count']) out.add(m.name + s);
  }
  return out;
}

/** Series Prometheus creates itself, per scrape target and for alerts. */
const PROMETHEUS_SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE']);

const exporter = exposedNames();
const defaults = promClientDefaults();
const known = (name: string) =>
  exporter.has(name) || defaults.has(name) || recorded.has(name) || PROMETHEUS_SYNTHETIC.has(name);

const files = dashboardFiles();
const queries = files.flatMap(({ file, dashboard }) =>
  dashboardQueries(dashboard).map((x) => {
    // A variable's selector is PromQL; the rest of label_values(...) is Grafana's.
    const expr = x.kind === 'variable' ? (parseLabelValues(x.expr)?.match ?? '') : x.expr;
    return { ...x, file, promql: expr };
  }),
);

describe('metric names', () => {
  test('the lexer finds metric names and skips functions, keywords, labels and strings', () => {
    assert.deepEqual(metricNames('sum by (exchange, le) (rate(market_feed_lag_seconds_bucket{exchange=~"a|b"}[5m]))'), [
      'market_feed_lag_seconds_bucket',
    ]);
    assert.deepEqual(metricNames('count(ALERTS{alertstate="firing"}) or vector(0)'), ['ALERTS']);
    assert.deepEqual(metricNames('-market:threshold_clock_skew:seconds'), ['market:threshold_clock_skew:seconds']);
    assert.deepEqual(
      metricNames('a / on(job, instance) group_left() b unless c offset 1h > bool 2e-3'),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(metricNames('time() - max by (exchange) (x{y="time()"}) * 1000'), ['x']);
    assert.deepEqual(metricNames('label_replace(vector(1), "exchange", "nyse", "", "")'), []);
  });

  test('label_values(...) variables parse into the label API call they stand for', () => {
    assert.deepEqual(parseLabelValues('label_values(market_feed_up, exchange)'), { label: 'exchange', match: 'market_feed_up' });
    assert.deepEqual(parseLabelValues('label_values(m{a=~"$x", b="1,2"}, symbol)'), { label: 'symbol', match: 'm{a=~"$x", b="1,2"}' });
    assert.deepEqual(parseLabelValues('label_values(job)'), { label: 'job' });
    assert.equal(parseLabelValues('query_result(up)'), undefined);
  });

  test('every dashboard query names only metrics that exist', () => {
    assert.ok(queries.length > 50, 'the dashboards lost their queries');
    const unknown = queries.flatMap((x) =>
      metricNames(x.promql)
        .filter((n) => !known(n))
        .map((n) => `${x.file} "${x.title}" ${x.refId}: ${n}`),
    );
    assert.deepEqual(unknown, []);
  });

  test('every metric named by a recording or alerting rule exists', () => {
    assert.ok(allRules.length > 20, 'no rules found under prometheus/');
    const unknown = allRules.flatMap((r) =>
      metricNames(r.expr)
        .filter((n) => !known(n))
        .map((n) => `${r.file} ${r.record ?? r.alert}: ${n}`),
    );
    assert.deepEqual(unknown, []);
  });

  test('a misspelt name is caught (the check can fail)', () => {
    const names = metricNames('rate(market_feed_mesages_total[5m]) / exchange:market_feed_messages:rate5m');
    assert.deepEqual(names.filter((n) => !known(n)), ['market_feed_mesages_total', 'exchange:market_feed_messages:rate5m']);
  });

  test('every metric the exporter exposes is on a dashboard, directly or through a recording rule', () => {
    const used = new Set<string>();
    const visit = (name: string) => {
      if (used.has(name)) return;
      used.add(name);
      for (const expr of recorded.get(name) ?? []) for (const n of metricNames(expr)) visit(n);
    };
    for (const x of queries) for (const n of metricNames(x.promql)) visit(n);
    const missing = (Object.values(METRICS) as MetricDef[])
      .filter((m) => (m.type === 'histogram' ? !['_bucket', '_sum', '_count'].some((s) => used.has(m.name + s)) : !used.has(m.name)))
      .map((m) => m.name);
    assert.deepEqual(missing, []);
  });
});
