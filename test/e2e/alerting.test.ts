// The proof of the alert pack's messages: simulator -> exporter -> real Prometheus -> real
// Alertmanager -> a real SMTP server and the Telegram Bot API stand-in. The shipped
// prometheus.yml, rules, routes, inhibitions, templates and Prometheus flags run unchanged (the
// shipped timing is fast: incidents.test.ts measures it); only addresses and secrets differ.
// A killed feed's stale symptom (MarketFeedStale: 60 s, then `for: 1m`) fires and is inhibited;
// MarketSymbolStale (15 min) is too slow for a test run, and the same inhibit rule's handling of
// it is proven with posted alerts in test/alerting/alertmanager.test.ts.
// Reports the time from each injected event to its Telegram request (p50/max) as a diagnostic.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Simulator } from '../../src/simulator/server.js';
import { renderAlertmanagerConfig, startAlertmanager, type AlertmanagerInstance } from '../support/alertmanager.js';
import { repoRoot, startPrometheus, type PrometheusInstance } from '../support/prometheus.js';
import { pollUntil, spawnExporter, type ServiceProcess } from '../support/service-process.js';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp.js';
import { startTelegramStub, type TelegramRequest, type TelegramStub } from '../support/telegram.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const FEED = 'sim';
const RUNBOOK = 'https://github.com/market-exporter/market-exporter/blob/main/docs/runbook.md';

const quiet = createLogger({ level: 'error' });
const simOptions = (port: number, startPrice = 100) => ({
  port,
  symbols: SYMBOLS,
  ratePerSymbol: 20,
  // ~0.1% per minute: a calm market stays far from the 2% move threshold.
  volatility: 0.00002,
  startPrice,
  seed: 7,
  log: quiet,
});

let sim: Simulator;
let simPort: number;
let exporter: ServiceProcess;
let prom: PrometheusInstance;
let am: AlertmanagerInstance;
let tg: TelegramStub;
let smtp: SmtpCatcher;
let dir: string;
const latencies: { event: string; ms: number }[] = [];

const text = (m: TelegramRequest) => m.text;
const has = (s: string, ...parts: string[]) => parts.every((p) => s.includes(p));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'market-e2e-'));
  sim = await Simulator.start(simOptions(0));
  simPort = sim.port;
  [tg, smtp] = await Promise.all([startTelegramStub(), startSmtpCatcher()]);

  const configFile = path.join(dir, 'exporter.yml');
  writeFileSync(
    configFile,
    [
      'logLevel: warn',
      'feeds:',
      '  - venue: binance',
      `    name: ${FEED}`,
      `    url: ${sim.url}`,
      `    symbols: [${SYMBOLS.join(', ')}]`,
      '    connection:',
      '      connectTimeout: 2s',
      '      silenceTimeout: 5s',
      '      backoff: {initial: 200ms, max: 1s}',
      'intervals: [1m]',
      'windows: [1m, 5m]',
      '',
    ].join('\n'),
  );
  exporter = await spawnExporter(configFile, repoRoot);

  const secretsDir = path.join(dir, 'secrets');
  mkdirSync(secretsDir);
  am = await startAlertmanager({
    config: renderAlertmanagerConfig({ smtp, telegramApiUrl: tg.url, secretsDir }),
  });
  prom = await startPrometheus({
    exporterTargets: [`127.0.0.1:${exporter.port}`],
    alertmanager: `127.0.0.1:${am.port}`,
    shippedIntervals: true,
  });
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await exporter?.stop();
  await sim?.stop();
  await Promise.all([tg?.close(), smtp?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alerting end to end', () => {
  test('a calm run sends nothing', async () => {
    // Prometheus has scraped the exporter and evaluated the rules on it...
    await pollUntil(async () => (await prom.query(`market_window_return_ratio{exchange="${FEED}",window="1m"}`)).length === SYMBOLS.length, 'window returns in Prometheus', { timeoutMs: 30_000 });
    // The thresholds group evaluates every 15 s (the shipped evaluation_interval): wait two.
    await pollUntil(async () => (await prom.query(`exchange:threshold_feed_stale:seconds{exchange="${FEED}"}`)).length === 1, 'thresholds recorded', { timeoutMs: 30_000 });
    const start = Date.now();
    // ...for 10 more evaluations of a calm market.
    await pollUntil(() => Date.now() - start > 10_000, 'ten seconds of calm', { timeoutMs: 15_000 });
    // (The window starts after the first scrapes: before them absent(up) makes MarketExporterDown
    // pending for a moment, which its 1m `for:` is there to absorb.)
    const seconds = Math.floor((Date.now() - start) / 1000);
    const fired = await prom.query(`count_over_time(ALERTS{severity!="none"}[${seconds}s])`);
    assert.deepEqual(fired.map((s) => s.metric.alertname), [], 'no alert pending or firing');
    assert.deepEqual(tg.requests.map(text), [], 'no Telegram message');
    assert.deepEqual(smtp.messages.map((m) => m.subject), [], 'no email');
  });

  for (const symbol of SYMBOLS) {
    test(`a price crash of ${symbol} notifies on Telegram and email with the right text`, async () => {
      const t0 = Date.now();
      sim.shock(symbol, -10);
      const msg = await tg.waitForMessage(
        (m) => has(m.text, `· critical · ${FEED} ${symbol}`, 'FIRING'),
        `the critical ${symbol} message on Telegram`,
      );
      latencies.push({ event: `crash ${symbol}`, ms: msg.receivedAt - t0 });
      assert.match(msg.text, new RegExp(`^🔴 <b>FIRING: [12]</b> · critical · ${FEED} ${symbol}\\n`));
      assert.match(msg.text, new RegExp(`<b>MarketPriceMove</b> · critical\\n${symbol} on ${FEED} moved -(9\\.9\\d*|10(\\.\\d+)?)%\\n`));
      assert.ok(msg.text.includes(`<a href="${RUNBOOK}#marketpricemove">runbook</a>`));

      const mail = await smtp.waitForMail((m) => m.subject.endsWith(`critical MarketPriceMove · ${FEED} ${symbol}`), `the ${symbol} email`);
      assert.match(mail.subject, /^\[FIRING:[12]\] /);
      assert.match(mail.text, new RegExp(`\\* MarketPriceMove \\(critical\\): ${symbol} on ${FEED} moved -`));
      assert.ok(mail.html.includes(`<a href="${RUNBOOK}#marketpricemove">Runbook</a>`));

      // The warning tier fires too, and Alertmanager holds it back behind the critical one.
      await pollUntil(async () => {
        const w = (await am.alerts()).filter((a) => a.labels.symbol === symbol && a.labels.severity === 'warning' && a.labels.alertname === 'MarketPriceMove');
        return w.length > 0 && w.every((a) => a.status.state === 'suppressed');
        // The warning waits 15s (`for:`) before Prometheus sends it.
      }, `the ${symbol} warning tier suppressed`, { timeoutMs: 30_000 });
      assert.deepEqual(tg.messages().filter((m) => has(m.text, `${FEED} ${symbol}`, '· warning')).map(text), []);
    });
  }

  test('killing the feed notifies MarketFeedDown; its stale symptoms fire but are not notified', async () => {
    const t0 = Date.now();
    await sim.stop();
    const msg = await tg.waitForMessage((m) => has(m.text, 'MarketFeedDown', 'FIRING'), 'MarketFeedDown on Telegram');
    latencies.push({ event: 'feed killed', ms: msg.receivedAt - t0 });
    assert.match(msg.text, new RegExp(`^🔴 <b>FIRING: 1</b> · critical · ${FEED}\\n`));
    assert.ok(msg.text.includes(`Feed ${FEED} is down`));
    assert.ok(msg.text.includes(`<a href="${RUNBOOK}#marketfeeddown">runbook</a>`));
    const mail = await smtp.waitForMail((m) => m.subject === `[FIRING:1] critical MarketFeedDown · ${FEED}`, 'the MarketFeedDown email');
    assert.ok(mail.text.includes(`Runbook: ${RUNBOOK}#marketfeeddown`));

    // The symptom really fires in Prometheus (60 s silent, then its 1m `for:`), so only the
    // inhibition keeps it quiet.
    const symptoms = ['MarketFeedStale'];
    await pollUntil(async () => {
      const firing = new Set((await prom.alerts()).filter((a) => a.state === 'firing').map((a) => a.labels.alertname));
      return symptoms.every((s) => firing.has(s));
    }, 'MarketFeedStale firing in Prometheus', { timeoutMs: 180_000, everyMs: 1_000 });
    await pollUntil(async () => {
      const inAm = (await am.alerts()).filter((a) => symptoms.includes(a.labels.alertname ?? ''));
      return inAm.length >= 1 && inAm.every((a) => a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
    }, 'MarketFeedStale suppressed in Alertmanager');
    assert.deepEqual(tg.messages().filter((m) => symptoms.some((s) => m.text.includes(s))).map(text), []);
    assert.deepEqual(smtp.messages.filter((m) => symptoms.some((s) => m.text.includes(s))).map((m) => m.subject), []);
  });

  test('recovery sends resolved messages on both channels, and still no symptom', async () => {
    // Restart the venue where the crash left the prices, so reconnecting is not itself a move.
    const [price] = await prom.query(`avg(market_price{exchange="${FEED}"})`);
    const t0 = Date.now();
    sim = await Simulator.start(simOptions(simPort, Number(price?.value[1] ?? 90)));
    // The exporter retried every second while the venue was gone: each failed attempt is a drop,
    // so MarketFeedDown holds until a minute has passed without two of them (plus 15s).
    const msg = await tg.waitForMessage((m) => m.text.startsWith(`✅ <b>RESOLVED</b> · critical · ${FEED}\n`), 'the resolved MarketFeedDown on Telegram', 120_000);
    latencies.push({ event: 'feed recovered', ms: msg.receivedAt - t0 });
    assert.ok(msg.text.includes(`✅ Feed ${FEED} is down`));
    const mail = await smtp.waitForMail((m) => m.subject === `[RESOLVED] critical MarketFeedDown · ${FEED}`, 'the resolved email');
    assert.match(mail.text, /^Resolved/);

    // MarketFeedStale keeps firing for 2m after data flows again; MarketFeedRecovering (10m)
    // inhibits it all that time, so its resolution is not notified either.
    await pollUntil(async () => (await prom.alerts()).every((a) => !/Stale$/.test(a.labels.alertname ?? '')), 'stale alerts resolved in Prometheus', { timeoutMs: 180_000, everyMs: 1_000 });
    const notified = [...tg.messages().map(text), ...smtp.messages.map((m) => m.text)];
    assert.deepEqual(notified.filter((t) => /MarketFeedStale|MarketSymbolStale/.test(t)), []);
  });

  test('time from injected event to Telegram request', () => {
    assert.equal(latencies.length, SYMBOLS.length + 2);
    const sorted = latencies.map((l) => l.ms).sort((a, b) => a - b);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
    const max = sorted.at(-1) ?? NaN;
    for (const l of latencies) console.log(`${l.event}: ${l.ms} ms`);
    for (const m of tg.requests) console.log(`telegram ${m.accepted ? 'ok' : 'REJECTED'}: ${m.text.split('\n')[0]}`);
    for (const m of smtp.messages) console.log(`email: ${m.subject}`);
    console.log(`event to Telegram: p50 ${p50} ms, max ${max} ms (n=${sorted.length}; the shipped timing)`);
    assert.ok(sorted.every((ms) => ms > 0));
  });
});
