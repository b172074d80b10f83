/**
 * `docker compose up` of the shipped docker-compose.yml, with its shipped Prometheus rules,
 * Alertmanager routes and templates, and the exporter's built-in simulator. The CI override
 * (test/containers/docker-compose.ci.yml) swaps only images, adds the Telegram stand-in and
 * publishes ports on 127.0.0.1. Grafana is left out: it has no offline image.
 *
 * One stack, in the order a user meets it: up and healthy, scraping, a price shock notified on
 * both channels, the exporter killed, Prometheus restarted, then `--profile ha` added to the
 * running stack.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ContainerRuntimeClient, StartedDockerComposeEnvironment } from 'testcontainers';
import { pollUntil } from '../support/service-process.js';
import { loadRuleFile, shippedRuleFiles } from '../support/prometheus.js';
import { containerLogs, dockerWith } from './docker.js';
import {
  alertmanager, BOT_TOKEN, composeCli, composeStack, HA_SERVICES, mails, prometheus, SERVICES, shock, stackFiles, telegramRequests, url,
} from './stack.js';

const IMAGES = ['market-exporter:ci', 'market-exporter-ci/prometheus:ci', 'market-exporter-ci/alertmanager:ci', 'market-exporter-ci/sinks:ci'];
const FEED = 'simulator';
/** The shipped alertmanager.yml's chat and critical recipient. */
const CHAT_ID = '-1001234567890';
const ONCALL = 'oncall@example.com';
// Scrape and evaluation every 15 s, `for:` up to 1 m, group_wait 10 s for critical: minutes.
const NOTIFY_MS = 240_000;

let client: ContainerRuntimeClient;
let files: ReturnType<typeof stackFiles>;
let stack: StartedDockerComposeEnvironment;
const project = `market-ci-${randomBytes(3).toString('hex')}`;
let prom: ReturnType<typeof prometheus>;
let sinks: { mail: string; telegram: string };

const firing = (text: string, ...parts: string[]) => text.includes('FIRING') && parts.every((p) => text.includes(p));
async function telegramMessages() {
  return (await telegramRequests(sinks.telegram)).filter((r) => r.accepted && r.method === 'sendMessage');
}

beforeAll(async () => {
  client = await dockerWith(IMAGES);
  files = stackFiles();
  stack = await composeStack(project, files.env).up(SERVICES);
  prom = prometheus(await url(client, stack, 'prometheus-1', 9090));
  sinks = { mail: await url(client, stack, 'mailpit-1', 8025), telegram: await url(client, stack, 'telegram-1', 8025) };
});

afterAll(async () => {
  // down -v: containers, the compose network and the named volumes of this project only.
  await composeCli(project, files?.env ?? {}, ['--profile', 'ha', 'down', '--volumes', '--timeout', '5']).catch((e: Error) => console.error(e.message));
  files?.remove();
});

describe('docker compose up (shipped docker-compose.yml, Grafana left out)', () => {
  test('every service it starts goes healthy', async () => {
    for (const name of SERVICES) {
      const info = await client.container.inspect(client.container.getById(stack.getContainer(`${name}-1`).getId()));
      expect(info.State.Health?.Status, name).toBe('healthy');
    }
  });

  test('Prometheus scrapes the exporter by its service name and loads every shipped rule', async () => {
    const targets = await pollUntil(async () => {
      const t = (await prom.targets()).filter((x) => x.scrapePool.startsWith('market-exporter'));
      return t.length === 2 && t.every((x) => x.health === 'up') ? t : undefined;
    }, 'the exporter targets (both lanes) up', { timeoutMs: 60_000 });
    // The 15 s lane and the 1 s fast lane (prometheus.yml), both by service name.
    expect(targets.map((t) => [t.scrapePool, decodeURIComponent(t.scrapeUrl)]).sort()).toEqual([
      ['market-exporter', 'http://market-exporter:10790/metrics?exclude[]=health&exclude[]=moves'],
      ['market-exporter-fast', 'http://market-exporter:10790/metrics?collect[]=health&collect[]=moves'],
    ]);
    expect((await prom.query('market_feed_up{job="market-exporter"}')).map((s) => [s.metric.exchange, s.value[1]])).toEqual([[FEED, '1']]);

    const expected = shippedRuleFiles().flatMap((f) => loadRuleFile(f).groups.map((g) => [g.name, g.rules.length]));
    const groups = await prom.rules();
    expect(groups.map((g) => [g.name, g.rules.length]).sort()).toEqual(expected.sort());
    // Evaluated at least once, without errors.
    await pollUntil(async () => (await prom.rules()).every((g) => g.rules.every((r) => r.health === 'ok')), 'every rule healthy', { timeoutMs: 60_000 });
    expect(await prom.alertmanagers()).toEqual(['http://alertmanager:9093/api/v2/alerts']);
  });

  test('a simulator price shock reaches the SMTP sink and the Telegram stand-in', async () => {
    const exporter = stack.getContainer('market-exporter-1');
    await shock(exporter, await containerLogs(client, exporter.getId()), 'BTCUSDT', -10);
    const msg = await pollUntil(async () => (await telegramMessages()).find((m) => firing(m.text, 'MarketPriceMove', `· critical · ${FEED} BTCUSDT`)),
      'the MarketPriceMove message on Telegram', { timeoutMs: NOTIFY_MS, everyMs: 1000 });
    // The shipped receiver, with the bot token from the mounted secrets file.
    expect(msg.token).toBe(BOT_TOKEN);
    expect(msg.chatId).toBe(CHAT_ID);
    expect(msg.parseMode).toBe('HTML');
    // The -10 % shock on top of the minute's own walk, past the shipped critical threshold (5 %).
    const moved = Number(/BTCUSDT on simulator moved (-\d+(?:\.\d+)?)%/.exec(msg.text)?.[1]);
    expect(moved).toBeLessThan(-5);
    const mail = await pollUntil(async () => (await mails(sinks.mail)).find((m) => m.subject.endsWith(`critical MarketPriceMove · ${FEED} BTCUSDT`)),
      'the MarketPriceMove email', { timeoutMs: 60_000, everyMs: 1000 });
    expect(mail.rcptTo).toEqual([ONCALL]);
    expect(mail.mailFrom).toBe('market-exporter@example.com');
  });

  test('killing the exporter container notifies MarketExporterDown', async () => {
    await composeCli(project, files.env, ['kill', 'market-exporter']);
    const msg = await pollUntil(async () => (await telegramMessages()).find((m) => firing(m.text, 'MarketExporterDown')),
      'MarketExporterDown on Telegram', { timeoutMs: NOTIFY_MS, everyMs: 1000 });
    expect(msg.text).toContain('market-exporter:10790');
    await pollUntil(async () => (await mails(sinks.mail)).find((m) => m.subject.includes('MarketExporterDown')), 'the MarketExporterDown email', { timeoutMs: 60_000, everyMs: 1000 });
    await composeCli(project, files.env, ['start', 'market-exporter']);
  });

  test('Prometheus keeps its data across `docker compose restart`', async () => {
    const at = Math.floor(Date.now() / 1000) - 5;
    const history = `sum(count_over_time(up{job="market-exporter"}[1h]))`;
    const before = Number((await prom.query(history, at))[0]?.value[1]);
    const started = Number((await prom.query('process_start_time_seconds{job="prometheus"}'))[0]?.value[1]);
    expect(before).toBeGreaterThan(5);
    await composeCli(project, files.env, ['restart', 'prometheus']);
    prom = prometheus(await url(client, stack, 'prometheus-1', 9090));
    await pollUntil(async () => {
      const s = await prom.query('process_start_time_seconds{job="prometheus"}').catch(() => []);
      return Number(s[0]?.value[1]) > started;
    }, 'the restarted Prometheus scraping itself', { timeoutMs: 120_000, everyMs: 1000 });
    expect(Number((await prom.query(history, at))[0]?.value[1])).toBe(before);
  });

  test('--profile ha: two clustered Alertmanagers behind two Prometheus send one notification', async () => {
    stack = await composeStack(project, files.env, ['ha']).up([...SERVICES, ...HA_SERVICES]);
    const promB = prometheus(await url(client, stack, 'prometheus-b-1', 9090));
    const ams = [alertmanager(await url(client, stack, 'alertmanager-1', 9093)), alertmanager(await url(client, stack, 'alertmanager-b-1', 9093))];
    // Both Prometheus find both Alertmanagers and both exporters (DNS, refreshed every 30 s).
    for (const p of [prom, promB]) {
      await pollUntil(async () => (await p.alertmanagers()).length === 2, 'two Alertmanagers discovered', { timeoutMs: 120_000, everyMs: 2000 });
      await pollUntil(async () => (await p.query('up{job="market-exporter",lane="fast"} == 1')).length === 2, 'both exporters scraped', { timeoutMs: 120_000, everyMs: 2000 });
    }
    for (const am of ams) expect((await am.peers()).peers).toHaveLength(2);
    // The restarted exporter's windows are warm again before the shock.
    await pollUntil(async () => (await prom.query('market_window_return_ratio{instance="market-exporter:10790",symbol="SOLUSDT",window="1m"}')).length === 1,
      'SOLUSDT returns of the first exporter', { timeoutMs: 60_000, everyMs: 1000 });

    const exporter = stack.getContainer('market-exporter-1');
    await shock(exporter, await containerLogs(client, exporter.getId()), 'SOLUSDT', -10);
    const isIt = (text: string) => firing(text, 'MarketPriceMove', `· critical · ${FEED} SOLUSDT`);
    await pollUntil(async () => (await telegramMessages()).find((m) => isIt(m.text)), 'the SOLUSDT message', { timeoutMs: NOTIFY_MS, everyMs: 1000 });
    // Both Alertmanagers hold it (both were sent it); only the gossiped log keeps the second quiet.
    for (const am of ams) {
      await pollUntil(async () => (await am.alerts()).some((a) => a.labels.alertname === 'MarketPriceMove' && a.labels.symbol === 'SOLUSDT' && a.labels.severity === 'critical'),
        'the alert in both Alertmanagers', { timeoutMs: 60_000, everyMs: 1000 });
    }
    // Longer than the second Alertmanager's peer timeout (15 s), after which it would send its copy.
    await new Promise((r) => setTimeout(r, 25_000));
    // A copy from the second Alertmanager would be the same text again. (The group may grow, e.g.
    // the 5m window joining: that update is a different text, one group_interval later.)
    const texts = (await telegramMessages()).filter((m) => isIt(m.text)).map((m) => m.text);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts).toEqual([...new Set(texts)]);
    const emails = (await mails(sinks.mail)).filter((m) => m.subject.includes('FIRING') && m.subject.endsWith(`critical MarketPriceMove · ${FEED} SOLUSDT`)).map((m) => m.text);
    expect(emails.length).toBeGreaterThan(0);
    expect(emails).toEqual([...new Set(emails)]);
  });
});
