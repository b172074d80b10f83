/**
 * A real Alertmanager for integration tests: renders a test copy of the shipped
 * alertmanager/alertmanager.yml (SMTP and Telegram pointed at local receivers, secrets written
 * to temporary files, templates from the repo, optionally shorter timings; routes, receivers,
 * inhibitions and templates untouched), starts tools/bin/alertmanager on 127.0.0.1 without
 * clustering, and talks to its HTTP API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { repoRoot } from './prometheus.js';
import { spawnService, type ServiceProcess } from './service-process.js';
import { toolPath } from './tools.js';

export const alertmanagerDir = path.join(repoRoot, 'alertmanager');

export interface AmRoute {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  continue?: boolean;
  routes?: AmRoute[];
}
export interface AmReceiver {
  name: string;
  telegram_configs?: Record<string, unknown>[];
  email_configs?: Record<string, unknown>[];
  [k: string]: unknown;
}
export interface AmConfig {
  global?: Record<string, unknown>;
  templates?: string[];
  route: AmRoute;
  inhibit_rules?: { source_matchers?: string[]; target_matchers?: string[]; equal?: string[] }[];
  receivers: AmReceiver[];
  time_intervals?: { name: string; time_intervals: unknown[] }[];
}

export function loadShippedAlertmanagerConfig(): AmConfig {
  return load(readFileSync(path.join(alertmanagerDir, 'alertmanager.yml'), 'utf8')) as AmConfig;
}

export interface AlertmanagerConfigOptions {
  smtp: { host: string; port: number };
  telegramApiUrl: string;
  /** Directory the secret files are written to. */
  secretsDir: string;
  botToken?: string;
  smtpPassword?: string;
  /** Applied to the root route and every route that sets its own value. */
  timing?: { groupWait?: string; groupInterval?: string; repeatInterval?: string };
}

function retime(route: AmRoute, t: NonNullable<AlertmanagerConfigOptions['timing']>, isRoot: boolean): void {
  if (t.groupWait && (isRoot || route.group_wait)) route.group_wait = t.groupWait;
  if (t.groupInterval && (isRoot || route.group_interval)) route.group_interval = t.groupInterval;
  if (t.repeatInterval && (isRoot || route.repeat_interval)) route.repeat_interval = t.repeatInterval;
  for (const r of route.routes ?? []) retime(r, t, false);
}

/** The shipped config, pointed at local receivers; secrets written into `secretsDir`. */
export function renderAlertmanagerConfig(opts: AlertmanagerConfigOptions): string {
  const cfg = loadShippedAlertmanagerConfig();
  const tokenFile = path.join(opts.secretsDir, 'telegram_bot_token');
  const passwordFile = path.join(opts.secretsDir, 'smtp_password');
  writeFileSync(tokenFile, `${opts.botToken ?? '123456:TEST-token'}\n`, { mode: 0o600 });
  writeFileSync(passwordFile, `${opts.smtpPassword ?? 'test-smtp-password'}\n`, { mode: 0o600 });
  cfg.global = {
    ...cfg.global,
    smtp_smarthost: `${opts.smtp.host}:${opts.smtp.port}`,
    smtp_require_tls: false,
    smtp_auth_password_file: passwordFile,
    telegram_api_url: opts.telegramApiUrl,
  };
  cfg.templates = (cfg.templates ?? []).map((t) => path.resolve(alertmanagerDir, t));
  for (const r of cfg.receivers) {
    for (const tg of r.telegram_configs ?? []) {
      tg.bot_token_file = tokenFile;
      if (tg.api_url !== undefined) tg.api_url = opts.telegramApiUrl;
    }
    for (const em of r.email_configs ?? []) {
      if (em.smarthost !== undefined) em.smarthost = `${opts.smtp.host}:${opts.smtp.port}`;
      if (em.auth_password_file !== undefined) em.auth_password_file = passwordFile;
      if (em.require_tls !== undefined) em.require_tls = false;
    }
  }
  if (opts.timing) retime(cfg.route, opts.timing, true);
  return dump(cfg, { noRefs: true });
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerInstance extends ServiceProcess {
  readonly configFile: string;
  /** POST /api/v2/alerts, as Prometheus does. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** GET /api/v2/alerts: alerts with their inhibition/silence status. */
  alerts(): Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]>;
}

export interface StartAlertmanagerOptions {
  /** The full config YAML, e.g. from renderAlertmanagerConfig. */
  config: string;
  /** Extra flags; with a --cluster.listen-address of its own, clustering is not turned off. */
  args?: string[];
}

/** Start tools/bin/alertmanager on a free 127.0.0.1 port (no cluster, temporary storage). */
export async function startAlertmanager(opts: StartAlertmanagerOptions): Promise<AlertmanagerInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), 'market-am-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(configFile, opts.config);
  let proc: ServiceProcess;
  try {
    proc = await spawnService({
      name: 'alertmanager',
      command: toolPath('alertmanager'),
      readyPath: '/-/ready',
      args: (port) => [
        `--config.file=${configFile}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Empty: a single instance, no gossip port to collide with other tests. An HA test
        // passes its own --cluster.* flags instead.
        ...((opts.args ?? []).some((a) => a.startsWith('--cluster.listen-address')) ? [] : ['--cluster.listen-address=']),
        ...(opts.args ?? []),
      ],
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    ...proc,
    configFile,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async postAlerts(alerts) {
      const res = await fetch(`${proc.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(5_000),
      });
      if (res.status !== 200) throw new Error(`alertmanager POST /api/v2/alerts: ${res.status} ${await res.text()}`);
    },
    async alerts() {
      const res = await fetch(`${proc.url}/api/v2/alerts`, { signal: AbortSignal.timeout(5_000) });
      return (await res.json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
    },
  };
}
