// Every metric the rules, alerts and promtool tests name must be one the exporter exposes
// (src/metrics/catalog.ts), a recording rule defined in prometheus/rules, or a standard series.
// A misspelled metric makes an alert that silently never fires; this is where it is caught.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ERROR_TYPES, RECONNECT_REASONS } from '../../src/feeds/types.js';
import { exposedNames, INDICATOR_NAMES } from '../../src/metrics/catalog.js';
import {
  labelNames,
  loadPromtoolTests,
  loadRules,
  metricNames,
  ruleFilePaths,
  seriesName,
} from '../support/alert-pack.js';

const STANDARD = [/^up$/, /^ALERTS(_FOR_STATE)?$/, /^process_/, /^nodejs_/, /^prometheus_/, /^alertmanager_/];
/** Labels the exporter exports, Prometheus adds, or the rules create. */
const LABELS = new Set([
  'exchange', 'symbol', 'interval', 'indicator', 'window', 'reason', 'type', 'kind', 'shard', // exporter
  'status', // exporter: market_venue_status
  'spot_exchange', 'spot_symbol', // exporter: market_perp_spot_info (the basis pairs)
  'job', 'instance', 'le', '__name__', // Prometheus
  'lane', // prometheus.yml: the fast-lane job's series
  'quantile', 'band', // recording/alerting rules
  'alertname', 'alertstate', 'severity', // ALERTS
  'instrument', // exporter: market_instrument_info
]);

const files = ruleFilePaths();
const recording = loadRules(files.recording);
const alerting = loadRules(files.alerting);
const recorded = new Set(recording.map((r) => r.record).filter((r): r is string => !!r));
const exposed = exposedNames();

function unknown(names: Iterable<string>): string[] {
  return [...names].filter((n) => !exposed.has(n) && !recorded.has(n) && !STANDARD.some((re) => re.test(n)));
}

describe('metric names in prometheus/', () => {
  test('the extractor finds series and skips functions, keywords, labels, strings and durations', () => {
    const expr = `histogram_quantile(0.99, sum by (job, le) (rate(market_feed_lag_seconds_bucket{exchange=~"a|b"}[5m] offset 1h)))
      > on(exchange) group_left() exchange:threshold_feed_stale:seconds and label_replace(vector(1e-3), "x", "up", "", "")
      or absent(up{job="market-exporter"}) unless bool market_price # market_bogus in a comment`;
    assert.deepEqual(metricNames(expr).sort(), [
      'exchange:threshold_feed_stale:seconds',
      'market_feed_lag_seconds_bucket',
      'market_price',
      'up',
    ]);
    assert.deepEqual(labelNames(expr).sort(), ['exchange', 'job', 'le']);
  });

  test('every rule expression names only exposed metrics, recording rules or standard series', () => {
    const bad = [...recording, ...alerting].flatMap((r) => unknown(metricNames(r.expr)).map((n) => `${r.file} ${r.record ?? r.alert}: ${n}`));
    assert.deepEqual(bad, []);
  });

  test('every recording rule name is level:metric:operation and defined once per label set', () => {
    const seen = new Set<string>();
    for (const r of recording) {
      assert.match(r.record ?? '', /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, `${r.file}: ${r.record}`);
      const key = `${r.record}${JSON.stringify(r.labels ?? {})}`;
      assert.ok(!seen.has(key), `${r.record} defined twice`);
      seen.add(key);
    }
  });

  test('every label the expressions match or join on exists', () => {
    const bad = [...recording, ...alerting].flatMap((r) =>
      labelNames(r.expr)
        .filter((l) => !LABELS.has(l))
        .map((l) => `${r.file} ${r.record ?? r.alert}: ${l}`),
    );
    assert.deepEqual(bad, []);
  });

  test('promtool tests feed only real series and query only known names', () => {
    const bad: string[] = [];
    for (const f of loadPromtoolTests()) {
      for (const g of f.tests) {
        for (const s of g.input_series ?? []) {
          const name = seriesName(s.series);
          // Input series must be what the exporter (or Prometheus) produces, never a recording rule.
          if (!exposed.has(name) && !STANDARD.some((re) => re.test(name))) bad.push(`${f.file} ${g.name}: input ${name}`);
        }
        for (const e of g.promql_expr_test ?? []) {
          for (const n of unknown(metricNames(e.expr))) bad.push(`${f.file} ${g.name}: expr ${n}`);
          for (const s of e.exp_samples ?? []) {
            const n = seriesName(s.labels ?? '');
            if (n && unknown([n]).length > 0) bad.push(`${f.file} ${g.name}: sample ${n}`);
          }
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  test('closed label sets (reason, type, indicator) only take values the exporter can export', () => {
    const allowed: Record<string, readonly string[]> = { reason: RECONNECT_REASONS, type: ERROR_TYPES, indicator: INDICATOR_NAMES };
    const bad: string[] = [];
    const texts = [
      ...[...recording, ...alerting].map((r) => r.expr),
      ...loadPromtoolTests().flatMap((f) => f.tests.flatMap((g) => (g.input_series ?? []).map((s) => s.series))),
    ];
    for (const t of texts) {
      for (const m of t.matchAll(/\b(reason|type|indicator)\s*=\s*"([^"]*)"/g)) {
        if (!(allowed[m[1] ?? ''] ?? []).includes(m[2] ?? '')) bad.push(`${m[1]}="${m[2]}"`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('the rules use the feed, saturation and market metrics the pack is about', () => {
    // Guards the extractor against returning nothing (which would make the checks above vacuous).
    const used = new Set([...recording, ...alerting].flatMap((r) => metricNames(r.expr)));
    for (const m of ['market_feed_up', 'market_feed_last_message_timestamp_seconds', 'market_feed_lag_seconds_bucket', 'market_ingest_queue_depth', 'market_window_return_ratio', 'market_indicator', 'up']) {
      assert.ok(used.has(m), m);
    }
  });
});
