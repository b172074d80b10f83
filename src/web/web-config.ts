/**
 * The web config file (`--web.config.file`), in the format of Prometheus' exporter-toolkit
 * (docs/web-configuration.md there), so a file written for node_exporter works here and
 * Prometheus' own `scrape_config` TLS and basic-auth settings just work against it:
 *
 *   tls_server_config: {cert_file, key_file, client_auth_type, client_ca_file, min_version, ...}
 *   http_server_config: {http2, headers}
 *   basic_auth_users: {user: bcrypt-hash}
 *
 * Pure: text in, a validated and frozen WebConfig out; relative file names are resolved against
 * the file's directory, as exporter-toolkit does. Reading the named files is load.ts's job.
 *
 * Differences from exporter-toolkit, all refusals rather than silent changes: `rate_limit` and
 * unknown keys are errors; a value given both inline (`cert`) and as a file (`cert_file`) is an
 * error (the toolkit silently prefers the file). `http2` is accepted and has no effect: Node's
 * HTTPS server negotiates HTTP/1.1, which every Prometheus speaks.
 */
import { dirname, resolve } from 'node:path';
import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { ExporterError } from '../errors.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** exporter-toolkit's version names, and Node's for the same thing. */
export const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

/**
 * Go's names for the TLS 1.2 suites it offers (crypto/tls CipherSuites()), and OpenSSL's names for
 * the same suites. Go ignores cipher_suites for TLS 1.3, and so do we.
 */
export const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
};

/** Go's curve names and OpenSSL's. */
export const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

/**
 * Response headers the file may set, with their allowed values (undefined: any value), exactly
 * exporter-toolkit's list: anything else is refused.
 */
export const EXTRA_HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
  'Content-Security-Policy': undefined,
};

/** PEM text given inline in the file, or the absolute path of a file holding it. */
export type PemSource = { readonly file: string } | { readonly inline: string };

export interface WebTlsConfig {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly clientCa?: PemSource;
  readonly clientAuthType: ClientAuthType;
  readonly clientAllowedSans?: readonly string[];
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** OpenSSL names, in preference order; undefined: Node's defaults. */
  readonly ciphers?: readonly string[];
  /** OpenSSL names, in preference order; undefined: Node's defaults. */
  readonly curves?: readonly string[];
  readonly preferServerCipherSuites: boolean;
}

export interface WebConfig {
  /** Absent: plain HTTP. */
  readonly tls?: WebTlsConfig;
  /** user -> bcrypt hash. Empty: no authentication. */
  readonly users: ReadonlyMap<string, string>;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;
}

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users'];
const TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences',
];
const HTTP_KEYS = ['http2', 'headers'];

/** bcrypt's modular crypt format: $2a$, $2b$ or $2y$ (htpasswd), a two-digit cost, 53 characters. */
const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): undefined {
    this.list.push(`${path}: ${message}`);
    return undefined;
  }
  /** Unknown keys are errors, as in exporter-toolkit (yaml.UnmarshalStrict). */
  keys(obj: Rec, allowed: readonly string[], prefix: string): void {
    for (const k of Object.keys(obj)) {
      if (allowed.includes(k)) continue;
      const hint = k === 'rate_limit' ? 'rate limiting is not supported by market-exporter' : `expected one of ${allowed.join(', ')}`;
      this.add(prefix ? `${prefix}.${k}` : k, `unknown key; ${hint}`);
    }
  }
}

/** What a value is, for messages; never the value itself (it may be a secret). */
function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function str(p: Problems, obj: Rec, key: string, prefix: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return p.add(`${prefix}.${key}`, `expected a string, got ${kind(v)}`);
  return v;
}

function strList(p: Problems, obj: Rec, key: string, prefix: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    return p.add(`${prefix}.${key}`, `expected a list of strings, got ${kind(v)}`);
  }
  return v;
}

function oneOf<T extends string>(p: Problems, value: string | undefined, allowed: readonly T[], path: string): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (!found) return p.add(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return found;
}

function pem(p: Problems, obj: Rec, inlineKey: string, fileKey: string, dir: string, prefix: string): PemSource | undefined {
  const inline = str(p, obj, inlineKey, prefix);
  const file = str(p, obj, fileKey, prefix);
  if (inline !== undefined && file !== undefined) return p.add(prefix, `give ${inlineKey} or ${fileKey}, not both`);
  if (file !== undefined) return { file: resolve(dir, file) };
  if (inline !== undefined) return { inline };
  return undefined;
}

function tlsConfig(p: Problems, raw: Rec, dir: string): WebTlsConfig | undefined {
  const at = 'tls_server_config';
  p.keys(raw, TLS_KEYS, at);
  const cert = pem(p, raw, 'cert', 'cert_file', dir, at);
  const key = pem(p, raw, 'key', 'key_file', dir, at);
  const clientCa = pem(p, raw, 'client_ca', 'client_ca_file', dir, at);
  const authName = str(p, raw, 'client_auth_type', at);
  const clientAuthType = oneOf(p, authName, [...CLIENT_AUTH_TYPES, 'RequireClientCert'], `${at}.client_auth_type`);
  // Like exporter-toolkit: TLS is on as soon as any of these is set; then cert and key are required.
  const enabled = cert || key || clientCa || authName !== undefined;
  if (!enabled) {
    const stray = ['min_version', 'max_version', 'cipher_suites', 'curve_preferences', 'client_allowed_sans'].filter((k) => raw[k] !== undefined);
    if (stray.length > 0) p.add(at, `${stray.join(', ')} given without cert_file and key_file`);
    return undefined;
  }
  if (!cert) p.add(at, 'missing one of cert or cert_file');
  if (!key) p.add(at, 'missing one of key or key_file');
  // RequireClientCert is the toolkit's old name, kept there for compatibility.
  const auth: ClientAuthType = clientAuthType === 'RequireClientCert' ? 'RequireAnyClientCert' : (clientAuthType ?? 'NoClientCert');
  if (clientCa && auth === 'NoClientCert') p.add(at, "client CA's have been configured without a Client Auth Policy (client_auth_type)");
  const sans = strList(p, raw, 'client_allowed_sans', at);
  if (sans && auth !== 'RequireAnyClientCert' && auth !== 'RequireAndVerifyClientCert') {
    p.add(`${at}.client_allowed_sans`, 'requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
  }
  const versions = Object.keys(TLS_VERSIONS) as TlsVersionName[];
  const minVersion = oneOf(p, str(p, raw, 'min_version', at), versions, `${at}.min_version`) ?? 'TLS12';
  const maxVersion = oneOf(p, str(p, raw, 'max_version', at), versions, `${at}.max_version`) ?? 'TLS13';
  if (versions.indexOf(minVersion) > versions.indexOf(maxVersion)) p.add(at, `min_version ${minVersion} is above max_version ${maxVersion}`);
  const mapNames = (key: string, table: Readonly<Record<string, string>>, what: string): string[] | undefined => {
    const names = strList(p, raw, key, at);
    if (!names) return undefined;
    const out: string[] = [];
    for (const [i, n] of names.entries()) {
      const mapped = table[n];
      if (mapped) out.push(mapped);
      else p.add(`${at}.${key}[${i}]`, `unknown ${what} ${JSON.stringify(n)}; expected one of ${Object.keys(table).join(', ')}`);
    }
    return out.length > 0 ? out : undefined;
  };
  const ciphers = mapNames('cipher_suites', CIPHER_SUITES, 'cipher suite');
  const curves = mapNames('curve_preferences', CURVES, 'curve');
  const prefer = raw.prefer_server_cipher_suites;
  if (prefer !== undefined && typeof prefer !== 'boolean') p.add(`${at}.prefer_server_cipher_suites`, `expected true or false, got ${kind(prefer)}`);
  if (!cert || !key) return undefined;
  return {
    cert,
    key,
    ...(clientCa ? { clientCa } : {}),
    clientAuthType: auth,
    ...(sans ? { clientAllowedSans: Object.freeze([...sans]) } : {}),
    minVersion,
    maxVersion,
    ...(ciphers ? { ciphers: Object.freeze(ciphers) } : {}),
    ...(curves ? { curves: Object.freeze(curves) } : {}),
    preferServerCipherSuites: prefer !== false,
  };
}

function headers(p: Problems, raw: Rec): Record<string, string> {
  const at = 'http_server_config';
  p.keys(raw, HTTP_KEYS, at);
  if (raw.http2 !== undefined && typeof raw.http2 !== 'boolean') p.add(`${at}.http2`, `expected true or false, got ${kind(raw.http2)}`);
  const h = raw.headers;
  if (h === undefined || h === null) return {};
  if (!isRec(h)) return p.add(`${at}.headers`, `expected a mapping, got ${kind(h)}`) ?? {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    const path = `${at}.headers.${name}`;
    if (!Object.hasOwn(EXTRA_HEADERS, name)) {
      p.add(path, `HTTP header ${JSON.stringify(name)} can not be configured; expected one of ${Object.keys(EXTRA_HEADERS).join(', ')}`);
      continue;
    }
    if (typeof value !== 'string') {
      p.add(path, `expected a string, got ${kind(value)}`);
      continue;
    }
    const allowed = EXTRA_HEADERS[name];
    if (allowed && !allowed.includes(value)) {
      p.add(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      continue;
    }
    // exporter-toolkit: a blank value leaves the header unset.
    if (value !== '') out[name] = value;
  }
  return out;
}

function users(p: Problems, raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === undefined || raw === null) return out;
  if (!isRec(raw)) return p.add('basic_auth_users', `expected a mapping of user names to bcrypt hashes, got ${kind(raw)}`) ?? out;
  for (const [user, hash] of Object.entries(raw)) {
    // Never echo the value: a plain password pasted here by mistake must not reach a log.
    const path = `basic_auth_users.${JSON.stringify(user)}`;
    if (user === '' || user.includes(':')) {
      p.add('basic_auth_users', 'a user name must be non-empty and cannot contain ":" (basic auth splits on it)');
      continue;
    }
    const m = typeof hash === 'string' ? BCRYPT_RE.exec(hash) : null;
    const cost = m ? Number(m[1]) : NaN;
    if (!m || cost < 4 || cost > 31) {
      p.add(path, 'expected a bcrypt hash like $2y$10$... (htpasswd -nBC 10 "" | tr -d \':\\n\'); the value is not shown');
      continue;
    }
    out.set(user, hash as string);
  }
  return out;
}

/**
 * Parse and validate a web config file's text. `source` (the file's path) names it in messages
 * and anchors relative file names. Throws ExporterError WEB_CONFIG listing every problem, one per
 * line; messages never include a password hash or an inline key.
 */
export function parseWebConfig(text: string, source: string): WebConfig {
  let raw: unknown = null;
  try {
    // js-yaml 5 refuses a document with no content; an empty file is valid here.
    if (text.split('\n').some((line) => !/^\s*(#.*)?$/.test(line))) raw = load(text, { schema: CORE_SCHEMA });
  } catch (e) {
    // js-yaml's message quotes the offending lines, which may hold a key or a hash: keep the position only.
    const mark = e instanceof YAMLException ? e.mark : undefined;
    const where = mark ? `:${mark.line + 1}:${mark.column + 1}` : '';
    const reason = e instanceof YAMLException ? e.reason : 'not valid YAML';
    throw new ExporterError('WEB_CONFIG', `${source}${where}: ${reason}`, { cause: e });
  }
  // An empty file means "no TLS, no auth", as in exporter-toolkit.
  if (raw === undefined || raw === null) return Object.freeze({ users: new Map(), headers: Object.freeze({}) });
  const p = new Problems();
  if (!isRec(raw)) throw new ExporterError('WEB_CONFIG', `${source}: expected a mapping with ${TOP_KEYS.join(', ')}, got ${kind(raw)}`);
  p.keys(raw, TOP_KEYS, '');
  const dir = dirname(resolve(source));
  let tls: WebTlsConfig | undefined;
  if (raw.tls_server_config !== undefined && raw.tls_server_config !== null) {
    if (isRec(raw.tls_server_config)) tls = tlsConfig(p, raw.tls_server_config, dir);
    else p.add('tls_server_config', `expected a mapping, got ${kind(raw.tls_server_config)}`);
  }
  let extra: Record<string, string> = {};
  if (raw.http_server_config !== undefined && raw.http_server_config !== null) {
    if (isRec(raw.http_server_config)) extra = headers(p, raw.http_server_config);
    else p.add('http_server_config', `expected a mapping, got ${kind(raw.http_server_config)}`);
  }
  const u = users(p, raw.basic_auth_users);
  if (p.list.length > 0) throw new ExporterError('WEB_CONFIG', p.list.map((l) => `${source}: ${l}`).join('\n'));
  return Object.freeze({ ...(tls ? { tls: Object.freeze(tls) } : {}), users: u, headers: Object.freeze(extra) });
}
