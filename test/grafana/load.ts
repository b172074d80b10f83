/** The provisioned dashboard files as Grafana reads them, and the other files the tests cross-check. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import type { DashboardJson } from '../../grafana/src/schema.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dashboardsDir = path.join(repoRoot, 'grafana', 'dashboards');

export interface DashboardFile {
  file: string;
  text: string;
  dashboard: DashboardJson;
}

/** Every grafana/dashboards/*.json, parsed. The type is asserted here and proven by dashboards.test.ts. */
export function dashboardFiles(): DashboardFile[] {
  return readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dashboardsDir, file), 'utf8');
      return { file, text, dashboard: JSON.parse(text) as DashboardJson };
    });
}

export function readYaml<T>(...segments: string[]): T {
  return load(readFileSync(path.join(repoRoot, ...segments), 'utf8')) as T;
}

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  jsonData?: Record<string, unknown>;
}

export function provisionedDatasources(): ProvisionedDatasource[] {
  return readYaml<{ datasources: ProvisionedDatasource[] }>('grafana', 'provisioning', 'datasources', 'datasources.yml').datasources;
}
