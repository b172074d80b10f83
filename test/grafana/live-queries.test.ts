/**
 * Every dashboard query against a real Prometheus scraping a running exporter: panels, variables
 * and annotations parse, name the metrics the static check thinks they name, and return series.
 *
 * The exporter reads a simulator with one-second bars (test/fixtures/grafana/live-exporter.yml);
 * Prometheus runs the shipped prometheus.yml and rules with a 1s scrape and evaluation interval,
 * plus one test alert that always fires, so the ALERTS panels and annotations have something to
 * show. Grafana's variables are substituted the way Grafana would, once with concrete values and
 * once with "All".
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { dashboardQueries, metricNames, parseLabelValues, type DashboardQuery } from '../../grafana/src/queries.js';
import { shippedRuleFiles, startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { createLogger } from '../../src/log.js';
import { Simulator } from '../../src/simulator/server.js';
import { pollUntil, spawnService, type ServiceProcess } from '../support/service-process.js';
import { dashboardFiles, repoRoot } from './load.js';

/**
 * Queries allowed to come back empty in a one-minute run, and why. Each must still parse; an
 * entry that no dashboard uses any more fails the test, so the list can't rot.
 */
const EMPTY_IN_A_SHORT_RUN: Record<string, string> = {
  'exchange_symbol:market_traded_volume:rate1m_avg1h_offset5m': 'baseline over the hour that ended 5m ago: needs > 5m of history',
  'exchange_symbol:market_price:return_ratio_1h': 'price an hour ago: needs 1h of history',
  'exchange_symbol_window:market_window_return_ratio:zscore1h': 'over the hour that ended 5m ago, once it holds 1800 samples: needs 35m of history',
  market_feed_clock_skew_seconds: 'only venues whose pong carries their clock (Kraken); the simulator has none',
  market_exporter_log_messages_suppressed_total: 'no log line is rate-limited in a healthy run',
  market_venue_maintenance_start_timestamp_seconds: 'only venues that announce maintenance windows (Kraken); the simulator announces none',
  market_perp_: 'perpetuals (mark, index, funding, basis): the simulator speaks Binance spot, which has none',
  market_book_: 'order books (opt-in per feed): the simulator serves no depth stream or REST snapshot',
};

/** Grafana's built-in interval variables, as it would set them for a 1s scrape interval. */
const BUILTINS: Record<string, string> = { __rate_interval: '10s', __interval: '2s', __range: '1m' };

const files = dashboardFiles();
const all = files.flatMap(({ file, dashboard }) => dashboardQueries(dashboard).map((x) => ({ ...x, file })));
const panelAndAnnotation = all.filter((x) => x.kind !== 'variable');
const variables = all.filter((x) => x.kind === 'variable');

let sim: Simulator | undefined;
let exporter: ServiceProcess;
let prom: PrometheusInstance;
let dir: string;
let concrete: Record<string, string>;

function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$(\w+)/g, (m, name: string) => values[name] ?? BUILTINS[name] ?? m);
}

async function api<T>(p: string, params: Record<string, string | string[]>): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) qs.append(k, x);
  // GET: the label values endpoint accepts nothing else.
  const res = await fetch(`${prom.url}${p}?${qs}`, { signal: AbortSignal.timeout(5_000) });
  const json = (await res.json()) as { status: string; data: T; error?: string };
  if (json.status !== 'success') throw new Error(`${p} ${JSON.stringify(params)}: ${json.error}`);
  return json.data;
}

/** Series a query returns the way its panel runs it: instant, or a range over the last 30 seconds. */
async function run(x: DashboardQuery, values: Record<string, string>): Promise<number> {
  const query = substitute(x.expr, values);
  const now = Date.now() / 1000;
  const data = x.instant
    ? await api<{ result: unknown[] }>('/api/v1/query', { query, time: String(now) })
    : await api<{ result: unknown[] }>('/api/v1/query_range', { query, start: String(now - 30), end: String(now), step: '1' });
  return data.result.length;
}

/** Metric names in Prometheus' own parse of the query. */
function astNames(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) astNames(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.type === 'vectorSelector' || o.type === 'matrixSelector') && typeof o.name === 'string' && o.name) out.add(o.name);
    for (const v of Object.values(o)) astNames(v, out);
  }
  return out;
}

const allowedEmpty = (expr: string) => Object.keys(EMPTY_IN_A_SHORT_RUN).find((k) => expr.includes(k));
const where = (x: DashboardQuery & { file: string }) => `${x.file} "${x.title}" ${x.refId}: ${x.expr}`;

describe('dashboard queries against a live exporter and Prometheus', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'market-grafana-'));
    sim = await Simulator.start({ symbols: ['BTCUSDT', 'ETHUSDT'], ratePerSymbol: 20, seed: 7, log: createLogger({ level: 'error' }) });
    exporter = await spawnService({
      name: 'market-exporter',
      command: process.execPath,
      cwd: repoRoot,
      args: (port) => ['--import', 'tsx', 'src/main.ts', '--config', 'test/fixtures/grafana/live-exporter.yml', '--listen', `127.0.0.1:${port}`],
      readyPath: '/-/ready',
      env: { ...process.env, SIM_URL: sim.url },
    });
    const probe = path.join(dir, 'probe.alerts.yml');
    writeFileSync(
      probe,
      dump({
        groups: [{ name: 'dashboard-probe', rules: [{ alert: 'DashboardProbe', expr: 'market_feed_up == 1', labels: { severity: 'info' } }] }],
      }),
    );
    prom = await startPrometheus({ exporterTargets: [`127.0.0.1:${exporter.port}`], ruleFiles: [...shippedRuleFiles(), probe] });
    concrete = { exchange: 'simulator', symbol: 'BTCUSDT', bar: '1s', instance: `127.0.0.1:${exporter.port}` };
    // The slowest things to appear: the last indicator of the warm-up, rates over a few scrapes, the alert.
    for (const ready of [
      'market_indicator{indicator="macd_signal", interval="1s", symbol="BTCUSDT"}',
      'exchange:market_feed_messages:rate1m > 0',
      'market_feed_ping_rtt_seconds',
      'ALERTS{alertname="DashboardProbe", alertstate="firing"}',
      'count_over_time(up{job="market-exporter"}[1m]) >= 5',
      'instrument_exchange_symbol:market_price:unmoved_seconds',
    ]) {
      await pollUntil(async () => (await prom.query(ready)).length > 0, ready, { timeoutMs: 40_000, everyMs: 250 });
    }
  });

  afterAll(async () => {
    await prom?.stop();
    await exporter?.stop();
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every variable query returns the values the exporter has', async () => {
    assert.ok(variables.length >= 8);
    for (const x of variables) {
      const lv = parseLabelValues(x.expr);
      assert.ok(lv, `${x.file} $${x.title}: not label_values(...): ${x.expr}`);
      const params: Record<string, string> = lv.match ? { 'match[]': substitute(lv.match, concrete) } : {};
      const values = await api<string[]>(`/api/v1/label/${lv.label}/values`, params);
      const want = concrete[x.title];
      assert.ok(want, `no concrete value for $${x.title}`);
      assert.ok(values.includes(want), `${x.file} $${x.title} gave ${JSON.stringify(values)}, expected ${want} among them`);
    }
  });

  test("every panel and annotation query parses, and names what the static check says it names", async () => {
    for (const x of panelAndAnnotation) {
      const names = astNames(await api<unknown>('/api/v1/parse_query', { query: substitute(x.expr, concrete) }));
      assert.ok(names.size > 0, `${where(x)}: selects no metric`);
      assert.deepEqual([...names].sort(), metricNames(x.expr).sort(), where(x));
    }
  });

  for (const [name, values] of [
    ['concrete values', () => concrete],
    ['"All" for the multi-value variables', () => ({ ...concrete, exchange: '.*', symbol: '.*', instance: '.*' })],
  ] as const) {
    test(`every panel and annotation query returns series, with ${name}`, async () => {
      const counts = new Map<DashboardQuery & { file: string }, number>();
      // A query on a rule that only just got its first samples may need another evaluation or two:
      // retry the empty ones until a deadline, then report all that are still empty.
      const deadline = Date.now() + 15_000;
      let pending = panelAndAnnotation;
      for (;;) {
        for (const x of pending) counts.set(x, await run(x, values()));
        pending = pending.filter((x) => counts.get(x) === 0 && !allowedEmpty(x.expr));
        if (pending.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      if (name === 'concrete values') {
        for (const [x, n] of counts) console.log(`${n} series  ${x.file} "${x.title}" ${x.refId}`);
      }
      assert.deepEqual(pending.map(where), []);
    });
  }

  test('the alert annotation and panels see a firing alert', async () => {
    const annotations = panelAndAnnotation.filter((x) => x.kind === 'annotation');
    assert.equal(annotations.length, files.length);
    for (const x of annotations) {
      const res = await api<{ result: { metric: Record<string, string> }[] }>('/api/v1/query', { query: substitute(x.expr, concrete) });
      assert.ok(res.result.some((r) => r.metric.alertname === 'DashboardProbe'), where(x));
    }
  });

  test('the allowance for empty results names only queries the dashboards still run', () => {
    for (const key of Object.keys(EMPTY_IN_A_SHORT_RUN)) {
      assert.ok(panelAndAnnotation.some((x) => x.expr.includes(key)), `no dashboard query uses ${key}: drop it from EMPTY_IN_A_SHORT_RUN`);
    }
  });
});
