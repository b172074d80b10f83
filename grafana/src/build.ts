/**
 * Small builders for the dashboards: panels with Grafana's full option sets, queries, variables,
 * the alert annotation, links, and a flow layout that assigns ids and grid positions. Pure: the
 * dashboards are values, grafana/src/generate.ts writes them out.
 */
import type {
  AnnotationJson,
  BarGaugePanelJson,
  DashboardJson,
  HeatmapPanelJson,
  PanelJson,
  PromTarget,
  RowJson,
  StatPanelJson,
  TablePanelJson,
  TimeSeriesPanelJson,
  VariableJson,
} from './schema.js';

/** Provisioned data source UIDs (grafana/provisioning/datasources/datasources.yml). */
export const PROMETHEUS_UID = 'prometheus';
export const ALERTMANAGER_UID = 'alertmanager';
const PROM = { type: 'prometheus', uid: PROMETHEUS_UID } as const;

/** Every dashboard carries this tag; the dashboard links list all dashboards with it. */
export const DASHBOARD_TAG = 'market-exporter';

/** Label selectors shared by the queries. */
export const EX = 'exchange=~"$exchange"';
export const EXS = 'exchange=~"$exchange", symbol=~"$symbol"';

export interface Query {
  expr: string;
  legend?: string;
  /** An instant query (tables, stats, bar gauges). */
  instant?: boolean;
  format?: PromTarget['format'];
  /** A threshold from prometheus/rules/thresholds.rules.yml, drawn as a dashed red line. */
  threshold?: boolean;
}

/** A query drawn as a series. */
export const q = (expr: string, legend?: string, more: Omit<Query, 'expr' | 'legend'> = {}): Query => ({ expr, legend, ...more });
/** A threshold series: the value an alert compares against, drawn dashed so it reads as a limit. */
export const limit = (expr: string, legend: string): Query => ({ expr, legend, threshold: true });

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function targets(queries: Query[], instantByDefault = false): PromTarget[] {
  return queries.map((qu, i) => {
    const instant = qu.instant ?? instantByDefault;
    return {
      datasource: PROM,
      refId: REF_IDS[i] ?? `Q${i}`,
      expr: qu.expr,
      ...(qu.legend !== undefined ? { legendFormat: qu.legend } : {}),
      ...(instant ? { instant: true, range: false } : { range: true }),
      ...(qu.format ? { format: qu.format } : {}),
      editorMode: 'code',
    };
  });
}

type Override = TimeSeriesPanelJson['fieldConfig']['overrides'][number];

function thresholdOverrides(queries: Query[]): Override[] {
  return targets(queries)
    .filter((_, i) => queries[i]?.threshold)
    .map((t) => ({
      matcher: { id: 'byFrameRefID', options: t.refId },
      properties: [
        { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
        { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
        { id: 'custom.fillOpacity', value: 0 },
        { id: 'custom.lineWidth', value: 1 },
      ],
    }));
}

/** Match series by their display name (the legend) to style them. */
export const byName = (name: string, properties: Override['properties']): Override => ({
  matcher: { id: 'byName', options: name },
  properties,
});
/** Match series by display name regex. */
export const byRegex = (pattern: string, properties: Override['properties']): Override => ({
  matcher: { id: 'byRegexp', options: pattern },
  properties,
});

interface Common {
  title: string;
  description: string;
  w: number;
  h: number;
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  /** Data links on the values (e.g. to the Symbol dashboard). */
  links?: { title: string; url: string }[];
  /** Repeat the panel for each selected value of this variable. */
  repeat?: string;
}

const base = (c: Common, qs: Query[], instant = false) => ({
  id: 0,
  title: c.title,
  description: c.description,
  gridPos: { x: 0, y: 0, w: c.w, h: c.h },
  datasource: PROM,
  targets: targets(qs, instant),
  ...(c.repeat ? { repeat: c.repeat, repeatDirection: 'h' as const, maxPerRow: 4 } : {}),
});

const defaults = (c: Common) => ({
  ...(c.unit ? { unit: c.unit } : {}),
  ...(c.decimals !== undefined ? { decimals: c.decimals } : {}),
  ...(c.min !== undefined ? { min: c.min } : {}),
  ...(c.max !== undefined ? { max: c.max } : {}),
  ...(c.links ? { links: c.links } : {}),
});

const neutralThresholds = () => ({ mode: 'absolute' as const, steps: [{ color: 'green', value: null }] });

export interface TimeSeriesSpec extends Common {
  queries: Query[];
  draw?: 'line' | 'bars';
  fill?: number;
  stack?: boolean;
  overrides?: Override[];
  /** Show the legend as a table with these reductions (e.g. ['lastNotNull', 'max']). */
  legendCalcs?: string[];
}

export function timeseries(s: TimeSeriesSpec): TimeSeriesPanelJson {
  return {
    ...base(s, s.queries),
    type: 'timeseries',
    options: {
      legend: {
        showLegend: true,
        placement: 'bottom',
        displayMode: s.legendCalcs ? 'table' : 'list',
        calcs: s.legendCalcs ?? [],
      },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    fieldConfig: {
      defaults: {
        ...defaults(s),
        color: { mode: 'palette-classic' },
        thresholds: neutralThresholds(),
        custom: {
          drawStyle: s.draw ?? 'line',
          lineInterpolation: 'linear',
          lineWidth: 1,
          fillOpacity: s.fill ?? (s.draw === 'bars' ? 80 : 10),
          gradientMode: 'none',
          showPoints: 'never',
          pointSize: 4,
          spanNulls: false,
          axisPlacement: 'auto',
          scaleDistribution: { type: 'linear' },
          stacking: { mode: s.stack ? 'normal' : 'none', group: 'A' },
          thresholdsStyle: { mode: 'off' },
        },
      },
      overrides: [...thresholdOverrides(s.queries), ...(s.overrides ?? [])],
    },
  };
}

export interface StatSpec extends Common {
  queries: Query[];
  /** Value → text/color, e.g. 1 → UP green, 0 → DOWN red. */
  mappings?: StatPanelJson['fieldConfig']['defaults']['mappings'];
  /** Color steps; neutral when absent. */
  steps?: { color: string; value: number | null }[];
  sparkline?: boolean;
}

export function stat(s: StatSpec): StatPanelJson {
  return {
    ...base(s, s.queries, true),
    type: 'stat',
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      orientation: 'auto',
      textMode: 'auto',
      wideLayout: true,
      colorMode: s.steps || s.mappings ? 'background' : 'none',
      graphMode: s.sparkline ? 'area' : 'none',
      justifyMode: 'auto',
      showPercentChange: false,
      percentChangeColorMode: 'standard',
    },
    fieldConfig: {
      defaults: {
        ...defaults(s),
        color: { mode: 'thresholds' },
        thresholds: s.steps ? { mode: 'absolute', steps: s.steps } : neutralThresholds(),
        ...(s.mappings ? { mappings: s.mappings } : {}),
      },
      overrides: [],
    },
  };
}

export interface BarGaugeSpec extends Common {
  queries: Query[];
  steps?: { color: string; value: number | null }[];
}

export function bargauge(s: BarGaugeSpec): BarGaugePanelJson {
  return {
    ...base(s, s.queries, true),
    type: 'bargauge',
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      orientation: 'horizontal',
      displayMode: 'gradient',
      valueMode: 'color',
      namePlacement: 'auto',
      showUnfilled: true,
      sizing: 'auto',
      minVizHeight: 16,
      maxVizHeight: 300,
      minVizWidth: 8,
      legend: { showLegend: false, placement: 'bottom', displayMode: 'list', calcs: [] },
    },
    fieldConfig: {
      defaults: {
        ...defaults(s),
        color: { mode: s.steps ? 'thresholds' : 'palette-classic' },
        thresholds: s.steps ? { mode: 'absolute', steps: s.steps } : neutralThresholds(),
      },
      overrides: [],
    },
  };
}

export interface TableSpec extends Common {
  queries: Query[];
  /** Column renames for the merged instant results: "Value #A" → "Up". */
  columns: Record<string, string>;
  /** Columns to drop (Time is always dropped). */
  hide?: string[];
  overrides?: TablePanelJson['fieldConfig']['overrides'];
  sortBy?: string;
}

export function table(s: TableSpec): TablePanelJson {
  const exclude: Record<string, boolean> = { Time: true, __name__: true };
  for (const h of s.hide ?? []) exclude[h] = true;
  return {
    ...base(
      s,
      s.queries.map((qu) => ({ ...qu, format: 'table', instant: true })),
      true,
    ),
    type: 'table',
    options: {
      showHeader: true,
      cellHeight: 'sm',
      frameIndex: 0,
      ...(s.sortBy ? { sortBy: [{ displayName: s.sortBy, desc: true }] } : {}),
    },
    fieldConfig: {
      defaults: {
        ...defaults(s),
        color: { mode: 'thresholds' },
        thresholds: neutralThresholds(),
        custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: false, filterable: false },
      },
      overrides: s.overrides ?? [],
    },
    transformations: [
      ...(s.queries.length > 1 ? [{ id: 'merge', options: {} }] : []),
      { id: 'organize', options: { excludeByName: exclude, renameByName: s.columns, indexByName: {} } },
    ],
  };
}

export interface HeatmapSpec extends Common {
  /** A `sum by (le) (rate(..._bucket[...]))` query. */
  query: string;
}

export function heatmap(s: HeatmapSpec): HeatmapPanelJson {
  return {
    ...base(s, [{ expr: s.query, legend: '{{le}}', format: 'heatmap' }]),
    // One cell per Prometheus step is too thin to read on a long range; let Grafana pick.
    maxDataPoints: 60,
    type: 'heatmap',
    options: {
      calculate: false,
      cellGap: 1,
      color: { mode: 'scheme', scheme: 'Oranges', fill: 'dark-orange', scale: 'exponential', exponent: 0.5, steps: 64, reverse: false },
      exemplars: { color: 'rgba(255,0,255,0.7)' },
      filterValues: { le: 1e-9 },
      legend: { show: true },
      rowsFrame: { layout: 'auto' },
      showValue: 'never',
      tooltip: { mode: 'single', yHistogram: true, showColorScale: false },
      yAxis: { axisPlacement: 'left', reverse: false, unit: s.unit ?? 's' },
      cellValues: { unit: 'ops' },
    },
    fieldConfig: {
      defaults: { custom: { hideFrom: { legend: false, tooltip: false, viz: false }, scaleDistribution: { type: 'linear' } } },
      overrides: [],
    },
  };
}

export interface VariableSpec {
  name: string;
  label: string;
  /** `label_values(<series selector>, <label>)`: Grafana's variable query syntax, not PromQL. */
  query: string;
  multi: boolean;
  description: string;
  hide?: boolean;
}

/** A query variable reading label values from Prometheus; multi-value ones include "All" as `.*`. */
export function variable(v: VariableSpec): VariableJson {
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    description: v.description,
    datasource: PROM,
    query: v.query,
    refresh: 2,
    sort: 1,
    multi: v.multi,
    includeAll: v.multi,
    ...(v.multi ? { allValue: '.*', current: { text: ['All'], value: ['$__all'], selected: true } } : {}),
    hide: v.hide ? 2 : 0,
    options: [],
    regex: '',
    skipUrlSync: false,
  };
}

/**
 * Firing alerts from Prometheus' ALERTS series as annotations. `exchange=~"$exchange|"` (and the
 * same for symbol) also keeps exporter-wide alerts, which have no exchange label at all.
 */
export function alertAnnotation(matchers: string): AnnotationJson {
  return {
    name: 'Firing alerts',
    enable: true,
    hide: false,
    iconColor: 'red',
    datasource: PROM,
    target: {
      datasource: PROM,
      refId: 'Alerts',
      expr: `ALERTS{alertstate="firing", ${matchers}}`,
      interval: '1m',
    },
    titleFormat: '{{alertname}}',
    textFormat: '{{severity}}: {{exchange}} {{symbol}}',
    tagKeys: 'severity,exchange,symbol',
    useValueForTime: false,
  };
}

export interface RowSpec {
  title: string;
  panels: PanelJson[];
}

/**
 * Lays rows out top to bottom and each row's panels left to right, wrapping at Grafana's 24
 * columns, and numbers every panel. Rows stay expanded so every panel is visible on load.
 */
export function layout(rows: RowSpec[]): (PanelJson | RowJson)[] {
  const out: (PanelJson | RowJson)[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    out.push({ type: 'row', id: id++, title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const p of row.panels) {
      const { w, h } = p.gridPos;
      if (x + w > 24) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      out.push({ ...p, id: id++, gridPos: { x, y, w, h } });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return out;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableJson[];
  annotation: AnnotationJson;
  rows: RowSpec[];
}

/** A complete dashboard: shared time settings, the tag, links to its siblings, the layout. */
export function dashboard(d: DashboardSpec): DashboardJson {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: [DASHBOARD_TAG],
    editable: false,
    graphTooltip: 1,
    schemaVersion: 42,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    refresh: '30s',
    fiscalYearStartMonth: 0,
    liveNow: false,
    timepicker: {},
    links: [
      {
        title: 'Market dashboards',
        type: 'dashboards',
        tags: [DASHBOARD_TAG],
        asDropdown: false,
        includeVars: true,
        keepTime: true,
        targetBlank: false,
        icon: 'external link',
        tooltip: '',
      },
    ],
    annotations: { list: [d.annotation] },
    templating: { list: d.variables },
    panels: layout(d.rows),
  };
}
