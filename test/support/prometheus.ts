/**
 * A real Prometheus for integration tests: renders a test copy of the shipped
 * prometheus/prometheus.yml (targets, intervals and rule files replaced, job names kept), starts
 * tools/bin/prometheus on 127.0.0.1 with a temporary data dir, and talks to its HTTP API.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { spawnService, type ServiceProcess } from './service-process.js';
import { toolPath } from './tools.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const prometheusDir = path.join(repoRoot, 'prometheus');

/**
 * The flags docker-compose.yml gives Prometheus that change how alerts reach Alertmanager (the
 * resend delay), read from the file so a test runs what a user runs.
 */
export function shippedPrometheusAlertFlags(): string[] {
  const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
  const flags = [...compose.matchAll(/^\s+- (--rules\.alert\.[a-z-]+=\S+)$/gm)].map((m) => m[1]!);
  if (!flags.some((f) => f.startsWith('--rules.alert.resend-delay='))) throw new Error('docker-compose.yml: no --rules.alert.resend-delay for prometheus');
  return flags;
}

export interface RuleDef {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: RuleDef[];
}
export interface RuleFile {
  groups: RuleGroup[];
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  [k: string]: unknown;
}
interface PromConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: { alertmanagers?: { static_configs?: { targets: string[] }[] }[] };
  scrape_configs?: ScrapeConfig[];
}

/** The rule files prometheus.yml loads, in order, as absolute paths (globs expanded). */
export function shippedRuleFiles(): string[] {
  const cfg = load(readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8')) as PromConfig;
  const out: string[] = [];
  for (const entry of cfg.rule_files ?? []) {
    const abs = path.resolve(prometheusDir, entry);
    const dir = path.dirname(abs);
    const base = path.basename(abs);
    if (!base.includes('*')) {
      out.push(abs);
      continue;
    }
    const re = new RegExp('^' + base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '$');
    for (const n of readdirSync(dir).sort()) if (re.test(n)) out.push(path.join(dir, n));
  }
  return out;
}

export function loadRuleFile(file: string): RuleFile {
  return load(readFileSync(file, 'utf8')) as RuleFile;
}

export interface PrometheusConfigOptions {
  /** host:port targets of the `market-exporter` job. */
  exporterTargets: string[];
  /** host:port of Alertmanager; omitted: no alerting section. */
  alertmanager?: string;
  /** host:port Prometheus itself listens on (for the `prometheus` job). */
  self: string;
  /** Global intervals; `shipped` keeps prometheus.yml's (and every job's and group's own). */
  scrapeInterval?: string;
  evaluationInterval?: string;
  shippedIntervals?: boolean;
  /** Absolute rule file paths (default: the shipped ones). */
  ruleFiles?: string[];
}

/** The shipped prometheus.yml with targets, intervals and rule file paths replaced. */
export function renderPrometheusConfig(opts: PrometheusConfigOptions): string {
  const cfg = load(readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8')) as PromConfig;
  if (!opts.shippedIntervals)
    cfg.global = {
      ...cfg.global,
      scrape_interval: opts.scrapeInterval ?? '1s',
      evaluation_interval: opts.evaluationInterval ?? '1s',
    };
  cfg.rule_files = opts.ruleFiles ?? shippedRuleFiles();
  if (opts.alertmanager) cfg.alerting = { alertmanagers: [{ static_configs: [{ targets: [opts.alertmanager] }] }] };
  else delete cfg.alerting;
  const targets: Record<string, string[]> = {
    'market-exporter': opts.exporterTargets,
    'market-exporter-fast': opts.exporterTargets,
    prometheus: [opts.self],
    alertmanager: opts.alertmanager ? [opts.alertmanager] : [],
  };
  cfg.scrape_configs = (cfg.scrape_configs ?? [])
    .filter((s) => (targets[s.job_name] ?? []).length > 0)
    // dns_sd_configs (the compose `ha` twins) dropped: tests name every target, and make no DNS queries.
    .map((s) => ({ ...s, dns_sd_configs: undefined, static_configs: [{ targets: targets[s.job_name] ?? [] }] }));
  return dump(cfg, { skipInvalid: true });
}

/**
 * Writes the shipped rule files into `dir`, each rule passed through `mapRule` (e.g. a shorter
 * `for:` for an end-to-end run); returns the new paths in load order.
 */
export function renderRuleFiles(dir: string, mapRule: (rule: RuleDef, group: RuleGroup) => RuleDef): string[] {
  return shippedRuleFiles().map((file, i) => {
    const rf = loadRuleFile(file);
    const out: RuleFile = { groups: rf.groups.map((g) => ({ ...g, rules: g.rules.map((r) => mapRule({ ...r }, g)) })) };
    const dest = path.join(dir, `${String(i).padStart(2, '0')}-${path.basename(file)}`);
    writeFileSync(dest, dump(out));
    return dest;
  });
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PrometheusInstance extends ServiceProcess {
  readonly dataDir: string;
  readonly configFile: string;
  /** Instant query; throws on an API error. */
  query(expr: string): Promise<PromSample[]>;
  /** Active (pending and firing) alerts. */
  alerts(): Promise<PromAlert[]>;
  /** Scrape targets with their health, per job. */
  targets(): Promise<{ job: string; health: string; scrapeUrl: string }[]>;
}

export interface StartPrometheusOptions extends Omit<PrometheusConfigOptions, 'self'> {
  /** Rules to load instead of the shipped ones: a mapping applied to every shipped rule. */
  mapRule?: (rule: RuleDef, group: RuleGroup) => RuleDef;
  /** Extra command-line flags. */
  args?: string[];
}

/** Start tools/bin/prometheus on a free 127.0.0.1 port with a rendered test config. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<PrometheusInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'market-prom-'));
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'prometheus.yml');
  const ruleFiles = opts.ruleFiles ?? (opts.mapRule ? renderRuleFiles(dir, opts.mapRule) : undefined);
  let proc: ServiceProcess;
  try {
    proc = await spawnService({
      name: 'prometheus',
      command: toolPath('prometheus'),
      readyPath: '/-/ready',
      args: (port) => {
        writeFileSync(configFile, renderPrometheusConfig({ ...opts, ruleFiles, self: `127.0.0.1:${port}` }));
        return [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${dataDir}`,
          `--web.listen-address=127.0.0.1:${port}`,
          ...shippedPrometheusAlertFlags(),
          ...(opts.args ?? []),
        ];
      },
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(proc.url + p, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${p}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    ...proc,
    dataDir,
    configFile,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async query(expr) {
      const data = await api<{ resultType: string; result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result;
    },
    async alerts() {
      return (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
    },
    async targets() {
      const data = await api<{ activeTargets: { labels: Record<string, string>; health: string; scrapeUrl: string }[] }>(
        '/api/v1/targets?state=active',
      );
      return data.activeTargets.map((t) => ({ job: t.labels.job ?? '', health: t.health, scrapeUrl: t.scrapeUrl }));
    },
  };
}
