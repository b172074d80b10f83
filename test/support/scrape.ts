/** Scrape an exporter and read its series: `series.get('market_price{exchange="x",symbol="y"}')`. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants, crc32, gunzipSync, inflateRawSync } from 'node:zlib';

export type Series = Map<string, number>;

/** Parse Prometheus text into `name{labels}` → value (labels as rendered). */
export function parseExposition(text: string): Series {
  const out: Series = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export async function scrape(baseUrl: string): Promise<Series> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`scrape ${baseUrl}: HTTP ${res.status}`);
  return parseExposition(await res.text());
}

/** Scrape until `check` returns a value (not undefined/false), or fail after the deadline. */
export async function scrapeUntil<T>(
  baseUrl: string,
  check: (s: Series) => T | undefined | false,
  what: string,
  { timeoutMs = 10_000, everyMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: Series;
  for (;;) {
    last = await scrape(baseUrl);
    const v = check(last);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) {
      const market = [...last].filter(([k]) => k.startsWith('market_feed')).slice(0, 40);
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; feed series: ${JSON.stringify(market)}`);
    }
    await sleep(everyMs);
  }
}

/** Sum of every series of a metric whose labels contain all the given `k="v"` pairs. */
export function sum(s: Series, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const [key, v] of s) {
    const brace = key.indexOf('{');
    const n = brace < 0 ? key : key.slice(0, brace);
    if (n !== name) continue;
    if (want.every((w) => key.includes(w))) total += v;
  }
  return total;
}

/**
 * What a gzip body decodes to, checked to be one gzip member: the trailer's CRC and length are of
 * everything (with several members they would be the last one's only, and `curl --compressed`
 * would show the first one's).
 */
export function oneMember(body: Buffer): string {
  const text = gunzipSync(body);
  assert.deepEqual([...body.subarray(0, 3)], [0x1f, 0x8b, 8], 'a gzip header');
  assert.equal(body.readUInt32LE(body.length - 8), crc32(text), "the trailer's CRC is of the whole text: one member");
  assert.equal(body.readUInt32LE(body.length - 4), text.length % 2 ** 32);
  return text.toString('utf8');
}

/**
 * What a piece of a gzipped scrape (src/metrics/gzip.ts) holds, inflated on its own: a family's
 * first segment, with its header (named for the family), or the second of a bar or indicator
 * family (`market_bar_close 5m`).
 */
export function pieceFamily(piece: Buffer): string {
  const text = inflateRawSync(piece, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  const second = /^(\w+)\{[^}]*interval="(\w+)"/.exec(text);
  return /^# HELP (\S+)/.exec(text)?.[1] ?? (second ? `${second[1]} ${second[2]}` : '');
}
