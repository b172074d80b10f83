/**
 * What reading REST pages leaves in a process's RSS: N Binance kline pages (500 bars each, ~51 kB,
 * what a start backfill asks for per symbol and interval), 4 in flight as the backfill runs them
 * (src/backfill/runner.ts), read by the exporter's client (src/feeds/rest-get.ts) and by `fetch`,
 * each in a process of its own with the exporter's V8 flags, from a server in this one.
 *
 *   node dist/bench/rest-footprint.js [pages=2000] [rounds=2]
 *
 * Prints, per client and round, RSS before the first request, its peak while reading, and 2 s
 * after the last; and the heap's share of it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IN_FLIGHT } from '../src/backfill/runner.js';
import { restGet } from '../src/feeds/rest-get.js';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';

const CLIENTS = ['rest-get', 'fetch'] as const;
type Client = (typeof CLIENTS)[number];
const MiB = 1 << 20;
const mib = (n: number) => Math.round((n / MiB) * 10) / 10;

interface Footprint {
  client: Client;
  beforeMiB: number;
  peakMiB: number;
  afterMiB: number;
  heapMiB: number;
}

/** The child: read `pages` pages of `url` with `client`, then report on stdout. */
async function child(client: Client, url: string, pages: number): Promise<void> {
  const read: (u: string) => Promise<string> =
    client === 'fetch' ? (u) => fetch(u, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text()) : (u) => restGet(u, AbortSignal.timeout(10_000)).then((r) => r.body);
  await new Promise((r) => setTimeout(r, 300));
  const before = process.memoryUsage().rss;
  let peak = before;
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < pages) {
        next++;
        // Parsed as the backfill parses it: the page's objects are garbage once its bars are taken.
        if (!Array.isArray(JSON.parse(await read(url)))) throw new Error('not a kline page');
        peak = Math.max(peak, process.memoryUsage().rss);
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 2000));
  const m = process.memoryUsage();
  const out: Footprint = { client, beforeMiB: mib(before), peakMiB: mib(Math.max(peak, m.rss)), afterMiB: mib(m.rss), heapMiB: mib(m.heapTotal) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function page(): string {
  const t0 = Date.UTC(2026, 0, 1);
  return JSON.stringify(
    Array.from({ length: 500 }, (_, i) => [t0 + i * 60_000, '100.10', '101.20', '99.30', '100.40', '12.5', t0 + i * 60_000 + 59_999, '1250.0', 42, '6.1', '610.0', '0']),
  );
}

async function main(pages: number, rounds: number): Promise<void> {
  const body = page();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/klines`;
  const rows: Footprint[] = [];
  for (let r = 0; r < rounds; r++)
    for (const client of CLIENTS) {
      const p = spawn(process.execPath, [...NODE_FLAGS, process.argv[1]!, '--child', client, url, String(pages)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      const [code] = (await once(p, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`${client}: the child exited with ${code}`);
      rows.push(JSON.parse(out) as Footprint);
    }
  server.close();
  console.log(`${pages} pages of ${body.length} bytes, ${IN_FLIGHT} in flight, Node ${process.version}, ${NODE_FLAGS.join(' ')}\n`);
  console.log('| Client | RSS before | Peak | 2 s after | Of which JS heap |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const f of rows) console.log(`| ${f.client} | ${f.beforeMiB} MiB | ${f.peakMiB} MiB | ${f.afterMiB} MiB | ${f.heapMiB} MiB |`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] as Client, args[2]!, Number(args[3]));
else await main(Number(args[0] ?? 2000), Number(args[1] ?? 2));
