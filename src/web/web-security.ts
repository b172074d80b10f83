/**
 * The shell around a web config file: reads it and the PEM files it names, builds the HTTPS
 * options, guards client certificates after the handshake, and picks up edits without a restart
 * (checked at most once a second, on new connections and requests), the way exporter-toolkit
 * re-reads its file so rotated certificates and changed passwords apply at once.
 *
 * A changed file that fails to load is logged and the running settings stay. Turning TLS on or
 * off, or changing client_auth_type, needs a restart (logged, and the running settings stay).
 */
import { readFileSync, statSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { ServerOptions as HttpsOptions, Server as HttpsServer } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import { errorFields, ExporterError } from '../errors.js';
import type { Logger } from '../log.js';
import { basicAuth } from './auth.js';
import { parseWebConfig, TLS_VERSIONS, type PemSource, type WebConfig, type WebTlsConfig } from './web-config.js';

/** How often, at most, the files are checked for changes. */
const CHECK_EVERY_MS = 1_000;

/** The HTTPS options for a TLS config; `read` returns a file's bytes (throws when it cannot). */
export function httpsOptions(tls: WebTlsConfig, read: (file: string) => Buffer): HttpsOptions {
  const pem = (s: PemSource, key: string): Buffer | string => {
    if ('inline' in s) return s.inline;
    try {
      return read(s.file);
    } catch (e) {
      throw new ExporterError('WEB_CONFIG', `tls_server_config.${key}: cannot read ${s.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
  };
  const opts: HttpsOptions = {
    cert: pem(tls.cert, 'cert_file'),
    key: pem(tls.key, 'key_file'),
    minVersion: TLS_VERSIONS[tls.minVersion],
    maxVersion: TLS_VERSIONS[tls.maxVersion],
    honorCipherOrder: tls.preferServerCipherSuites,
    requestCert: tls.clientAuthType !== 'NoClientCert',
    // Only this mode lets OpenSSL refuse the handshake itself; the others are checked after it.
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
  };
  if (tls.clientCa) opts.ca = pem(tls.clientCa, 'client_ca_file');
  if (tls.ciphers) opts.ciphers = tls.ciphers.join(':');
  if (tls.curves) opts.ecdhCurve = tls.curves.join(':');
  try {
    // Fails now, with OpenSSL's reason, on a bad PEM or a key that does not match the cert.
    createSecureContext(opts);
  } catch (e) {
    throw new ExporterError('WEB_CONFIG', `tls_server_config: cannot use the certificate and key: ${(e as Error).message}`, { cause: e });
  }
  return opts;
}

/** What the server learnt about the client's certificate during the handshake. */
export interface PeerCert {
  presented: boolean;
  /** OpenSSL verified it against the client CA (or the system roots). */
  authorized: boolean;
  authorizationError?: string;
  /** Subject alternative names: DNS names, IPs, emails, URIs. */
  sans: readonly string[];
}

/** Why a client's certificate is refused under `tls`, or undefined when it is acceptable. */
export function clientCertProblem(tls: WebTlsConfig, peer: PeerCert): string | undefined {
  switch (tls.clientAuthType) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return undefined;
    case 'RequireAnyClientCert':
      if (!peer.presented) return 'no client certificate';
      break;
    case 'VerifyClientCertIfGiven':
      if (peer.presented && !peer.authorized) return `client certificate not verified: ${peer.authorizationError ?? 'unknown reason'}`;
      return undefined;
    case 'RequireAndVerifyClientCert':
      if (!peer.presented) return 'no client certificate';
      if (!peer.authorized) return `client certificate not verified: ${peer.authorizationError ?? 'unknown reason'}`;
      break;
  }
  const allowed = tls.clientAllowedSans;
  if (allowed && !peer.sans.some((s) => allowed.includes(s))) return 'client certificate has none of client_allowed_sans';
  return undefined;
}

/** Node's subjectaltname ("DNS:a, IP Address:127.0.0.1, email:x@y, URI:spiffe://z") as values. */
export function parseSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/, (?=(?:DNS|IP Address|email|URI):)/)
    .map((part) => part.replace(/^(?:DNS|IP Address|email|URI):/, '').replace(/^"(.*)"$/, '$1'));
}

function peerOf(socket: TLSSocket): PeerCert {
  const cert = socket.getPeerCertificate();
  const presented = !!cert && Object.keys(cert).length > 0;
  let sans: string[] = [];
  if (presented && cert.raw) {
    try {
      sans = parseSans(new X509Certificate(cert.raw).subjectAltName);
    } catch {
      sans = [];
    }
  }
  const err = socket.authorizationError;
  return { presented, authorized: socket.authorized, sans, ...(err ? { authorizationError: String(err) } : {}) };
}

interface Loaded {
  config: WebConfig;
  https?: HttpsOptions;
  /** mtime/size of the web config and each PEM file, to notice edits. */
  signature: string;
}

/** Files a config depends on: itself and the PEM files it names. */
function files(source: string, config: WebConfig | undefined): string[] {
  const out = [source];
  const t = config?.tls;
  if (t) for (const s of [t.cert, t.key, t.clientCa]) if (s && 'file' in s) out.push(s.file);
  return out;
}

function signature(paths: readonly string[]): string {
  return paths
    .map((p) => {
      try {
        const st = statSync(p);
        return `${p}:${st.ino}:${st.size}:${st.mtimeMs}`;
      } catch {
        return `${p}:missing`;
      }
    })
    .join('|');
}

function load(source: string): Loaded {
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new ExporterError('WEB_CONFIG', `${source}: cannot read the web config file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const config = parseWebConfig(text, source);
  let https: HttpsOptions | undefined;
  try {
    https = config.tls ? httpsOptions(config.tls, (f) => readFileSync(f)) : undefined;
  } catch (e) {
    if (e instanceof ExporterError) throw new ExporterError('WEB_CONFIG', `${source}: ${e.message}`, { cause: e.cause });
    throw e;
  }
  return { config, ...(https ? { https } : {}), signature: signature(files(source, config)) };
}

/** TLS and basic auth from a web config file, kept current as the file changes. */
export class WebSecurity {
  private current: Loaded;
  private lastCheck = 0;
  private failedSignature: string | undefined;
  private servers: (HttpServer | HttpsServer)[] = [];

  private constructor(
    readonly file: string,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.current = load(file);
    this.lastCheck = now();
  }

  /** Read and check the file and its PEM files. Throws ExporterError WEB_CONFIG. */
  static load(file: string, log: Logger, now: () => number = Date.now): WebSecurity {
    return new WebSecurity(file, log, now);
  }

  get config(): WebConfig {
    return this.current.config;
  }

  /** HTTPS options when the file configures TLS; undefined for plain HTTP. */
  get https(): HttpsOptions | undefined {
    return this.current.https;
  }

  /** Headers and basic auth, in front of every route. */
  middleware(): RequestHandler {
    const auth = basicAuth({ users: () => this.current.config.users, headers: () => this.current.config.headers });
    return (req, res, next) => {
      this.refresh();
      auth(req, res, next);
    };
  }

  /** Hook a listening server: check the files on new connections, guard client certificates. */
  attach(server: HttpServer | HttpsServer): void {
    this.servers.push(server);
    server.on('connection', () => this.refresh());
    if (!this.current.https) return;
    server.on('secureConnection', (socket: TLSSocket) => {
      const tls = this.current.config.tls;
      const problem = tls && clientCertProblem(tls, peerOf(socket));
      if (!problem) return;
      this.log.limited('web_client_cert', 'TLS client refused', { remote: socket.remoteAddress, problem });
      socket.destroy();
    });
  }

  /** Reload if a file changed since the last look (at most once a second). */
  refresh(): void {
    const now = this.now();
    if (now - this.lastCheck < CHECK_EVERY_MS) return;
    this.lastCheck = now;
    const sig = signature(files(this.file, this.current.config));
    if (sig === this.current.signature || sig === this.failedSignature) return;
    let next: Loaded;
    try {
      next = load(this.file);
    } catch (e) {
      this.failedSignature = sig;
      this.log.error('web config reload failed, keeping the running settings', { file: this.file, ...errorFields(e) });
      return;
    }
    const was = this.current.config.tls;
    const will = next.config.tls;
    if (!!was !== !!will || (was && will && was.clientAuthType !== will.clientAuthType)) {
      this.failedSignature = sig;
      this.log.error('web config change needs a restart (TLS on/off or client_auth_type), keeping the running settings', { file: this.file, code: 'WEB_CONFIG' });
      return;
    }
    if (next.https) for (const s of this.servers) if ('setSecureContext' in s) s.setSecureContext(next.https);
    this.current = next;
    this.failedSignature = undefined;
    this.log.info('web config reloaded', { file: this.file, tls: !!will, users: next.config.users.size });
  }
}
