/**
 * Throwaway PKI for TLS tests, made with the openssl binary (Node's crypto cannot issue
 * certificates): a CA, a server certificate for 127.0.0.1/localhost, and client certificates,
 * all signed by the CA, P-256 keys, valid for a day. Files land in a fresh temp directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  ca: CertFiles;
  server: CertFiles;
  /** Another server certificate for 127.0.0.1 from the same CA (a renewal), in new files. */
  renewServer(name: string): CertFiles;
  /** A server certificate signed by the CA for the host name `name` (SAN `DNS:<name>`). */
  serverFor(name: string): CertFiles;
  /** A client certificate signed by the CA, with SAN `DNS:<name>`. */
  client(name: string): CertFiles;
  /** A certificate signed by a second CA the server does not trust (SAN DNS:<name>). */
  stranger(name: string): CertFiles;
  read(file: string): string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function selfSigned(dir: string, name: string, cn: string): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`]);
  return { cert, key };
}

function signed(dir: string, ca: CertFiles, name: string, cn: string, san: string, usage: string): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\n`);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  openssl(dir, ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext]);
  return { cert, key };
}

/** Make a CA and a server certificate for 127.0.0.1 and localhost. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'market-pki-'));
  const ca = selfSigned(dir, 'ca', 'market-exporter test CA');
  const server = signed(dir, ca, 'server', 'localhost', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
  let otherCa: CertFiles | undefined;
  return {
    dir,
    ca,
    server,
    renewServer: (name) => signed(dir, ca, `server-${name}`, 'localhost', 'IP:127.0.0.1,DNS:localhost', 'serverAuth'),
    serverFor: (name) => signed(dir, ca, `server-${name}`, name, `DNS:${name}`, 'serverAuth'),
    client: (name) => signed(dir, ca, `client-${name}`, name, `DNS:${name}`, 'clientAuth'),
    stranger: (name) => signed(dir, (otherCa ??= selfSigned(dir, 'other-ca', 'someone else')), `stranger-${name}`, name, `DNS:${name}`, 'clientAuth'),
    read: (file) => readFileSync(file, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface HttpsGetOptions {
  /** CA certificate file to trust (PEM). */
  ca?: string;
  /** user:password for basic auth. */
  auth?: string;
  /** Client certificate for mutual TLS. */
  client?: CertFiles;
  method?: string;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request with node:https (global fetch cannot take a CA or a client certificate). */
export async function httpsGet(url: string, opts: HttpsGetOptions = {}): Promise<HttpsResponse> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}),
        ...(opts.auth ? { auth: opts.auth } : {}),
        ...(opts.client ? { cert: readFileSync(opts.client.cert), key: readFileSync(opts.client.key) } : {}),
        // A fresh connection per request, so each one goes through the handshake under test.
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** SHA-256 fingerprint of the certificate a TLS server presents to a new connection. */
export async function servedFingerprint(url: string, ca: string): Promise<string> {
  const { connect } = await import('node:tls');
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ca: readFileSync(ca) }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

/** SHA-256 fingerprint of a PEM certificate file, in the same format as servedFingerprint. */
export async function fileFingerprint(file: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  return new X509Certificate(readFileSync(file)).fingerprint256;
}
