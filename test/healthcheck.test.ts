import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { dump } from 'js-yaml';
import { parseConfig } from '../src/config/load.js';
import { healthcheck } from '../src/healthcheck.js';
import { createLogger } from '../src/log.js';
import { startService, type Service } from '../src/service.js';
import { freePort } from './support/service-process.js';
import { makePki, type TestPki } from './support/tls.js';

const quiet = createLogger({ level: 'error' });
// A feed that never connects keeps the test off the network; health does not depend on feeds.
const config = parseConfig('feeds:\n  - venue: binance\n    url: ws://127.0.0.1:9\n    symbols: [BTCUSDT]\n', 'h.yml');
const port = (svc: Service) => Number(new URL(svc.url).port);

let pki: TestPki;
const services: Service[] = [];
beforeAll(() => {
  pki = makePki();
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  pki.remove();
});

async function start(web?: object): Promise<Service> {
  let webConfigFile: string | undefined;
  if (web) {
    webConfigFile = join(pki.dir, `web-${services.length}.yml`);
    writeFileSync(webConfigFile, dump(web));
  }
  const svc = await startService(config, { listen: '127.0.0.1:0', log: quiet, webConfigFile });
  services.push(svc);
  return svc;
}

test('plain HTTP exporter: healthy', async () => {
  assert.equal(await healthcheck(port(await start())), 0);
});

test('TLS exporter: healthy without any setting (HTTPS fallback, loopback certificate not verified)', async () => {
  const svc = await start({ tls_server_config: { cert_file: 'server.crt', key_file: 'server.key' } });
  assert.match(svc.url, /^https:/);
  assert.equal(await healthcheck(port(svc)), 0);
});

test('TLS + basic auth exporter: the 401 proves it is answering', async () => {
  const svc = await start({
    tls_server_config: { cert_file: 'server.crt', key_file: 'server.key' },
    basic_auth_users: { prometheus: bcrypt.hashSync('secret', 4) },
  });
  assert.equal(await healthcheck(port(svc)), 0);
});

test('nothing listening: unhealthy', async () => {
  assert.equal(await healthcheck(await freePort()), 1);
});
