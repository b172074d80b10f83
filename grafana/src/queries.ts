/**
 * Reading queries back out of dashboard JSON: every panel target, variable and annotation, the
 * `label_values(...)` variable syntax, and the metric names a PromQL expression selects. Used by
 * the docs generator and by the tests that run the queries against a real Prometheus.
 */
import type { DashboardJson, PanelJson, RowJson } from './schema.js';

export interface DashboardQuery {
  dashboard: string;
  kind: 'panel' | 'variable' | 'annotation';
  /** Row title, for panels. */
  row?: string;
  /** Panel title, variable name or annotation name. */
  title: string;
  panelType?: string;
  refId: string;
  /** PromQL; for variables, Grafana's `label_values(...)` text. */
  expr: string;
  legend?: string;
  instant: boolean;
  format?: string;
}

const isRow = (p: PanelJson | RowJson): p is RowJson => p.type === 'row';

/** Every query of a dashboard in display order: variables, annotations, then panels row by row. */
export function dashboardQueries(d: DashboardJson): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const v of d.templating.list) {
    if (v.type !== 'query' || typeof v.query !== 'string') continue;
    out.push({ dashboard: d.uid, kind: 'variable', title: v.name, refId: v.name, expr: v.query, instant: true });
  }
  for (const a of d.annotations.list) {
    out.push({ dashboard: d.uid, kind: 'annotation', title: a.name, refId: a.target.refId, expr: a.target.expr, instant: false });
  }
  let row: string | undefined;
  for (const p of d.panels) {
    if (isRow(p)) {
      row = p.title;
      continue;
    }
    for (const t of p.targets) {
      out.push({
        dashboard: d.uid,
        kind: 'panel',
        row,
        title: p.title,
        panelType: p.type,
        refId: t.refId,
        expr: t.expr,
        legend: t.legendFormat,
        instant: t.instant === true,
        format: t.format,
      });
    }
  }
  return out;
}

/** The panels of a dashboard, rows skipped. */
export function panelsOf(d: DashboardJson): PanelJson[] {
  return d.panels.filter((p): p is PanelJson => !isRow(p));
}

/**
 * Parse Grafana's `label_values(selector, label)` / `label_values(label)` variable query into the
 * Prometheus API call it stands for: /api/v1/label/<label>/values?match[]=<selector>.
 */
export function parseLabelValues(query: string): { label: string; match?: string } | undefined {
  const m = /^\s*label_values\((.*)\)\s*$/s.exec(query);
  if (!m) return undefined;
  const inner = m[1] ?? '';
  // The label is after the last comma outside braces and quotes: selectors contain commas too.
  let depth = 0;
  let quote = '';
  let split = -1;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) split = i;
  }
  const label = (split < 0 ? inner : inner.slice(split + 1)).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) return undefined;
  return split < 0 ? { label } : { label, match: inner.slice(0, split).trim() };
}

const NOT_METRICS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool',
  'and', 'or', 'unless', 'atan2', 'inf', 'nan', 'start', 'end',
]);

/**
 * Metric names a PromQL expression selects. A small lexer, not a parser: strings, label
 * matchers, ranges and grouping clauses are removed, then every identifier that is not a keyword
 * and not followed by `(` (a function or aggregation) is a metric name. The live-query test checks
 * it against Prometheus' own parser.
 */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/(?<![\w.:$])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const rest = s.slice((m.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || NOT_METRICS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
