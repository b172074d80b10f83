// Alertmanager in HA: two real Alertmanagers peered over loopback gossip, one real Prometheus
// sending every alert to both (as it must: Prometheus does not pick one), everything as shipped
// (prometheus.yml's intervals and both lanes, the rules and their `for:`, alertmanager.yml's routes,
// timings and templates, the cluster flags docker-compose.yml gives), a real SMTP server and the
// Telegram stand-in. The cluster's
// notification log is what turns two copies of an alert into one message: the test proves one
// Telegram message and one email per alert, and that notifications still go out after the
// Alertmanager that sent them is killed.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { dump, load } from 'js-yaml';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { renderAlertmanagerConfig, startAlertmanager, type AlertmanagerInstance } from '../support/alertmanager.js';
import { renderPrometheusConfig, shippedPrometheusAlertFlags } from '../support/prometheus.js';
import { parseExposition } from '../support/scrape.js';
import { freePort, pollUntil, spawnService, type ServiceProcess } from '../support/service-process.js';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp.js';
import { startTelegramStub, type TelegramStub } from '../support/telegram.js';
import { toolPath } from '../support/tools.js';

const FEED = 'hafeed';
const quiet = createLogger({ level: 'error' });

let dir: string;
let sim: Simulator;
let simPort: number;
let exporter: Service;
let tg: TelegramStub;
let smtp: SmtpCatcher;
const ams: AlertmanagerInstance[] = [];
let prom: ServiceProcess;

const firing = (text: string) => text.startsWith('🔴') && text.includes('MarketFeedDown') && text.includes(FEED);
const resolved = (text: string) => text.startsWith('✅ <b>RESOLVED</b>') && text.includes(FEED);

async function amMetrics(am: AlertmanagerInstance): Promise<Map<string, number>> {
  const res = await fetch(`${am.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return parseExposition(await res.text());
}

/** Notifications an Alertmanager has attempted through one integration (telegram, email). */
async function attempts(am: AlertmanagerInstance, integration: string): Promise<number> {
  let n = 0;
  for (const [k, v] of await amMetrics(am)) if (k.startsWith('alertmanager_notifications_total{') && k.includes(`integration="${integration}"`)) n += v;
  return n;
}

async function nflogQueries(am: AlertmanagerInstance): Promise<number> {
  return (await amMetrics(am)).get('alertmanager_nflog_queries_total') ?? 0;
}

async function clusterStatus(am: AlertmanagerInstance): Promise<{ status: string; peers: unknown[] }> {
  const res = await fetch(`${am.url}/api/v2/status`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { cluster: { status: string; peers?: unknown[] } };
  return { status: body.cluster.status, peers: body.cluster.peers ?? [] };
}

async function startPrometheusForBoth(targets: string[]): Promise<ServiceProcess> {
  const configFile = path.join(dir, 'prometheus.yml');
  return spawnService({
    name: 'prometheus',
    command: toolPath('prometheus'),
    readyPath: '/-/ready',
    args: (port) => {
      const cfg = load(
        renderPrometheusConfig({
          exporterTargets: [exporter.url.replace('http://', '')],
          alertmanager: targets[0],
          self: `127.0.0.1:${port}`,
          shippedIntervals: true,
        }),
      ) as { alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] } };
      // The HA setup: every Alertmanager of the cluster is a target; Prometheus sends each alert to all.
      cfg.alerting.alertmanagers = [{ static_configs: [{ targets }] }];
      writeFileSync(configFile, dump(cfg));
      return [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'prom-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        ...shippedPrometheusAlertFlags(),
      ];
    },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'market-am-cluster-'));
  sim = await Simulator.start({ symbols: ['BTCUSDT'], ratePerSymbol: 10, volatility: 0.00001, seed: 1, log: quiet });
  simPort = sim.port;
  [tg, smtp] = await Promise.all([startTelegramStub(), startSmtpCatcher()]);
  const config = parseConfig(
    [
      'feeds:',
      '  - venue: binance',
      `    name: ${FEED}`,
      `    url: ${sim.url}`,
      '    symbols: [BTCUSDT]',
      '    connection: {connectTimeout: 2s, silenceTimeout: 5s, backoff: {initial: 200ms, max: 1s}}',
    ].join('\n'),
    'ha.yml',
    { env: {} },
  );
  exporter = await startService(config, { listen: '127.0.0.1:0', log: quiet });

  const secretsDir = path.join(dir, 'secrets');
  mkdirSync(secretsDir);
  const amConfig = renderAlertmanagerConfig({
    smtp,
    telegramApiUrl: tg.url,
    secretsDir,
  });
  const gossip = [await freePort(), await freePort()];
  const started = await Promise.all(
    gossip.map((port, i) =>
      startAlertmanager({
        config: amConfig,
        // As docker-compose.yml runs them: listen and peer, every cluster timing at its default
        // (peer timeout 15 s: the second waits that long for the first's notification to gossip
        // over; a shorter one lets both send when the machine is busy).
        args: [`--cluster.listen-address=127.0.0.1:${port}`, `--cluster.peer=127.0.0.1:${gossip[1 - i]}`],
      }),
    ),
  );
  ams.push(...started);
  // Notifications wait for the cluster to settle; both must see both before an alert can fire.
  await pollUntil(
    async () => (await Promise.all(ams.map(clusterStatus))).every((s) => s.status === 'ready' && s.peers.length === 2),
    'both Alertmanagers ready and peered',
    { timeoutMs: 30_000 },
  );
  prom = await startPrometheusForBoth(ams.map((a) => `127.0.0.1:${a.port}`));
});

afterAll(async () => {
  await prom?.stop();
  await Promise.all(ams.map((a) => a.stop()));
  await exporter?.stop();
  await sim?.stop();
  await Promise.all([tg?.close(), smtp?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two clustered Alertmanagers behind one Prometheus', () => {
  let sender: AlertmanagerInstance;

  test('an alert both receive is notified once on Telegram and once by email', async () => {
    await pollUntil(() => exporter.exporter.ready, 'the exporter connected');
    await sim.stop();
    await tg.waitForMessage((m) => firing(m.text), 'MarketFeedDown on Telegram', 60_000);
    await smtp.waitForMail((m) => m.subject === `[FIRING:1] critical MarketFeedDown · ${FEED}`, 'the MarketFeedDown email', 30_000);

    // Both hold the alert: Prometheus sent it to each.
    for (const am of ams) {
      await pollUntil(async () => (await am.alerts()).some((a) => a.labels.alertname === 'MarketFeedDown' && a.labels.exchange === FEED), `the alert in ${am.url}`);
    }
    const sent = await Promise.all(ams.map((a) => attempts(a, 'telegram')));
    const senderIndex = sent.findIndex((n) => n > 0);
    assert.ok(senderIndex >= 0, `one Alertmanager sent it (telegram attempts per Alertmanager: ${sent.join(', ')})`);
    sender = ams[senderIndex]!;
    const other = ams[1 - senderIndex]!;
    // The other one waits a peer timeout (15 s), then looks in the gossiped notification log and
    // sees the message already sent: one query per integration (Telegram, email).
    const baseline = await nflogQueries(other);
    await pollUntil(async () => (await nflogQueries(other)) >= baseline + 2, 'the second Alertmanager to consult the notification log', { timeoutMs: 45_000 });

    const telegrams = tg.messages().filter((m) => firing(m.text));
    const emails = smtp.messages.filter((m) => m.subject.includes('MarketFeedDown') && m.subject.startsWith('[FIRING'));
    console.log(`firing: ${telegrams.length} Telegram message(s), ${emails.length} email(s); telegram attempts per Alertmanager: ${sent.join(', ')}`);
    assert.equal(telegrams.length, 1, 'one Telegram message');
    assert.equal(emails.length, 1, 'one email');
    assert.equal(await attempts(other, 'telegram'), 0, 'the second Alertmanager never tried');
    assert.equal(await attempts(other, 'email'), 0);
  });

  test('with the sending Alertmanager killed, the other one still notifies (the resolution), once', async () => {
    process.kill(sender.pid, 'SIGKILL');
    await sender.stop();
    const survivor = ams.find((a) => a !== sender)!;
    // The venue comes back: the alert resolves, and only the survivor can say so.
    sim = await Simulator.start({ port: simPort, symbols: ['BTCUSDT'], ratePerSymbol: 10, volatility: 0.00001, seed: 1, log: quiet });
    // Up to ~80 s: MarketFeedDown resolves once the failed reconnects have aged out of its minute.
    const msg = await tg.waitForMessage((m) => resolved(m.text), 'the resolved message on Telegram', 120_000);
    assert.ok(msg.text.includes(`Feed ${FEED} is down`));
    await smtp.waitForMail((m) => m.subject === `[RESOLVED] critical MarketFeedDown · ${FEED}`, 'the resolved email', 30_000);
    assert.ok((await attempts(survivor, 'telegram')) >= 1, 'sent by the survivor');

    const telegrams = tg.messages().filter((m) => resolved(m.text));
    const emails = smtp.messages.filter((m) => m.subject.startsWith('[RESOLVED]') && m.subject.includes('MarketFeedDown'));
    console.log(`resolved after the kill: ${telegrams.length} Telegram message(s), ${emails.length} email(s)`);
    assert.equal(telegrams.length, 1);
    assert.equal(emails.length, 1);
    // It knew the firing message had gone out (gossip), so it did not send that again.
    const firings = tg.messages().filter((m) => firing(m.text));
    assert.equal(firings.length, 1, `no second FIRING message from the survivor:\n${firings.map((m) => m.text).join('\n---\n')}`);
  });
});
