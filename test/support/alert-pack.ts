/**
 * Reads the alert pack (prometheus/ rules, alerts and promtool tests; docs) for the structural
 * tests, and extracts metric and label names from PromQL for the name checks.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { prometheusDir, repoRoot, type RuleDef, type RuleFile } from './prometheus.js';

export const RUNBOOK_BASE = 'https://github.com/market-exporter/market-exporter/blob/main/docs/runbook.md';

export interface LoadedRule extends RuleDef {
  file: string;
  group: string;
}

function yamlFiles(dir: string, suffix = '.yml'): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(suffix))
    .sort()
    .map((n) => path.join(dir, n));
}

export function ruleFilePaths(): { recording: string[]; alerting: string[] } {
  return {
    recording: yamlFiles(path.join(prometheusDir, 'rules')),
    alerting: yamlFiles(path.join(prometheusDir, 'alerts')),
  };
}

export function loadRules(files: string[]): LoadedRule[] {
  return files.flatMap((file) => {
    const rf = load(readFileSync(file, 'utf8')) as RuleFile;
    return rf.groups.flatMap((g) => g.rules.map((r) => ({ ...r, file: path.relative(repoRoot, file), group: g.name })));
  });
}

export function groupNames(files: string[]): string[] {
  return files.flatMap((file) => (load(readFileSync(file, 'utf8')) as RuleFile).groups.map((g) => g.name));
}

export interface PromtoolAlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}
export interface PromtoolTestGroup {
  name?: string;
  interval?: string;
  input_series?: { series: string; values: string }[];
  alert_rule_test?: PromtoolAlertCase[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples?: { labels?: string; value: number }[] }[];
}
export interface PromtoolTestFile {
  file: string;
  rule_files: string[];
  evaluation_interval?: string;
  group_eval_order?: string[];
  tests: PromtoolTestGroup[];
}

export function loadPromtoolTests(): PromtoolTestFile[] {
  return yamlFiles(path.join(prometheusDir, 'tests'), '.test.yml').map((file) => ({
    ...(load(readFileSync(file, 'utf8')) as Omit<PromtoolTestFile, 'file'>),
    file: path.relative(repoRoot, file),
  }));
}

/** Prometheus duration ("1m30s", "15s", "2h") in seconds. */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  let rest = d.trim();
  while (rest.length > 0) {
    const m = /^(\d+)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!m || !m[1] || !m[2]) throw new Error(`bad duration ${d}`);
    total += Number(m[1]) * (units[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}

const KEYWORDS = new Set([
  'and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
  'inf', 'nan', 'atan2', 'start', 'end',
]);
const LABEL_LISTS = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

function stripStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/** Metric names (series selectors) in a PromQL expression: no functions, keywords or labels. */
export function metricNames(expr: string): string[] {
  let s = stripStrings(expr.replace(/#.*$/gm, ''));
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(LABEL_LISTS, ' ');
  s = s.replace(/\boffset\s+-?\w+/g, ' ');
  const out = new Set<string>();
  // Numbers first so "1e-3" or "0x1f" never yields an identifier.
  const token = /(0x[0-9a-f]+|\d*\.?\d+(?:e[+-]?\d+)?)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi;
  for (const m of s.matchAll(token)) {
    const name = m[2];
    if (!name || m[3] || KEYWORDS.has(name.toLowerCase())) continue;
    out.add(name);
  }
  return [...out];
}

/** Label names an expression matches on, groups by or joins on. */
export function labelNames(expr: string): string[] {
  const s = stripStrings(expr.replace(/#.*$/gm, ''));
  const out = new Set<string>();
  for (const m of s.matchAll(/\{([^}]*)\}/g)) {
    for (const l of (m[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) if (l[1]) out.add(l[1]);
  }
  for (const m of s.matchAll(LABEL_LISTS)) {
    for (const l of (m[2] ?? '').split(',')) if (l.trim()) out.add(l.trim());
  }
  return [...out];
}

/** The metric name of a promtool series string: `name{a="b"}` -> name ('' for `{...}`). */
export function seriesName(series: string): string {
  return series.split('{')[0]?.trim() ?? '';
}

export function readDoc(rel: string): string {
  return readFileSync(path.join(repoRoot, rel), 'utf8');
}
