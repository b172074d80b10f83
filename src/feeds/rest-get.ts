/**
 * The one REST call the exporter makes to a venue: a GET of a JSON page (backfill's klines, an
 * order book's snapshot), over node:http and node:https.
 *
 * Not `fetch`: an exporter of 1,000 symbols whose start backfill read its 2,000 kline pages through
 * fetch peaked 16-20 MiB higher in RSS than one that read them here; a bare process that read 500
 * to 6,000 pages stayed 12-31 MiB larger, 12-16 MiB of it outside the JS heap (undici, its streams
 * and decoders, and what malloc keeps of them). bench/rest-footprint.ts; docs/performance.md,
 * nineteenth round.
 *
 * What fetch did that a venue's API relies on is kept: compressed bodies (gzip, deflate, br),
 * redirects (a few), keep-alive (Node's global agents), certificate checks (https' defaults), and
 * an AbortSignal that ends the request at any point, its body included.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { VERSION } from '../version.js';

export interface RestResponse {
  readonly status: number;
  /** The body as text (UTF-8), decompressed. */
  readonly body: string;
  /** A header's value; undefined when absent. */
  header(name: string): string | undefined;
}

/** A GET that `signal` can end at any point. */
export type RestGet = (url: string, signal: AbortSignal) => Promise<RestResponse>;

/** Redirects followed at most, as a browser stops a loop. */
export const MAX_REDIRECTS = 5;
/**
 * A body larger than this is refused: the largest a venue sends the exporter (a 5,000-level book
 * snapshot, a 1,000-bar kline page) is under 1 MiB, and a body without end must not grow the
 * process without bound.
 */
export const MAX_BODY_BYTES = 16 << 20;

const HEADERS = { accept: '*/*', 'accept-encoding': 'gzip, deflate, br', 'user-agent': `market-exporter/${VERSION}` };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export const restGet: RestGet = async (url, signal) => {
  let at = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await get(at, signal);
    const location = res.location;
    if (location === undefined) return res;
    if (hop === MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
    at = new URL(location, at);
  }
};

/** One request; a redirect's response has `location` set and no body read. */
function get(url: URL, signal: AbortSignal): Promise<RestResponse & { location?: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
  if (!request) return Promise.reject(new Error(`unsupported protocol ${url.protocol} in ${url.href}: http: or https: only`));
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    let res: IncomingMessage | undefined;
    const fail = (e: Error) => {
      signal.removeEventListener('abort', abort);
      req.destroy();
      res?.destroy();
      reject(e);
    };
    // The signal's reason (a timeout, a stop), not the socket's "aborted".
    const abort = () => fail(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    signal.addEventListener('abort', abort, { once: true });
    const req = request(url, { headers: HEADERS }, (r) => {
      res = r;
      const status = r.statusCode ?? 0;
      const header = (name: string): string | undefined => {
        const v = r.headers[name.toLowerCase()];
        return Array.isArray(v) ? v.join(', ') : v;
      };
      const location = REDIRECTS.has(status) ? r.headers.location : undefined;
      if (location !== undefined) {
        r.resume();
        signal.removeEventListener('abort', abort);
        return resolve({ status, body: '', header, location });
      }
      const encoding = (r.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const decoder =
        encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
      if (!decoder && encoding !== 'identity') return fail(new Error(`unsupported content-encoding "${encoding}" from ${url.href}`));
      const body = decoder ? r.pipe(decoder) : r;
      if (decoder) r.on('error', (e) => decoder.destroy(e));
      const chunks: Buffer[] = [];
      let size = 0;
      body.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) return fail(new Error(`response body over ${MAX_BODY_BYTES} bytes from ${url.href}`));
        chunks.push(c);
      });
      body.on('error', fail);
      body.on('end', () => {
        signal.removeEventListener('abort', abort);
        resolve({ status, body: Buffer.concat(chunks, size).toString('utf8'), header });
      });
      // A connection closed before the body ended has no 'end' and, decoded, maybe no error.
      r.on('close', () => !r.complete && fail(new Error(`connection closed before the response from ${url.href} ended`)));
    });
    req.on('error', fail);
    req.end();
  });
}
