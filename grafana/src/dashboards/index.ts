/** Every provisioned dashboard and the file it is written to in grafana/dashboards/. */
import type { DashboardJson } from '../schema.js';
import { internals } from './internals.js';
import { latency } from './latency.js';
import { overview } from './overview.js';
import { symbol } from './symbol.js';

export const DASHBOARDS: readonly { file: string; build: () => DashboardJson }[] = [
  { file: 'market-overview.json', build: overview },
  { file: 'market-symbol.json', build: symbol },
  { file: 'market-feed-latency.json', build: latency },
  { file: 'market-exporter-internals.json', build: internals },
];
