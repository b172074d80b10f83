// TLS and basic auth on the real service, from a web config file in exporter-toolkit's format,
// with certificates made by openssl for this run (test/support/tls.ts).
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import { parseArgs } from '../../src/cli.js';
import { parseConfig } from '../../src/config/load.js';
import { demoConfig } from '../../src/demo.js';
import { ExporterError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { basicAuth, BcryptVerifier, parseBasicAuth } from '../../src/web/auth.js';
import { clientCertProblem, parseSans } from '../../src/web/web-security.js';
import type { WebTlsConfig } from '../../src/web/web-config.js';
import { fileFingerprint, httpsGet, makePki, servedFingerprint, type TestPki } from '../support/tls.js';
import { pollUntil } from '../support/service-process.js';

const PASSWORD = 'correct horse battery staple';
// Cost 4 keeps the tests fast; the format is the same at any cost.
const HASH = bcrypt.hashSync(PASSWORD, 4);

/** A tiny config with a silent feed: these tests are about the HTTP side only. */
const CONFIG = parseConfig('feeds:\n  - name: simulator\n    venue: binance\n    url: ws://127.0.0.1:9/\n    symbols: [BTCUSDT]\n', 'web-test.yml');

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

interface Running {
  svc: Service;
  logs: string[];
  file: string;
}
async function start(webYaml: string, name: string): Promise<Running> {
  const file = join(pki.dir, `${name}.yml`);
  writeFileSync(file, webYaml);
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', write: (l) => logs.push(l) });
  const svc = await startService(CONFIG, { listen: '127.0.0.1:0', log, webConfigFile: file });
  return { svc, logs, file };
}

function plainGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('TLS and basic auth from --web.config.file', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start(
      [
        'tls_server_config:',
        `  cert_file: ${pki.server.cert}`,
        `  key_file: ${pki.server.key}`,
        'http_server_config:',
        '  headers:',
        '    X-Content-Type-Options: nosniff',
        'basic_auth_users:',
        `  prometheus: ${HASH}`,
      ].join('\n'),
      'tls-auth',
    );
  });
  afterAll(() => r.svc.stop());

  test('serves /metrics over HTTPS to a client that trusts the CA and gives the password', async () => {
    assert.match(r.svc.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, auth: `prometheus:${PASSWORD}` });
    assert.equal(res.status, 200);
    assert.match(res.body, /^market_feed_up\{exchange="simulator"\} 0$/m);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  test('a wrong password, an unknown user and no credentials get 401 with a Basic challenge', async () => {
    for (const auth of [`prometheus:wrong`, `nobody:${PASSWORD}`, undefined, `prometheus:${PASSWORD}x`, `prometheus:`]) {
      const res = await httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, ...(auth ? { auth } : {}) });
      assert.equal(res.status, 401, `auth ${auth}`);
      assert.equal(res.headers['www-authenticate'], 'Basic');
      assert.ok(!res.body.includes('market_'), 'no metrics in a refusal');
    }
  });

  test('the admin endpoints and the landing page are behind the same password', async () => {
    for (const [path, method] of [['/-/reload', 'POST'], ['/-/healthy', 'GET'], ['/-/ready', 'GET'], ['/', 'GET']] as const) {
      const refused = await httpsGet(`${r.svc.url}${path}`, { ca: pki.ca.cert, method });
      assert.equal(refused.status, 401, `${method} ${path} without a password`);
    }
    const healthy = await httpsGet(`${r.svc.url}/-/healthy`, { ca: pki.ca.cert, auth: `prometheus:${PASSWORD}` });
    assert.equal(healthy.status, 200);
  });

  test('plain HTTP on the TLS port and a client that does not trust the certificate both fail', async () => {
    await assert.rejects(plainGet(r.svc.url.replace('https:', 'http:') + '/metrics'));
    await assert.rejects(httpsGet(`${r.svc.url}/metrics`, { auth: `prometheus:${PASSWORD}` }), /self-signed|unable to verify|certificate/i);
  });

  test('neither the password nor its hash reaches the log', async () => {
    await httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, auth: `prometheus:${PASSWORD}-wrong` });
    const text = r.logs.join('\n');
    assert.match(text, /msg=listening .*tls=true basic_auth_users=1/, 'the log says TLS and auth are on');
    for (const secret of [PASSWORD, HASH, HASH.slice(7)]) assert.ok(!text.includes(secret), 'a secret was logged');
  });
});

describe('client certificates (client_auth_type)', () => {
  let r: Running;
  beforeAll(async () => {
    r = await start(
      [
        'tls_server_config:',
        `  cert_file: ${pki.server.cert}`,
        `  key_file: ${pki.server.key}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        `  client_ca_file: ${pki.ca.cert}`,
        '  client_allowed_sans: [prometheus.monitoring]',
      ].join('\n'),
      'mtls',
    );
  });
  afterAll(() => r.svc.stop());

  test('a certificate from the client CA with an allowed SAN is served', async () => {
    const res = await httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, client: pki.client('prometheus.monitoring') });
    assert.equal(res.status, 200);
  });

  test('no certificate, one from another CA, or one without an allowed SAN is refused', async () => {
    await assert.rejects(httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert }), 'no client certificate');
    await assert.rejects(httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, client: pki.stranger('prometheus.monitoring') }), 'untrusted CA');
    await assert.rejects(httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, client: pki.client('grafana.monitoring') }), 'SAN not allowed');
  });
});

describe('changes to the web config file apply without a restart', () => {
  test('a new password replaces the old one; a broken edit keeps the running settings', async () => {
    const other = 'a brand new password';
    const r = await start(`tls_server_config: {cert_file: ${pki.server.cert}, key_file: ${pki.server.key}}\nbasic_auth_users: {prometheus: "${HASH}"}\n`, 'reload');
    try {
      const get = (pw: string) => httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert, auth: `prometheus:${pw}` }).then((res) => res.status);
      assert.equal(await get(PASSWORD), 200);
      writeFileSync(r.file, `tls_server_config: {cert_file: ${pki.server.cert}, key_file: ${pki.server.key}}\nbasic_auth_users: {prometheus: "${bcrypt.hashSync(other, 4)}"}\n`);
      // Files are looked at on requests, at most once a second: ask until the change shows.
      await pollUntil(async () => (await get(PASSWORD)) === 401, 'the old password to be refused', { everyMs: 100 });
      assert.equal(await get(other), 200);
      assert.ok(r.logs.some((l) => l.includes('msg="web config reloaded"')));

      writeFileSync(r.file, 'basic_auth_users: {prometheus: plaintext-oops}\n');
      await pollUntil(async () => (await get(other)) === 200 && r.logs.some((l) => l.includes('web config reload failed')), 'the failed reload to be logged', { everyMs: 100 });
      assert.equal(await get(other), 200, 'the running settings stay');
      assert.ok(!r.logs.join('\n').includes('plaintext-oops'), 'the bad value is not logged');
    } finally {
      await r.svc.stop();
    }
  });
});

describe('enableReloadEndpoint: false', () => {
  test('POST /-/reload is 404 and never reads the config; the landing page does not offer it', async () => {
    let loads = 0;
    const config = parseConfig('enableReloadEndpoint: false\nfeeds:\n  - name: simulator\n    venue: binance\n    url: ws://127.0.0.1:9/\n    symbols: [BTCUSDT]\n', 'no-reload.yml');
    const svc = await startService(config, { listen: '127.0.0.1:0', log: createLogger({ level: 'error' }), loadConfig: () => (loads++, config) });
    try {
      const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
      assert.equal(r.status, 404);
      assert.equal(loads, 0);
      assert.ok(!(await (await fetch(`${svc.url}/`)).text()).includes('reload'));
    } finally {
      await svc.stop();
    }
  });
});

describe('certificate rotation', () => {
  test('replacing the certificate and key files serves the new certificate to new connections', async () => {
    const cert = join(pki.dir, 'rotating.crt');
    const key = join(pki.dir, 'rotating.key');
    copyFileSync(pki.server.cert, cert);
    copyFileSync(pki.server.key, key);
    const r = await start(`tls_server_config: {cert_file: rotating.crt, key_file: rotating.key}\n`, 'rotate');
    try {
      assert.equal(await servedFingerprint(r.svc.url, pki.ca.cert), await fileFingerprint(pki.server.cert));
      const renewed = pki.renewServer('renewed');
      copyFileSync(renewed.key, key);
      copyFileSync(renewed.cert, cert);
      const want = await fileFingerprint(renewed.cert);
      await pollUntil(async () => (await servedFingerprint(r.svc.url, pki.ca.cert)) === want, 'the renewed certificate served', { everyMs: 100 });
      const res = await httpsGet(`${r.svc.url}/metrics`, { ca: pki.ca.cert });
      assert.equal(res.status, 200);
    } finally {
      await r.svc.stop();
    }
  });
});

describe('a bad web config stops the start', () => {
  test('startService rejects with WEB_CONFIG and nothing listens', async () => {
    const file = join(pki.dir, 'bad.yml');
    writeFileSync(file, `tls_server_config: {cert_file: ${pki.server.cert}, key_file: ${pki.ca.key}}\n`);
    await assert.rejects(startService(demoConfig(), { listen: '127.0.0.1:0', log: createLogger({ level: 'error' }), webConfigFile: file }), (e: unknown) => {
      assert.ok(e instanceof ExporterError);
      assert.equal(e.code, 'WEB_CONFIG');
      assert.match(e.message, /bad\.yml: tls_server_config: cannot use the certificate and key: .*/);
      return true;
    });
    const missing = join(pki.dir, 'missing.yml');
    await assert.rejects(startService(demoConfig(), { listen: '127.0.0.1:0', log: createLogger({ level: 'error' }), webConfigFile: missing }), /missing\.yml: cannot read the web config file: ENOENT/);
  });

  test('`--check-config --web.config.file` reports the problem and exits 1', () => {
    const file = join(pki.dir, 'check.yml');
    copyFileSync(pki.server.cert, join(pki.dir, 'copy.crt'));
    writeFileSync(file, 'tls_server_config:\n  cert_file: copy.crt\n  key_file: nowhere.key\n');
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, '--check-config', '--web.config.file', file], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /check\.yml: tls_server_config\.key_file: cannot read .*nowhere\.key: ENOENT/);
  });

  test('the flag is parsed, and an empty value is a usage error', () => {
    assert.equal(parseArgs(['--web.config.file', 'web.yml']).webConfigFile, 'web.yml');
    assert.equal(parseArgs(['--web.config.file=web.yml']).webConfigFile, 'web.yml');
    assert.throws(() => parseArgs(['--web.config.file', '']), /--web\.config\.file: expected a file name/);
  });
});

describe('auth and client-certificate rules, without a server', () => {
  test('parseBasicAuth reads the header and splits at the first colon', () => {
    const h = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    assert.deepEqual(parseBasicAuth(h('u:p:with:colons')), { user: 'u', password: 'p:with:colons' });
    assert.deepEqual(parseBasicAuth(h('u:')), { user: 'u', password: '' });
    assert.deepEqual(parseBasicAuth(`basic   ${Buffer.from('u:ü').toString('base64')}`), { user: 'u', password: 'ü' });
    for (const bad of [undefined, '', 'Bearer abc', h('no-colon'), 'Basic !!!']) assert.equal(parseBasicAuth(bad), undefined, String(bad));
  });

  test("an htpasswd $2y$ hash verifies (exporter-toolkit's decoy hash of \"fakepassword\"), verdicts are cached", async () => {
    const v = new BcryptVerifier();
    const users = new Map([['x', '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi']]);
    assert.equal(await v.verify(users, { user: 'x', password: 'fakepassword' }), true);
    assert.equal(await v.verify(users, { user: 'x', password: 'fakepassword2' }), false);
    // An unknown user is checked against the same decoy, and still refused even with its password.
    assert.equal(await v.verify(users, { user: 'y', password: 'fakepassword' }), false);
    assert.equal(v.cached, 3);
    assert.equal(await v.verify(users, { user: 'x', password: 'fakepassword' }), true);
    assert.equal(v.cached, 3, 'the second check came from the cache');
  });

  test('the middleware lets everything through when no users are configured', async () => {
    let passed = false;
    const mw = basicAuth({ users: () => new Map() });
    await new Promise<void>((resolve) => {
      mw({ headers: {} } as Parameters<typeof mw>[0], { setHeader: () => undefined } as unknown as Parameters<typeof mw>[1], () => {
        passed = true;
        resolve();
      });
    });
    assert.ok(passed);
  });

  test('clientCertProblem follows each client_auth_type', () => {
    const base: WebTlsConfig = { cert: { inline: '' }, key: { inline: '' }, clientAuthType: 'NoClientCert', minVersion: 'TLS12', maxVersion: 'TLS13', preferServerCipherSuites: true };
    const none = { presented: false, authorized: false, sans: [] };
    const unverified = { presented: true, authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT', sans: ['a'] };
    const good = { presented: true, authorized: true, sans: ['a', '127.0.0.1'] };
    const check = (clientAuthType: WebTlsConfig['clientAuthType'], peer: typeof good | typeof none | typeof unverified, sans?: string[]) =>
      clientCertProblem({ ...base, clientAuthType, ...(sans ? { clientAllowedSans: sans } : {}) }, peer);
    assert.equal(check('NoClientCert', none), undefined);
    assert.equal(check('RequestClientCert', unverified), undefined);
    assert.equal(check('RequireAnyClientCert', none), 'no client certificate');
    assert.equal(check('RequireAnyClientCert', unverified), undefined);
    assert.equal(check('VerifyClientCertIfGiven', none), undefined);
    assert.match(check('VerifyClientCertIfGiven', unverified) ?? '', /not verified: UNABLE_TO_GET_ISSUER_CERT/);
    assert.equal(check('RequireAndVerifyClientCert', none), 'no client certificate');
    assert.equal(check('RequireAndVerifyClientCert', good, ['127.0.0.1']), undefined);
    assert.match(check('RequireAndVerifyClientCert', good, ['b']) ?? '', /none of client_allowed_sans/);
  });

  test('parseSans reads Node\'s subjectaltname string', () => {
    assert.deepEqual(parseSans('DNS:a.example, IP Address:127.0.0.1, email:x@y, URI:spiffe://t/p'), ['a.example', '127.0.0.1', 'x@y', 'spiffe://t/p']);
    assert.deepEqual(parseSans('DNS:"a, b"'), ['a, b']);
    assert.deepEqual(parseSans(undefined), []);
  });
});
