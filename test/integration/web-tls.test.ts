// The proof that Prometheus' own scrape settings just work: the real Prometheus binary scrapes
// the exporter over HTTPS with basic auth, configured only with `scheme`, `tls_config.ca_file`
// and `basic_auth`; the same target with a wrong password, or without the CA, is down.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { dump } from 'js-yaml';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { Simulator } from '../../src/simulator/server.js';
import { pollUntil, spawnService, type ServiceProcess } from '../support/service-process.js';
import { makePki, type TestPki } from '../support/tls.js';
import { toolPath } from '../support/tools.js';

const PASSWORD = 'scrape-me-please';
const quiet = createLogger({ level: 'error' });

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

describe('real Prometheus scrapes the exporter over TLS with basic auth', () => {
  let pki: TestPki;
  let sim: Simulator;
  let svc: Service;
  let prom: ServiceProcess;

  beforeAll(async () => {
    pki = makePki();
    sim = await Simulator.start({ symbols: ['BTCUSDT'], ratePerSymbol: 20, log: quiet });
    const web = join(pki.dir, 'web.yml');
    writeFileSync(web, dump({ tls_server_config: { cert_file: 'server.crt', key_file: 'server.key' }, basic_auth_users: { prometheus: bcrypt.hashSync(PASSWORD, 4) } }));
    const config = parseConfig(`feeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [BTCUSDT]\n`, 'prom-tls.yml');
    svc = await startService(config, { listen: '127.0.0.1:0', log: quiet, webConfigFile: web });
    const target = new URL(svc.url).host;
    const passwordFile = join(pki.dir, 'password');
    writeFileSync(passwordFile, PASSWORD);
    const job = (name: string, extra: Record<string, unknown>) => ({ job_name: name, scrape_interval: '1s', static_configs: [{ targets: [target] }], ...extra });
    const promConfig = join(pki.dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      dump({
        global: { scrape_interval: '1s' },
        scrape_configs: [
          job('market-exporter', { scheme: 'https', tls_config: { ca_file: pki.ca.cert }, basic_auth: { username: 'prometheus', password_file: passwordFile } }),
          job('wrong-password', { scheme: 'https', tls_config: { ca_file: pki.ca.cert }, basic_auth: { username: 'prometheus', password: 'guess' } }),
          job('untrusted', { scheme: 'https', basic_auth: { username: 'prometheus', password_file: passwordFile } }),
          job('plain-http', { basic_auth: { username: 'prometheus', password_file: passwordFile } }),
        ],
      }),
    );
    prom = await spawnService({
      name: 'prometheus',
      command: toolPath('prometheus'),
      readyPath: '/-/ready',
      args: (port) => [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(pki.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    });
  });

  afterAll(async () => {
    await prom?.stop();
    await svc?.stop();
    await sim?.stop();
    pki?.remove();
  });

  async function targets(): Promise<Map<string, Target>> {
    const res = await fetch(`${prom.url}/api/v1/targets?state=active`);
    const body = (await res.json()) as { data: { activeTargets: Target[] } };
    return new Map(body.data.activeTargets.map((t) => [t.labels.job ?? '', t]));
  }

  test('the target is up and its series are stored; wrong password, no CA and plain HTTP are down', async () => {
    const all = await pollUntil(
      async () => {
        const t = await targets();
        const scraped = [...t.values()].every((x) => x.health !== 'unknown');
        return scraped && t.get('market-exporter')?.health === 'up' ? t : undefined;
      },
      'every target scraped once, market-exporter up',
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(all.get('wrong-password')?.health, 'down');
    assert.match(all.get('wrong-password')?.lastError ?? '', /401/);
    assert.equal(all.get('untrusted')?.health, 'down');
    assert.match(all.get('untrusted')?.lastError ?? '', /certificate|x509/i);
    assert.equal(all.get('plain-http')?.health, 'down');

    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('market_feed_up{job="market-exporter",exchange="sim"}')}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    assert.equal(body.data.result.length, 1, 'the series came through the TLS scrape');
  });
});
