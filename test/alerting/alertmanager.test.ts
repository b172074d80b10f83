// The shipped alertmanager.yml and templates, run by a real Alertmanager against a real SMTP
// server and the Telegram stand-in: routing by severity, inhibition, resolved messages, and
// templates that survive hostile annotations. Timings are shortened (group_wait 1s); routes,
// receivers, inhibit rules and templates are the shipped ones.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  loadShippedAlertmanagerConfig,
  renderAlertmanagerConfig,
  startAlertmanager,
  type AlertmanagerInstance,
  type PostableAlert,
} from '../support/alertmanager.js';
import { pollUntil } from '../support/service-process.js';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtp.js';
import { startTelegramStub, type TelegramStub } from '../support/telegram.js';

const RUNBOOK = 'https://github.com/market-exporter/market-exporter/blob/main/docs/runbook.md';
const BOT_TOKEN = '987654:secret-from-file';
const SMTP_PASSWORD = 'smtp-secret-from-file';

let tg: TelegramStub;
let smtp: SmtpCatcher;
let am: AlertmanagerInstance;
let secrets: string;

const shipped = loadShippedAlertmanagerConfig();
const chatId = String(shipped.receivers.find((r) => r.telegram_configs)?.telegram_configs?.[0]?.chat_id);

function alert(labels: Record<string, string>, annotations: Record<string, string> = {}): PostableAlert {
  const name = labels.alertname ?? '';
  return {
    labels: { job: 'market-exporter', instance: 'exporter:10790', ...labels },
    annotations: {
      summary: `${name} summary`,
      description: `${name} description`,
      runbook_url: `${RUNBOOK}#${name.toLowerCase()}`,
      ...annotations,
    },
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
  };
}

const mentions = (text: string, what: string) => text.includes(what);

beforeAll(async () => {
  [tg, smtp] = await Promise.all([startTelegramStub(), startSmtpCatcher()]);
  secrets = mkdtempSync(path.join(tmpdir(), 'market-am-secrets-'));
  const config = renderAlertmanagerConfig({
    smtp,
    telegramApiUrl: tg.url,
    secretsDir: secrets,
    botToken: BOT_TOKEN,
    smtpPassword: SMTP_PASSWORD,
    timing: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
  });
  am = await startAlertmanager({ config });
});

afterAll(async () => {
  await am?.stop();
  await Promise.all([tg?.close(), smtp?.close()]);
  if (secrets) rmSync(secrets, { recursive: true, force: true });
});

describe('alertmanager routing and templates', () => {
  test('a critical price move reaches Telegram and email, readable, with links and file secrets', async () => {
    await am.postAlerts([
      alert(
        { alertname: 'MarketPriceMove', severity: 'critical', exchange: 'binance', symbol: 'BTCUSDT', window: '1m' },
        { summary: 'BTCUSDT on binance moved -10% in 1m', description: 'BTCUSDT on binance moved -10% over the last 1m (first to last tick; critical threshold ±5%).' },
      ),
      alert(
        { alertname: 'MarketPriceMove', severity: 'critical', exchange: 'binance', symbol: 'BTCUSDT', window: '5m' },
        { summary: 'BTCUSDT on binance moved -10% in 5m', description: 'BTCUSDT on binance moved -10% over the last 5m (first to last tick; critical threshold ±8%).' },
      ),
    ]);
    const msg = await tg.waitForMessage((m) => mentions(m.text, 'binance BTCUSDT'), 'the Telegram message for binance BTCUSDT');
    assert.equal(msg.token, BOT_TOKEN, 'bot token read from bot_token_file');
    assert.equal(msg.chatId, chatId);
    assert.equal(msg.parseMode, 'HTML');
    assert.match(msg.text, /^🔴 <b>FIRING: 2<\/b> · critical · binance BTCUSDT\n/);
    assert.ok(msg.text.includes('<b>MarketPriceMove</b> 1m · critical\nBTCUSDT on binance moved -10% in 1m\n'));
    assert.ok(msg.text.includes('<b>MarketPriceMove</b> 5m · critical\n'));
    assert.ok(msg.text.includes(`<a href="${RUNBOOK}#marketpricemove">runbook</a>`));
    assert.ok(msg.text.includes('?var-exchange=binance&amp;var-symbol=BTCUSDT">dashboard</a>'));

    const mail = await smtp.waitForMail((m) => mentions(m.subject, 'binance BTCUSDT'), 'the email for binance BTCUSDT');
    assert.equal(mail.subject, '[FIRING:2] critical MarketPriceMove · binance BTCUSDT');
    assert.deepEqual(mail.rcptTo, ['oncall@example.com']);
    assert.deepEqual(mail.auth, { username: shipped.global?.smtp_auth_username, password: SMTP_PASSWORD });
    assert.ok(mail.html.includes(`<a href="${RUNBOOK}#marketpricemove">Runbook</a>`));
    assert.match(mail.html, /<a href="http[^"]+\/d\/[^"]+\?var-exchange=binance&(amp;)?var-symbol=BTCUSDT">Grafana<\/a>/);
    assert.ok(mail.html.includes('BTCUSDT on binance moved -10% over the last 5m (first to last tick; critical threshold ±8%).'));
    assert.ok(mail.text.includes(`Runbook: ${RUNBOOK}#marketpricemove`));
    assert.ok(mail.text.includes('* MarketPriceMove (critical): BTCUSDT on binance moved -10% in 1m'));
    assert.match(mail.text, /Grafana: http\S+var-exchange=binance&var-symbol=BTCUSDT/);
  });

  test('a warning goes to Telegram only; info alerts arrive as one email digest and not on Telegram', async () => {
    await am.postAlerts([alert({ alertname: 'MarketFeedStale', severity: 'warning', exchange: 'kraken' })]);
    await tg.waitForMessage((m) => mentions(m.text, 'MarketFeedStale') && mentions(m.text, 'kraken'), 'the kraken warning on Telegram');

    const symbols = ['ETHUSDT', 'SOLUSDT', 'XRPUSDT'];
    await am.postAlerts(
      symbols.map((symbol) => alert({ alertname: 'MarketRSIOverbought', severity: 'info', exchange: 'okx', symbol, interval: '1m', indicator: 'rsi' })),
    );
    const digest = await pollUntil(
      () => smtp.messages.find((m) => m.subject.includes('digest') && symbols.every((s) => m.text.includes(`symbol=${s}`))),
      'one digest email with all three info alerts',
      { timeoutMs: 30_000 },
    );
    assert.equal(digest.subject, '[FIRING:3] market-exporter digest info MarketRSIOverbought · okx');
    assert.deepEqual(digest.rcptTo, ['market-digest@example.com']);
    // By the time the digest (sent after the warning) has arrived, the warning would have mailed too.
    assert.equal(smtp.messages.filter((m) => mentions(m.text, 'MarketFeedStale')).length, 0, 'no email for a warning');
    assert.equal(tg.messages().filter((m) => mentions(m.text, 'MarketRSIOverbought')).length, 0, 'no Telegram for info');
  });

  test('a down feed silences its symptoms; the critical tier silences the warning tier', async () => {
    const feed = { exchange: 'bybit', shard: '0' };
    await am.postAlerts([
      alert({ alertname: 'MarketFeedDown', severity: 'critical', ...feed }),
      alert({ alertname: 'MarketFeedStale', severity: 'warning', ...feed }),
      alert({ alertname: 'MarketFeedLagHigh', severity: 'warning', ...feed }),
      alert({ alertname: 'MarketSymbolStale', severity: 'warning', ...feed, symbol: 'BTCUSDT' }),
      alert({ alertname: 'MarketSequenceGaps', severity: 'warning', ...feed, symbol: 'BTCUSDT' }),
      // Another shard's bybit feed (other exporters) is fine: its staleness is not a symptom.
      alert({ alertname: 'MarketFeedStale', severity: 'warning', ...feed, shard: '1', instance: 'other:10790' }),
      alert({ alertname: 'MarketPriceMove', severity: 'critical', exchange: 'coinbase', symbol: 'BTC-USD', window: '1m' }),
      alert({ alertname: 'MarketPriceMove', severity: 'warning', exchange: 'coinbase', symbol: 'BTC-USD', window: '1m' }),
    ]);
    const inhibited = await pollUntil(async () => {
      const all = await am.alerts();
      const sup = all.filter((a) => a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
      return sup.length >= 5 ? sup : undefined;
    }, 'five inhibited alerts');
    const key = (a: { labels: Record<string, string> }) => `${a.labels.alertname}/${a.labels.exchange}/${a.labels.instance}/${a.labels.severity}`;
    assert.deepEqual(inhibited.map(key).sort(), [
      'MarketFeedLagHigh/bybit/exporter:10790/warning',
      'MarketFeedStale/bybit/exporter:10790/warning',
      'MarketPriceMove/coinbase/exporter:10790/warning',
      'MarketSequenceGaps/bybit/exporter:10790/warning',
      'MarketSymbolStale/bybit/exporter:10790/warning',
    ]);

    await tg.waitForMessage((m) => mentions(m.text, 'MarketFeedDown') && mentions(m.text, 'bybit'), 'MarketFeedDown on Telegram');
    await tg.waitForMessage((m) => mentions(m.text, 'other:10790') || mentions(m.text, 'MarketFeedStale') && mentions(m.text, 'bybit'), 'the other instance');
    const crit = await tg.waitForMessage((m) => mentions(m.text, 'coinbase BTC-USD') && mentions(m.text, '· critical'), 'the critical move');
    assert.ok(crit.text.includes('· critical'));
    // Only the uninhibited stale alert was sent; no inhibited symptom reached Telegram.
    const bybit = tg.messages().filter((m) => mentions(m.text, 'bybit'));
    for (const name of ['MarketFeedLagHigh', 'MarketSymbolStale', 'MarketSequenceGaps']) {
      assert.equal(bybit.filter((m) => mentions(m.text, name)).length, 0, `${name} was inhibited`);
    }
    assert.equal(bybit.filter((m) => mentions(m.text, 'MarketFeedStale')).length, 1, 'only the other instance’s MarketFeedStale');
    assert.equal(tg.messages().filter((m) => mentions(m.text, 'coinbase') && mentions(m.text, '· warning')).length, 0);
  });

  test('a resolved critical alert sends resolved messages on both channels', async () => {
    const labels = { alertname: 'MarketFeedDown', severity: 'critical', exchange: 'resolvetest' };
    await am.postAlerts([alert(labels)]);
    await tg.waitForMessage((m) => mentions(m.text, 'resolvetest') && mentions(m.text, 'FIRING'), 'the firing message');
    await am.postAlerts([{ ...alert(labels), endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const resolved = await tg.waitForMessage((m) => mentions(m.text, 'resolvetest') && mentions(m.text, 'RESOLVED'), 'the resolved message');
    assert.match(resolved.text, /^✅ <b>RESOLVED<\/b> · critical · resolvetest\n/);
    assert.ok(resolved.text.includes('✅ MarketFeedDown summary'));
    const mail = await smtp.waitForMail((m) => m.subject.startsWith('[RESOLVED]') && mentions(m.subject, 'resolvetest'), 'the resolved email');
    assert.equal(mail.subject, '[RESOLVED] critical MarketFeedDown · resolvetest');
    assert.match(mail.text, /RESOLVED\n\n\* MarketFeedDown \(critical\)/);
  });

  test('hostile annotations: Telegram HTML stays valid and under 4096 characters, email escapes', async () => {
    // "&" grows fivefold when escaped, "<" fourfold: the worst case for the length budget.
    const nasty = '<script>alert("x")</script> &&&&& <b>bold</b> &amp; 💥 "quotes" \'single\'\n';
    const long = nasty.repeat(60);
    // One group (same exchange and symbol): 30 firing and 10 resolved alerts, every value hostile.
    const hostile = (i: number): PostableAlert =>
      alert(
        { alertname: `MarketPriceMove${'&'.repeat(100)}`, severity: 'critical', exchange: 'hostile', symbol: 'SYM<&>'.padEnd(300, '&'), window: `${i}<&>`.padEnd(300, '&'), interval: '&'.repeat(300), type: '<'.repeat(300) },
        { summary: long, description: long, runbook_url: `${RUNBOOK}#x"><script>` },
      );
    const past = new Date(Date.now() - 1000).toISOString();
    await am.postAlerts([
      ...Array.from({ length: 30 }, (_, i) => hostile(i)),
      ...Array.from({ length: 10 }, (_, i) => ({ ...hostile(100 + i), endsAt: past })),
    ]);
    const msg = await pollUntil(
      () => tg.requests.find((r) => mentions(r.text, 'hostile') || mentions(r.text, 'could not be sent')),
      'a Telegram request for the hostile alerts',
      { timeoutMs: 30_000 },
    );
    assert.equal(msg.error, undefined, `Telegram rejected the message: ${msg.error}`);
    assert.ok(msg.accepted);
    assert.ok(!msg.text.includes('could not be sent'), 'not Alertmanager’s over-length stub');
    assert.ok([...msg.text].length <= 4096, `raw length ${[...msg.text].length}`);
    assert.ok(msg.text.includes('Showing 3 of 30 firing alerts.'));
    assert.ok(msg.text.includes('<b>Resolved: 10</b>'));
    assert.ok(msg.text.includes('Showing 3 of 10 resolved alerts.'));
    assert.ok(!msg.text.includes('<script>'));
    assert.ok(!msg.text.includes('runbook</a>'), 'a URL that escaping would expand is left out');

    const mail = await smtp.waitForMail((m) => mentions(m.subject, 'hostile'), 'the hostile email');
    assert.ok(!mail.html.includes('<script>'), 'html body escapes annotations');
    assert.ok(mail.html.includes('&lt;script&gt;'));
  });
  test('a venue in announced maintenance silences its own feed\'s down and stale alerts, and no other feed\'s', async () => {
    const feed = { exchange: 'maintvenue', shard: '0' };
    await am.postAlerts([
      alert({ alertname: 'MarketVenueMaintenance', severity: 'info', ...feed, status: 'maintenance' }),
      alert({ alertname: 'MarketFeedDown', severity: 'critical', ...feed }),
      alert({ alertname: 'MarketFeedStale', severity: 'warning', ...feed }),
      alert({ alertname: 'MarketSymbolStale', severity: 'warning', ...feed, symbol: 'BTC/USD' }),
      alert({ alertname: 'MarketFeedReconnectStorm', severity: 'warning', ...feed }),
      // Not a down or stale alert: a move seen around maintenance is real, still sent.
      alert({ alertname: 'MarketPriceMove', severity: 'warning', ...feed, symbol: 'SOL/USD', window: '1m' }),
      // Another feed, and the same venue's feed in another shard: not in maintenance as far as we know.
      alert({ alertname: 'MarketFeedDown', severity: 'critical', exchange: 'maintother', shard: '0' }),
      alert({ alertname: 'MarketSymbolStale', severity: 'warning', exchange: 'maintvenue', shard: '1', symbol: 'ETH/USD' }),
    ]);
    const ours = (a: { labels: Record<string, string> }) => a.labels.exchange === 'maintvenue' || a.labels.exchange === 'maintother';
    const inhibited = await pollUntil(async () => {
      const sup = (await am.alerts()).filter((a) => ours(a) && a.status.state === 'suppressed' && a.status.inhibitedBy.length > 0);
      return sup.length >= 4 ? sup : undefined;
    }, 'four inhibited alerts');
    const key = (a: { labels: Record<string, string> }) => `${a.labels.alertname}/${a.labels.exchange}/${a.labels.shard}`;
    assert.deepEqual(inhibited.map(key).sort(), [
      'MarketFeedDown/maintvenue/0',
      'MarketFeedReconnectStorm/maintvenue/0',
      'MarketFeedStale/maintvenue/0',
      'MarketSymbolStale/maintvenue/0',
    ]);
    await tg.waitForMessage((m) => mentions(m.text, 'MarketFeedDown') && mentions(m.text, 'maintother'), 'the other feed is down: sent');
    await tg.waitForMessage((m) => mentions(m.text, 'MarketSymbolStale') && mentions(m.text, 'ETH/USD'), 'the other shard: sent');
    await tg.waitForMessage((m) => mentions(m.text, 'MarketPriceMove') && mentions(m.text, 'maintvenue'), 'an alert that is not down/stale: sent');
    const venue = tg.messages().filter((m) => mentions(m.text, 'maintvenue'));
    for (const name of ['MarketFeedDown', 'MarketFeedStale', 'MarketFeedReconnectStorm']) {
      assert.equal(venue.filter((m) => mentions(m.text, name)).length, 0, `${name} was inhibited`);
    }
    assert.equal(venue.filter((m) => mentions(m.text, 'BTC/USD')).length, 0, 'the symbol in maintenance was inhibited');
    assert.equal(tg.messages().filter((m) => mentions(m.text, 'MarketVenueMaintenance')).length, 0, 'info: never on Telegram');
  });
});
