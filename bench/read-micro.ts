/**
 * What reading one scrape costs the harness that times it, alone: a child process serves N MiB
 * over loopback HTTP in 64 kB writes (as the exporter sends an exposition), and this process
 * reads it `repeats` times, either as the bench now does (`reader`: ScrapeReader, one buffer kept
 * from read to read) or the old way (`held`: every chunk held, then joined). Prints wall time and
 * this process's CPU (user + system) per read; the first read includes sizing the memory. One
 * way per process, so neither pays for the other's garbage.
 *
 *   node --import tsx bench/read-micro.ts [mib=49] [repeats=6] [reader|held]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median } from './stats.js';
import { ScrapeReader } from './scrape-reader.js';

const PIECE = 65_536;

if (process.argv[2] === 'serve') {
  const body = Buffer.alloc(Number(process.argv[3]) * 2 ** 20, 'x');
  const server = createServer((_req, res) => {
    res.writeHead(200);
    let at = 0;
    const more = (): void => {
      while (at < body.length) {
        const ok = res.write(body.subarray(at, (at += PIECE)));
        if (!ok) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
} else {
  const mib = Number(process.argv[2] ?? 49);
  const repeats = Number(process.argv[3] ?? 6);
  const child = fork(process.argv[1]!, ['serve', String(mib)], { execArgv: process.execArgv });
  const [port] = (await once(child, 'message')) as [number];
  const url = `http://127.0.0.1:${port}/`;
  const held = (): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
  const way = process.argv[4] ?? 'reader';
  if (way !== 'reader' && way !== 'held') throw new Error(`way must be reader or held, got ${way}`);
  const reader = new ScrapeReader();
  const read = way === 'held' ? held : () => reader.get(url);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const body = await read();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (body.length !== mib * 2 ** 20) throw new Error(`${way}: read ${body.length} bytes of ${mib * 2 ** 20}`);
  }
  child.kill();
  const list = (xs: number[]) => `${xs.map((x) => x.toFixed(0)).join(', ')} ms (median ${median(xs).toFixed(0)})`;
  console.log(`${way}: ${mib} MiB, wall ${list(wall)}, CPU ${list(cpu)}`);
}
