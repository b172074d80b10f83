/**
 * The /metrics renderer alone, in one process, no sockets: how long one exposition of N warm
 * symbols takes when nothing changed since the last scrape, and when every symbol traded and
 * quoted since (prices, volumes, windows; bars and indicators as they were). The market is
 * render-workload.ts'. Isolates the renderer from ingest and the network, which `npm run bench`
 * measures together.
 *
 * Then what gzip adds (the scrape's Content-Encoding when Prometheus asks, which it always does):
 * compressing that exposition at each candidate level and window, time and size; and whole gzipped scrapes
 * as the exporter makes them, a family at a time with each family's piece kept until one of its
 * lines changes (src/metrics/gzip.ts): when nothing changed, when every symbol traded (bars and
 * indicators as they were) and when every symbol's bars closed.
 *
 *   node --import tsx bench/render-micro.ts [symbols=10000] [repeats=7] [fast]
 *
 * `fast`: the fast lane only (`collect[]=health&collect[]=moves`).
 */
import { gzipSync } from 'node:zlib';
import { OutputBuffer } from '../src/metrics/out-buffer.js';
import { GZIP_LEVEL, GZIP_WINDOW_BITS, GzipJoin } from '../src/metrics/gzip.js';
import { ALL_GROUPS, renderMarketChunks, streamMarket } from '../src/metrics/render.js';
import { renderWorkload } from './render-workload.js';
import { median } from './stats.js';

const n = Number(process.argv[2] ?? 10_000);
const repeats = Number(process.argv[3] ?? 7);
const groups = process.argv[4] === 'fast' ? new Set(['health', 'moves'] as const) : ALL_GROUPS;
const { feeds, self, trade } = renderWorkload(n);

// One output buffer kept from scrape to scrape, as streamMarket keeps it (out-buffer.ts): a fresh
// 50 MB one per scrape made "nothing changed" three times slower than "every symbol traded" here,
// from page faults and collections a running exporter does not have.
const output = new OutputBuffer();
const alloc = (size: number): Buffer => {
  const lease = output.take(size);
  lease.release();
  return lease.buf;
};

function scrape(keep?: Buffer[]): { ms: number; bytes: number } {
  const t0 = performance.now();
  let bytes = 0;
  // A string piece is encoded on its way to the socket: that is part of its cost.
  for (const chunk of renderMarketChunks(feeds, self, alloc, groups) as Iterable<string | Uint8Array>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytes += b.length;
    // Copied: the renderer reuses its buffer for the next piece.
    keep?.push(Buffer.from(b));
  }
  return { ms: performance.now() - t0, bytes };
}

const first = scrape();
const unchanged: number[] = [];
const changed: number[] = [];
for (let k = 0; k < repeats; k++) {
  unchanged.push(scrape().ms);
  trade(Date.now());
  changed.push(scrape().ms);
}
const f = (x: number) => x.toFixed(1);
console.log(`${n} symbols${groups === ALL_GROUPS ? '' : ', fast lane'}, ${(first.bytes / 2 ** 20).toFixed(1)} MiB, Node ${process.version}: first scrape ${f(first.ms)} ms; ` +
  `nothing changed: median ${f(median(unchanged))} ms; every symbol traded: median ${f(median(changed))} ms (medians of ${repeats})`);

const body: Buffer[] = [];
scrape(body);
const text = Buffer.concat(body);
// The shipped level and window (gzip.ts), then zlib's default window and higher levels.
for (const [level, windowBits] of [[GZIP_LEVEL, GZIP_WINDOW_BITS], [1, 15], [3, 15], [6, 15]] as const) {
  const ms: number[] = [];
  let size = 0;
  for (let k = 0; k < Math.min(repeats, 3); k++) {
    const t0 = performance.now();
    size = gzipSync(text, { level, windowBits }).length;
    ms.push(performance.now() - t0);
  }
  console.log(
    `gzip level ${level}, window 2^${windowBits}: ${f(median(ms))} ms, ${(text.length / 2 ** 20).toFixed(1)} -> ${(size / 2 ** 20).toFixed(2)} MiB (${(text.length / size).toFixed(1)}x)`,
  );
}

/**
 * A gzipped scrape as the exporter serves it, to the last piece; no yields to an event loop that
 * has nothing else to do. `mainMs`: how much of it the main thread worked (the rest it waited for
 * zlib on the thread pool): what a scrape takes from ingest in the exporter.
 */
async function gzipScrape(): Promise<{ ms: number; mainMs: number; bytes: number }> {
  const join = new GzipJoin();
  let bytes = join.start().length;
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  await streamMarket(feeds, self, (chunk) => void (bytes += chunk.length), { groups, gzip: join, sliceMs: Infinity });
  bytes += join.end().length;
  return { ms: performance.now() - t0, mainMs: performance.eventLoopUtilization(elu).active, bytes };
}
// From the start of a minute: trades within it leave the bars as they were, the next minute's close them.
let minute = Math.ceil(Date.now() / 60_000) * 60_000;
trade(minute);
await gzipScrape();
const kept: { ms: number; mainMs: number }[] = [];
const traded: { ms: number; mainMs: number }[] = [];
const closed: { ms: number; mainMs: number }[] = [];
let gz = 0;
for (let k = 0; k < Math.min(repeats, 5); k++) {
  kept.push(await gzipScrape());
  trade(minute + 1000);
  traded.push(await gzipScrape());
  trade((minute += 60_000));
  const c = await gzipScrape();
  closed.push(c);
  gz = c.bytes;
}
const both = (runs: { ms: number; mainMs: number }[]) => `${f(median(runs.map((r) => r.ms)))} ms (main thread ${f(median(runs.map((r) => r.mainMs)))})`;
console.log(
  `gzipped as served, a family at a time (${(gz / 2 ** 20).toFixed(2)} MiB): nothing changed ${both(kept)}; ` +
    `every symbol traded, bars as they were ${both(traded)}; every symbol's bars closed ${both(closed)} (medians of ${kept.length})`,
);
