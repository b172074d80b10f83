/**
 * The shape of a provisioned dashboard file, built from Grafana's own published types
 * (@grafana/schema, the same version as the Grafana image in docker-compose.yml).
 *
 * Grafana's TypeScript types use enums where the JSON holds plain strings and numbers, so `Json<T>`
 * turns every enum into the union of its values: `LegendDisplayMode` becomes
 * `'list' | 'table' | 'hidden'`. Everything else is Grafana's type unchanged, which makes
 * `satisfies DashboardJson` a check of the JSON against the published schema: unknown keys,
 * misspelt option values and missing required options are compile errors.
 *
 * Where Grafana's schema is open (a panel's `options` and `targets`), the panel is narrowed to the
 * types of its own plugin: a `timeseries` panel must carry timeseries options, a `stat` panel stat
 * options. Panel plugins without published types are not used.
 */
import type {
  AnnotationQuery,
  Dashboard,
  DataQuery,
  FieldConfig,
  FieldConfigSource,
  Panel,
  RowPanel,
  VariableModel,
} from '@grafana/schema';
import type {
  Options as BarGaugeOptions,
} from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type {
  FieldConfig as HeatmapFieldConfig,
  Options as HeatmapOptions,
} from '@grafana/schema/dist/esm/raw/composable/heatmap/panelcfg/x/HeatmapPanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  FieldConfig as TableFieldConfig,
  Options as TableOptions,
} from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** A type as it appears in JSON: enums become the unions of their values. */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number
    ? `${T}` extends `${infer N extends number}`
      ? N
      : number
    : T extends boolean
      ? boolean
      : T extends readonly (infer U)[]
        ? Json<U>[]
        : T extends object
          ? { [K in keyof T]: Json<T[K]> }
          : T;

/**
 * A Prometheus query as the Prometheus data source plugin stores it. The plugin's own type
 * (PromQuery) is not in @grafana/schema; the common part (refId, hide, datasource) is.
 */
export type PromTarget = Json<Omit<DataQuery, 'datasource'>> & {
  datasource: { type: 'prometheus'; uid: string };
  expr: string;
  legendFormat?: string;
  /** Instant queries feed tables, stats and bar gauges; range queries feed graphs. */
  instant?: boolean;
  range?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  /** Minimum step, like "1m". */
  interval?: string;
  editorMode?: 'code' | 'builder';
  exemplar?: boolean;
};

type FieldConfigJson<Custom> = {
  defaults: Json<Omit<FieldConfig, 'custom'>> & { custom?: Json<Custom> };
  overrides: Json<FieldConfigSource['overrides']>;
};

type PanelBase = Json<Omit<Panel, 'type' | 'options' | 'fieldConfig' | 'targets' | 'datasource'>> & {
  id: number;
  title: string;
  gridPos: Json<NonNullable<Panel['gridPos']>>;
  datasource: { type: 'prometheus'; uid: string };
  targets: PromTarget[];
};

export type TimeSeriesPanelJson = PanelBase & {
  type: 'timeseries';
  options: Json<TimeSeriesOptions>;
  fieldConfig: FieldConfigJson<TimeSeriesFieldConfig>;
};
export type StatPanelJson = PanelBase & {
  type: 'stat';
  options: Json<StatOptions>;
  fieldConfig: FieldConfigJson<Record<string, never>>;
};
export type BarGaugePanelJson = PanelBase & {
  type: 'bargauge';
  options: Json<BarGaugeOptions>;
  fieldConfig: FieldConfigJson<Record<string, never>>;
};
export type TablePanelJson = PanelBase & {
  type: 'table';
  options: Json<TableOptions>;
  fieldConfig: FieldConfigJson<TableFieldConfig>;
};
export type HeatmapPanelJson = PanelBase & {
  type: 'heatmap';
  options: Json<HeatmapOptions>;
  fieldConfig: FieldConfigJson<HeatmapFieldConfig>;
};

export type PanelJson = TimeSeriesPanelJson | StatPanelJson | BarGaugePanelJson | TablePanelJson | HeatmapPanelJson;
export type PanelType = PanelJson['type'];

export type RowJson = Json<Omit<RowPanel, 'panels'>> & { id: number; title: string; panels: PanelJson[] };

/**
 * An alert annotation read from Prometheus. Grafana's schema leaves AnnotationQuery open because
 * data sources "spread their query into the base object"; these are the fields the Prometheus
 * data source reads from there (packages/grafana-prometheus/src/annotations.ts).
 */
export type AnnotationJson = Json<Omit<AnnotationQuery, 'target' | 'datasource'>> & {
  datasource: { type: 'prometheus'; uid: string };
  target: PromTarget;
  titleFormat?: string;
  textFormat?: string;
  tagKeys?: string;
  useValueForTime?: boolean;
};

export type VariableJson = Json<VariableModel>;

export type DashboardJson = Json<Omit<Dashboard, 'panels' | 'annotations' | 'templating'>> & {
  uid: string;
  title: string;
  tags: string[];
  panels: (PanelJson | RowJson)[];
  annotations: { list: AnnotationJson[] };
  templating: { list: VariableJson[] };
};
