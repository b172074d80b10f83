// Secrets (a token in a feed URL, an API key in an authentication frame, a password in a URL)
// reach the venue and nothing else: not the log at debug level, not /metrics, not the landing
// page, not the answer to a failed reload, through rejected upgrades, refused connections,
// disconnects, bad frames and a reload of a broken file that names the secrets.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { pollUntil } from '../support/service-process.js';
import { closedPort } from '../support/ws-test-server.js';
import { FakeVenue } from './harness.js';

const TOKEN = 'tok-5ecret-Qx81';
const KEY = 'key-5ecret-Zm42';
const PASSWORD = 'pw-5ecret-Lr07';
const SECRETS = [TOKEN, KEY, PASSWORD];

describe('secrets in the config reach the venue and nothing else', () => {
  let venue: FakeVenue;
  let svc: Service;
  let dir: string;
  let file: string;
  let refusedPort: number;
  const logs: string[] = [];

  const config = (extra = '') => `
feeds:
  - name: vendor
    venue: generic
    url: ${venue.url}/stream?token=\${MARKET_TEST_TOKEN}
    symbols: [AAPL]
    options:
      subscribe:
        before: ['{"action":"auth","key":"\${MARKET_TEST_KEY}"}']
        template: '{"action":"subscribe","params":"{{symbols}}"}'
      fields: {symbol: s, price: p, time: t}
    connection: {backoff: {initial: 20ms, max: 100ms, jitter: 0}, pingInterval: 50ms}
  - name: proxied
    venue: binance
    url: ws://user:\${MARKET_TEST_PASSWORD}@127.0.0.1:${refusedPort}
    symbols: [BTCUSDT]
    connection: {backoff: {initial: 20ms, max: 100ms, jitter: 0}}
${extra}`;

  const text = async (path: string, init?: RequestInit) => (await fetch(`${svc.url}${path}`, init)).text();
  const metricsMatch = async (re: RegExp) => re.test(await text('/metrics'));

  beforeAll(async () => {
    process.env.MARKET_TEST_TOKEN = TOKEN;
    process.env.MARKET_TEST_KEY = KEY;
    process.env.MARKET_TEST_PASSWORD = PASSWORD;
    venue = await FakeVenue.start();
    refusedPort = await closedPort();
    dir = mkdtempSync(join(tmpdir(), 'market-secrets-'));
    file = join(dir, 'config.yml');
    writeFileSync(file, config());
    const log = createLogger({ level: 'debug', write: (l) => logs.push(l), burst: 1000 });
    svc = await startService(loadConfig(file), { listen: '127.0.0.1:0', log, loadConfig: () => loadConfig(file) });
  });
  afterAll(async () => {
    await svc.stop();
    await venue.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the venue gets the token and the key; faults, errors and a failed reload leak neither', async () => {
    await pollUntil(() => venue.open.some((c) => c.received.some((m) => m.includes(KEY))), 'the auth frame at the venue');
    assert.ok(venue.paths.some((p) => p.includes(`token=${TOKEN}`)), 'the token went to the venue in the URL');

    // Rejected upgrades, a close with a reason, bad frames, a refused connection (the proxied feed).
    venue.reject(401);
    venue.closeAll(4001, 'session expired');
    await pollUntil(() => metricsMatch(/exchange="vendor",reason="handshake_rejected"\} [1-9]/), 'a rejected upgrade', { everyMs: 25 });
    venue.accept();
    await pollUntil(() => metricsMatch(/market_feed_up\{exchange="vendor"\} 1/), 'the vendor feed back', { everyMs: 25 });
    venue.send('{"s":"AAPL","p":"not-a-price","t":1}');
    venue.send('<html>401 Unauthorized</html>');
    await pollUntil(() => metricsMatch(/exchange="proxied",reason="error"\} [2-9]/), 'refused attempts on the proxied feed', { everyMs: 25 });

    // A reload of a broken file that puts the secrets where they fail validation.
    writeFileSync(file, config('listen: ${MARKET_TEST_TOKEN}\nlogLevel: ${MARKET_TEST_KEY}\n'));
    const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 500);
    const reloadAnswer = await r.text();
    assert.match(reloadAnswer, /\$\{MARKET_TEST_KEY\}/, 'the answer names the variable instead');

    const surfaces: Record<string, string> = {
      log: logs.join('\n'),
      metrics: await text('/metrics'),
      landing: await text('/'),
      ready: await text('/-/ready'),
      reload: reloadAnswer,
    };
    assert.match(surfaces.log!, /msg="connect failed".*status=401/, 'the faults were logged');
    assert.match(surfaces.log!, /ECONNREFUSED/);
    assert.match(surfaces.log!, /config reload failed/);
    for (const [where, body] of Object.entries(surfaces)) for (const secret of SECRETS) assert.ok(!body.includes(secret), `${secret} leaked into ${where}`);
  });
});
