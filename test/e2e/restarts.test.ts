// Prometheus and Alertmanager restarts during the end-to-end flow lose no alert: an alert that
// starts while Alertmanager is down is delivered when it is back; a Prometheus restart mid-alert
// keeps it firing (same data directory, same address) without a false RESOLVED or a duplicate;
// an Alertmanager that comes back with an empty data directory is sent the firing alert again and
// notifies it again; the resolution still arrives on both channels. Real binaries, restarted on
// their own addresses, stopped by PID.
//
// Everything as shipped: prometheus.yml's intervals and lanes, the rules with their `for:` and
// `keep_firing_for:`, alertmanager.yml's routes and timings, and the resend delay
// docker-compose.yml gives Prometheus. That last one matters here: Prometheus tells Alertmanager
// a firing alert is valid for 4 x max(resend delay, the rule group's interval), and Alertmanager
// resolves it when that passes without a re-send, so a Prometheus restart longer than that
// notifies a false RESOLVED.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { renderAlertmanagerConfig } from '../support/alertmanager.js';
import { renderPrometheusConfig, shippedPrometheusAlertFlags, type PromAlert } from '../support/prometheus.js';
import { freePort, pollUntil } from '../support/service-process.js';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp.js';
import { startTelegramStub, type TelegramStub } from '../support/telegram.js';
import { toolPath } from '../support/tools.js';

const FEED = 'sim';
const PROMETHEUS_DOWN_MS = 20_000;
const quiet = createLogger({ level: 'error' });

/** A binary on a fixed 127.0.0.1 port, so it can be stopped and started again at the same address. */
class Restartable {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private out = '';

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    readonly port: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (this.out = (this.out + d.toString()).slice(-4000)));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.name} exited: ${this.out}`);
        const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
        return res?.status === 200;
      },
      `${this.name} ready`,
      { timeoutMs: 30_000, everyMs: 100 },
    );
  }

  /** SIGTERM this process (its own PID only), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

let dir: string;
let sim: Simulator;
let simPort: number;
let svc: Service;
let tg: TelegramStub;
let smtp: SmtpCatcher;
let am: Restartable;
let prom: Restartable;
let amData: string;

/** MarketFeedDown as Alertmanager holds it: when Prometheus last sent it. */
async function amFeedDown(): Promise<{ updatedAt: string; status: { state: string } } | undefined> {
  const res = await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="MarketFeedDown"')}`, { signal: AbortSignal.timeout(5_000) });
  const alerts = (await res.json()) as { updatedAt: string; status: { state: string } }[];
  return alerts[0];
}

async function promAlerts(): Promise<PromAlert[]> {
  const res = await fetch(`${prom.url}/api/v1/alerts`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
}
const feedDownFiring = async () => (await promAlerts()).some((a) => a.labels.alertname === 'MarketFeedDown' && a.state === 'firing');
const firingMessages = () => tg.messages().filter((m) => m.text.includes('FIRING') && m.text.includes(`Feed ${FEED} is down`));
const resolvedMessages = () => tg.messages().filter((m) => m.text.startsWith('✅ <b>RESOLVED</b>') && m.text.includes(`Feed ${FEED} is down`));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'market-restarts-'));
  sim = await Simulator.start({ symbols: ['BTCUSDT'], ratePerSymbol: 20, volatility: 0.00002, seed: 7, log: quiet });
  simPort = sim.port;
  const config = parseConfig(
    `feeds:\n  - name: ${FEED}\n    venue: binance\n    url: ${sim.url}\n    symbols: [BTCUSDT]\n    connection: {connectTimeout: 2s, silenceTimeout: 5s, backoff: {initial: 200ms, max: 1s}}\nintervals: [1m]\n`,
    'restarts.yml',
  );
  svc = await startService(config, { listen: '127.0.0.1:0', log: quiet });
  [tg, smtp] = await Promise.all([startTelegramStub(), startSmtpCatcher()]);

  const secretsDir = path.join(dir, 'secrets');
  mkdirSync(secretsDir);
  const amConfig = path.join(dir, 'alertmanager.yml');
  writeFileSync(amConfig, renderAlertmanagerConfig({ smtp, telegramApiUrl: tg.url, secretsDir }));
  amData = path.join(dir, 'am-data');
  const amPort = await freePort();
  am = new Restartable('alertmanager', toolPath('alertmanager'), [`--config.file=${amConfig}`, `--storage.path=${amData}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], amPort);

  const promPort = await freePort();
  const promConfig = path.join(dir, 'prometheus.yml');
  writeFileSync(
    promConfig,
    renderPrometheusConfig({
      exporterTargets: [new URL(svc.url).host],
      alertmanager: `127.0.0.1:${amPort}`,
      self: `127.0.0.1:${promPort}`,
      shippedIntervals: true,
    }),
  );
  prom = new Restartable(
    'prometheus',
    toolPath('prometheus'),
    [`--config.file=${promConfig}`, `--storage.tsdb.path=${path.join(dir, 'prom-data')}`, `--web.listen-address=127.0.0.1:${promPort}`, ...shippedPrometheusAlertFlags()],
    promPort,
  );
  await Promise.all([am.start(), prom.start()]);
  await pollUntil(async () => {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(`market_feed_up{exchange="${FEED}"}`)}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result[0]?.value[1] === '1';
  }, 'Prometheus sees the feed up', { timeoutMs: 30_000, everyMs: 200 });
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await svc?.stop();
  await sim?.stop();
  await Promise.all([tg?.close(), smtp?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('restarts lose no alert', () => {
  test('an alert that starts while Alertmanager is down is notified once it is back', async () => {
    await am.stop();
    await sim.stop();
    await pollUntil(feedDownFiring, 'MarketFeedDown firing in Prometheus', { timeoutMs: 30_000, everyMs: 200 });
    // Prometheus keeps it and re-sends; nothing can have been delivered yet.
    assert.deepEqual(firingMessages(), []);
    await am.start();
    await tg.waitForMessage((m) => firingMessages().includes(m), 'the FIRING MarketFeedDown on Telegram');
    await smtp.waitForMail((m) => m.subject === `[FIRING:1] critical MarketFeedDown · ${FEED}`, 'the FIRING email');
  });

  test('Prometheus restarted mid-alert: firing again and re-sent, with no false RESOLVED and no duplicate', async () => {
    const firing = firingMessages().length;
    await prom.stop();
    // Down as long as a restart of a Prometheus with some history takes (WAL replay).
    await sleep(PROMETHEUS_DOWN_MS);
    const restartedAt = Date.now();
    await prom.start();
    await pollUntil(feedDownFiring, 'MarketFeedDown firing again after the restart', { timeoutMs: 30_000, everyMs: 200 });
    // The restarted Prometheus has sent it to Alertmanager, which still holds it as active.
    const held = await pollUntil(async () => {
      const a = await amFeedDown();
      return a && Date.parse(a.updatedAt) > restartedAt && a;
    }, 'the alert re-sent by the restarted Prometheus', { timeoutMs: 30_000, everyMs: 200 });
    assert.equal(held.status.state, 'active');
    // One more group interval (critical: 10 s) for any notification it could cause.
    await sleep(11_000);
    assert.equal(firingMessages().length, firing, 'no duplicate FIRING');
    assert.deepEqual(resolvedMessages(), [], 'no false RESOLVED');
  });

  test('Alertmanager back with an empty data directory: the firing alert re-fires', async () => {
    const before = firingMessages().length;
    await am.stop();
    rmSync(amData, { recursive: true, force: true });
    await am.start();
    await pollUntil(() => firingMessages().length > before, 'the alert notified again', { timeoutMs: 30_000, everyMs: 100 });
  });

  test('the resolution arrives on both channels after all the restarts', async () => {
    sim = await Simulator.start({ port: simPort, symbols: ['BTCUSDT'], ratePerSymbol: 20, volatility: 0.00002, seed: 7, log: quiet });
    assert.deepEqual(resolvedMessages(), []);
    // MarketFeedDown counts the failed reconnect attempts of the last minute as drops: it resolves
    // once they have aged out of that minute (docs/alerts.md), so up to ~80 s after the venue is back.
    await pollUntil(() => resolvedMessages().length > 0, 'the RESOLVED MarketFeedDown on Telegram', { timeoutMs: 120_000, everyMs: 100 });
    await smtp.waitForMail((m) => m.subject === `[RESOLVED] critical MarketFeedDown · ${FEED}`, 'the RESOLVED email');
  });
});
