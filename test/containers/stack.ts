/**
 * The shipped docker-compose.yml under testcontainers, with test/containers/docker-compose.ci.yml
 * merged over it (local images, the SMTP and Telegram stand-ins, ports on 127.0.0.1), and small
 * clients for what the tests read: Prometheus, Alertmanager and the two sinks.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ContainerRuntimeClient, DockerComposeEnvironment, type StartedDockerComposeEnvironment, type StartedTestContainer, Wait } from 'testcontainers';
import type { ReceivedMail } from '../support/smtp.js';
import type { TelegramRequest } from '../support/telegram.js';
import { makePki } from '../support/tls.js';
import { repoRoot as ROOT } from '../support/prometheus.js';
import { COMPOSE_BIN } from './docker.js';

export const COMPOSE_FILES = ['docker-compose.yml', 'test/containers/docker-compose.ci.yml'];
/** Every service but Grafana, which has no offline image. */
export const SERVICES = ['market-exporter', 'prometheus', 'alertmanager', 'mailpit', 'telegram'];
export const HA_SERVICES = ['market-exporter-b', 'prometheus-b', 'alertmanager-b'];
/** The bot token Alertmanager reads from its secrets file; the stand-in records it. */
export const BOT_TOKEN = '123456:ci-token';

/** Secrets and the stand-in's TLS files, as the compose file mounts them (readable by uid 65534). */
export function stackFiles(): { env: Record<string, string>; remove(): void } {
  const secrets = mkdtempSync(join(tmpdir(), 'market-secrets-'));
  writeFileSync(join(secrets, 'telegram_bot_token'), BOT_TOKEN);
  writeFileSync(join(secrets, 'smtp_password'), 'ci-password');
  const pki = makePki();
  const tls = mkdtempSync(join(tmpdir(), 'market-ci-tls-'));
  const server = pki.serverFor('api.telegram.org');
  copyFileSync(pki.ca.cert, join(tls, 'ca.crt'));
  copyFileSync(server.cert, join(tls, 'server.crt'));
  copyFileSync(server.key, join(tls, 'server.key'));
  pki.remove();
  for (const dir of [secrets, tls]) chmodSync(dir, 0o755);
  for (const f of ['telegram_bot_token', 'smtp_password']) chmodSync(join(secrets, f), 0o444);
  for (const f of ['ca.crt', 'server.crt', 'server.key']) chmodSync(join(tls, f), 0o444);
  return {
    env: {
      ALERTMANAGER_SECRETS_DIR: secrets,
      CI_TLS_DIR: tls,
      // Compose refuses to read the file without it, even with Grafana left out.
      GRAFANA_ADMIN_PASSWORD: 'unused-grafana-is-not-started',
    },
    remove: () => [secrets, tls].forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}

/**
 * The stack, or the services named, as `docker compose [--profile ...] up -d` starts them.
 * (Not withNoRecreate(): it replaces the project name with a fixed one. Unchanged services are
 * not recreated by `up` anyway.)
 */
export function composeStack(project: string, env: Record<string, string>, profiles: string[] = []): DockerComposeEnvironment {
  return new DockerComposeEnvironment(ROOT, COMPOSE_FILES)
    .withProjectName(project)
    .withProfiles(...profiles)
    .withEnvironment(env)
    .withClientOptions({ executable: { standalone: true, executablePath: COMPOSE_BIN } })
    // Up means healthy: every service has a healthcheck.
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(240_000);
}

/** Run the compose CLI on the project, e.g. ['kill', 'market-exporter']; resolves to its output. */
export function composeCli(project: string, env: Record<string, string>, args: string[]): Promise<string> {
  const files = COMPOSE_FILES.flatMap((f) => ['-f', f]);
  return new Promise((resolve, reject) => {
    execFile(COMPOSE_BIN, [...files, '-p', project, ...args], { cwd: ROOT, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`docker compose ${args.join(' ')}: ${stderr}`, { cause: err })) : resolve(stdout + stderr),
    );
  });
}

/**
 * Base URL of a container port published on 127.0.0.1, looked up now: a restarted container gets
 * new host ports (compose publishes "127.0.0.1::PORT"), so a URL is never cached across restarts.
 */
export async function url(client: ContainerRuntimeClient, stack: StartedDockerComposeEnvironment, container: string, port: number): Promise<string> {
  const info = await client.container.inspect(client.container.getById(stack.getContainer(container).getId()));
  const binding = info.NetworkSettings.Ports[`${port}/tcp`]?.find((b) => b.HostIp === '127.0.0.1');
  if (!binding) throw new Error(`${container}: port ${port} is not published on 127.0.0.1`);
  return `http://127.0.0.1:${binding.HostPort}`;
}

async function getJson<T>(u: string): Promise<T> {
  const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${u}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export function prometheus(base: string) {
  const api = async <T>(path: string): Promise<T> => (await getJson<{ status: string; data: T }>(`${base}/api/v1/${path}`)).data;
  return {
    query: (expr: string, time?: number) =>
      api<{ result: PromSample[] }>(`query?query=${encodeURIComponent(expr)}${time ? `&time=${time}` : ''}`).then((d) => d.result),
    targets: () => api<{ activeTargets: { scrapePool: string; scrapeUrl: string; health: string; lastError: string }[] }>('targets?state=active').then((d) => d.activeTargets),
    rules: () => api<{ groups: { name: string; file: string; rules: { name: string; health: string; type: string }[] }[] }>('rules').then((d) => d.groups),
    alertmanagers: () => api<{ activeAlertmanagers: { url: string }[] }>('alertmanagers').then((d) => d.activeAlertmanagers.map((a) => a.url)),
  };
}

export interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}
export const alertmanager = (base: string) => ({
  alerts: () => getJson<AmAlert[]>(`${base}/api/v2/alerts`),
  peers: () => getJson<{ cluster: { peers: unknown[]; status: string } }>(`${base}/api/v2/status`).then((s) => s.cluster),
});

/** What the SMTP catcher (`mailpit`) and the Telegram stand-in received so far. */
export const mails = (base: string) => getJson<ReceivedMail[]>(`${base}/received`);
export const telegramRequests = (base: string) => getJson<TelegramRequest[]>(`${base}/received`);

/**
 * Move a symbol's price by `pct` in the exporter's built-in simulator: its control API listens on
 * loopback inside the container (port in the log), so the request runs there, through exec.
 */
export async function shock(exporter: StartedTestContainer, logs: string, symbol: string, pct: number): Promise<void> {
  // The last start counts: a restarted container logs a new port.
  const port = [...logs.matchAll(/msg="simulator started" url=ws:\/\/127\.0\.0\.1:(\d+)/g)].at(-1)?.[1];
  if (!port) throw new Error(`no "simulator started" line in the exporter's log:\n${logs.slice(0, 2000)}`);
  const script = `fetch('http://127.0.0.1:${port}/control/shock?symbol=${symbol}&pct=${pct}',{method:'POST'}).then(async r=>{console.log(await r.text());process.exit(r.ok?0:1)})`;
  const r = await exporter.exec(['node', '-e', script]);
  if (r.exitCode !== 0) throw new Error(`shock ${symbol} ${pct}% failed: ${r.output}`);
}
