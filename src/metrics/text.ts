/** Prometheus text exposition format 0.0.4 helpers. */
import type { MetricDef } from './def.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` for the given names and values (values escaped). Empty string for no labels. */
export function labelBlock(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let s = '{';
  for (let i = 0; i < names.length; i++) s += `${i ? ',' : ''}${names[i]}="${escapeLabelValue(values[i]!)}"`;
  return s + '}';
}

export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v !== v) return 'NaN';
  // The same text as String(v) (JSON prints a finite number by ToString), but not through V8's
  // number-to-string cache, which keeps each result until a later conversion takes its slot: a
  // scrape's tens of thousands of values stayed there past young collections, and the old
  // generation they were promoted to filled towards a full collection every few seconds.
  return JSON.stringify(v);
}

export function header(def: MetricDef): string {
  return `# HELP ${def.name} ${escapeHelp(def.help)}\n# TYPE ${def.name} ${def.type}\n`;
}
