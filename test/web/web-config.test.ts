import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ExporterError } from '../../src/errors.js';
import { parseWebConfig } from '../../src/web/web-config.js';

// A valid bcrypt hash (exporter-toolkit's decoy, cost 10, of "fakepassword"), in htpasswd's $2y$ form.
const HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const SRC = '/etc/market-exporter/web.yml';

function problems(text: string): string[] {
  try {
    parseWebConfig(text, SRC);
  } catch (e) {
    assert.ok(e instanceof ExporterError, String(e));
    assert.equal(e.code, 'WEB_CONFIG');
    return e.message.split('\n');
  }
  assert.fail('accepted');
}

describe('parseWebConfig', () => {
  test('an empty file means plain HTTP and no auth', () => {
    const c = parseWebConfig('', SRC);
    assert.equal(c.tls, undefined);
    assert.equal(c.users.size, 0);
    assert.deepEqual(c.headers, {});
  });

  test("exporter-toolkit's documented keys, with relative files resolved against the file's directory", () => {
    const c = parseWebConfig(
      [
        'tls_server_config:',
        '  cert_file: tls/server.crt',
        '  key_file: /abs/server.key',
        '  client_auth_type: RequireAndVerifyClientCert',
        '  client_ca_file: ca.crt',
        '  client_allowed_sans: [prometheus.example]',
        '  min_version: TLS13',
        '  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]',
        '  curve_preferences: [X25519, CurveP256]',
        '  prefer_server_cipher_suites: false',
        'http_server_config:',
        '  http2: false',
        '  headers:',
        '    X-Frame-Options: deny',
        '    Strict-Transport-Security: max-age=31536000',
        '    Content-Security-Policy: ""',
        'basic_auth_users:',
        `  prometheus: ${HASH}`,
        `  alice: "${HASH}"`,
      ].join('\n'),
      SRC,
    );
    assert.deepEqual(c.tls, {
      cert: { file: '/etc/market-exporter/tls/server.crt' },
      key: { file: '/abs/server.key' },
      clientCa: { file: '/etc/market-exporter/ca.crt' },
      clientAuthType: 'RequireAndVerifyClientCert',
      clientAllowedSans: ['prometheus.example'],
      minVersion: 'TLS13',
      maxVersion: 'TLS13',
      ciphers: ['ECDHE-RSA-AES128-GCM-SHA256'],
      curves: ['X25519', 'P-256'],
      preferServerCipherSuites: false,
    });
    assert.deepEqual([...c.users.keys()], ['prometheus', 'alice']);
    // A blank header value leaves the header unset, as in exporter-toolkit.
    assert.deepEqual(c.headers, { 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
    assert.ok(Object.isFrozen(c));
  });

  test('defaults: TLS 1.2 to 1.3, no client certificates, server cipher order', () => {
    const c = parseWebConfig('tls_server_config:\n  cert: "-----BEGIN CERTIFICATE-----"\n  key_file: k.pem\n', SRC);
    assert.deepEqual(c.tls, {
      cert: { inline: '-----BEGIN CERTIFICATE-----' },
      key: { file: '/etc/market-exporter/k.pem' },
      clientAuthType: 'NoClientCert',
      minVersion: 'TLS12',
      maxVersion: 'TLS13',
      preferServerCipherSuites: true,
    });
  });

  test('RequireClientCert, the old name, means RequireAnyClientCert', () => {
    const c = parseWebConfig('tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireClientCert}', SRC);
    assert.equal(c.tls?.clientAuthType, 'RequireAnyClientCert');
  });

  test('TLS settings without a certificate and key are refused, as exporter-toolkit does', () => {
    assert.deepEqual(problems('tls_server_config:\n  cert_file: a.crt\n'), [`${SRC}: tls_server_config: missing one of key or key_file`]);
    assert.deepEqual(problems('tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n'), [
      `${SRC}: tls_server_config: missing one of cert or cert_file`,
      `${SRC}: tls_server_config: missing one of key or key_file`,
    ]);
    assert.deepEqual(problems('tls_server_config:\n  min_version: TLS13\n'), [`${SRC}: tls_server_config: min_version given without cert_file and key_file`]);
  });

  test('every problem is reported at once, one per line, with its key', () => {
    const lines = problems(
      [
        'tls_server_config:',
        '  cert_file: a',
        '  cert: inline',
        '  key_file: b',
        '  client_auth_type: RequireCert',
        '  min_version: TLS14',
        '  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]',
        '  client_ca_file: ca.crt',
        'http_server_config:',
        '  headers:',
        '    X-Frame-Options: allow',
        '    X-Custom: 1',
        'rate_limit: {interval: 1s, burst: 5}',
        'basic_auth_user: {}',
      ].join('\n'),
    );
    assert.deepEqual(lines, [
      `${SRC}: rate_limit: unknown key; rate limiting is not supported by market-exporter`,
      `${SRC}: basic_auth_user: unknown key; expected one of tls_server_config, http_server_config, basic_auth_users`,
      `${SRC}: tls_server_config: give cert or cert_file, not both`,
      `${SRC}: tls_server_config.client_auth_type: expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, RequireClientCert, got "RequireCert"`,
      `${SRC}: tls_server_config: missing one of cert or cert_file`,
      `${SRC}: tls_server_config: client CA's have been configured without a Client Auth Policy (client_auth_type)`,
      `${SRC}: tls_server_config.min_version: expected one of TLS10, TLS11, TLS12, TLS13, got "TLS14"`,
      `${SRC}: tls_server_config.cipher_suites[0]: unknown cipher suite "TLS_RSA_WITH_RC4_128_SHA"; expected one of TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA`,
      `${SRC}: http_server_config.headers.X-Frame-Options: expected one of deny, sameorigin, got "allow"`,
      `${SRC}: http_server_config.headers.X-Custom: HTTP header "X-Custom" can not be configured; expected one of Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy`,
    ]);
  });

  test('client_allowed_sans needs a client auth type that requires a certificate', () => {
    assert.deepEqual(problems('tls_server_config: {cert_file: a, key_file: b, client_auth_type: VerifyClientCertIfGiven, client_allowed_sans: [x]}'), [
      `${SRC}: tls_server_config.client_allowed_sans: requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert`,
    ]);
  });

  test('a password that is not a bcrypt hash is refused, and never shown', () => {
    const lines = problems('basic_auth_users:\n  alice: hunter2-plaintext\n  bob: "$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"\n  "a:b": ' + HASH + '\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /basic_auth_users\."alice": expected a bcrypt hash/);
    assert.match(lines[1]!, /basic_auth_users\."bob": expected a bcrypt hash/, 'cost 3 is below bcrypt\'s minimum');
    assert.match(lines[2]!, /cannot contain ":"/);
    for (const l of lines) {
      assert.ok(!l.includes('hunter2'), l);
      assert.ok(!l.includes('QOauhQ'), l);
    }
  });

  test('a YAML error gives the position but not the text around it (it may hold a key)', () => {
    const lines = problems('basic_auth_users:\n  alice: "$2y$10$secretsecret\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\/etc\/market-exporter\/web\.yml:\d+:\d+: /);
    assert.ok(!lines[0]!.includes('secretsecret'), lines[0]);
  });

  test('a top level that is not a mapping, and wrong types, are named', () => {
    assert.deepEqual(problems('- a\n- b\n'), [`${SRC}: expected a mapping with tls_server_config, http_server_config, basic_auth_users, got a list`]);
    assert.deepEqual(problems('basic_auth_users: [alice]\ntls_server_config: yes\nhttp_server_config: {http2: "no"}\n'), [
      `${SRC}: tls_server_config: expected a mapping, got a string`,
      `${SRC}: http_server_config.http2: expected true or false, got a string`,
      `${SRC}: basic_auth_users: expected a mapping of user names to bcrypt hashes, got a list`,
    ]);
  });
});
