/**
 * Basic auth against bcrypt hashes, as exporter-toolkit does it: an unknown user is checked
 * against a fixed hash so timing does not tell which users exist; results are cached per
 * (user, hash, password) so a scrape every few seconds does not pay bcrypt each time; and only one
 * bcrypt comparison runs at a time, so a flood of bad passwords cannot take every core.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import bcrypt from 'bcryptjs';

/** exporter-toolkit's decoy: a bcrypt hash (cost 10) of "fakepassword". */
const DECOY_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
/** Cached verdicts; the toolkit keeps 100 as well. Oldest dropped first. */
const CACHE_SIZE = 100;

export interface Credentials {
  user: string;
  password: string;
}

/** Decode an `Authorization: Basic ...` header; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  const m = header ? /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header) : null;
  if (!m) return undefined;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export interface BasicAuthOptions {
  /** Read on every request, so a reloaded web config applies at once. Empty: no auth. */
  users: () => ReadonlyMap<string, string>;
  /** Extra response headers (http_server_config.headers), also read per request. */
  headers?: () => Readonly<Record<string, string>>;
}

/** A verifier with the toolkit's cache and one-at-a-time bcrypt. Exported for tests. */
export class BcryptVerifier {
  private readonly cache = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();

  async verify(users: ReadonlyMap<string, string>, c: Credentials): Promise<boolean> {
    const known = users.get(c.user);
    const hash = known ?? DECOY_HASH;
    // Hashed, so the cache never holds a password in the clear.
    const key = createHash('sha256').update(c.user).update('\0').update(hash).update('\0').update(c.password).digest('hex');
    let ok = this.cache.get(key);
    if (ok === undefined) {
      const run = this.queue.then(() => bcrypt.compare(c.password, hash));
      this.queue = run.catch(() => false);
      ok = await run.catch(() => false);
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, ok);
    }
    return ok && known !== undefined;
  }

  /** Verdicts held (for tests). */
  get cached(): number {
    return this.cache.size;
  }
}

/**
 * Express middleware: sets the configured headers, then lets a request through when no users are
 * configured or its basic-auth credentials match; otherwise 401 with `WWW-Authenticate: Basic`.
 * Covers every path, /metrics and the admin endpoints alike, as exporter-toolkit does.
 */
export function basicAuth(opts: BasicAuthOptions, verifier = new BcryptVerifier()): RequestHandler {
  return (req, res, next) => {
    for (const [k, v] of Object.entries(opts.headers?.() ?? {})) res.setHeader(k, v);
    const users = opts.users();
    if (users.size === 0) return next();
    const creds = parseBasicAuth(req.headers.authorization);
    const refuse = () => {
      res.setHeader('WWW-Authenticate', 'Basic');
      res.status(401).type('text').send('Unauthorized\n');
    };
    if (!creds) return refuse();
    verifier.verify(users, creds).then((ok) => (ok ? next() : refuse()), next);
  };
}
