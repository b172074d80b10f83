/**
 * Two builds' renderers side by side in one process: the same market (render-workload.ts) built
 * from each checkout's modules, scraped in turns, so both run on the same machine in the same
 * seconds. On this shared 2-core machine a change of a few percent drowns in the noise between
 * separate runs (render-micro.ts' medians move by a third from run to run); taken in turns, the
 * two builds' medians move together.
 *
 *   node dist/bench/render-ab.js A B [symbols=10000] [repeats=15]
 *
 * A and B are checkouts (directories holding package.json). Each one's built `dist/src` is
 * loaded, or its `src` when run with `--import tsx` and no build is there. Each repeat times a
 * plain (not gzipped) render of every symbol after every symbol traded, then after every
 * symbol's bars closed, A first on even repeats and B first on odd ones. Prints each build's
 * medians and B's as a share of A's, and whether both printed every symbol's lines alike.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OutputBuffer } from '../src/metrics/out-buffer.js';
import type { ALL_GROUPS, renderMarketChunks } from '../src/metrics/render.js';
import { median } from './stats.js';
import { renderWorkload, type MarketModules, type RenderWorkload } from './render-workload.js';

interface Build {
  workload: RenderWorkload;
  /** Every symbol's lines as text. */
  lines(): string[];
  /** A render, its bytes dropped: what is timed. */
  render(): void;
  traded: number[];
  closed: number[];
}

/** A module of a checkout: its build's if there is one, else its source (under tsx). */
async function load<T>(root: string, rel: string): Promise<T> {
  const built = path.join(root, 'dist', 'src', `${rel}.js`);
  const file = existsSync(built) ? built : path.join(root, 'src', `${rel}.ts`);
  if (!existsSync(file)) throw new Error(`${root}: neither dist/src/${rel}.js nor src/${rel}.ts (is it a built checkout?)`);
  return (await import(pathToFileURL(file).href)) as T;
}

async function build(root: string, symbols: number): Promise<Build> {
  if (!existsSync(path.join(root, 'package.json'))) throw new Error(`${root}: not a checkout (no package.json)`);
  const market: MarketModules = {
    ...(await load<Pick<MarketModules, 'FeedState'>>(root, 'market/feed-state')),
    ...(await load<Pick<MarketModules, 'DEFAULT_INDICATORS'>>(root, 'config/defaults')),
  };
  const { OutputBuffer: Output } = await load<{ OutputBuffer: typeof OutputBuffer }>(root, 'metrics/out-buffer');
  const render = await load<{ ALL_GROUPS: typeof ALL_GROUPS; renderMarketChunks: typeof renderMarketChunks }>(root, 'metrics/render');
  const workload = renderWorkload(symbols, market);
  // One output buffer kept from scrape to scrape, as the exporter keeps it.
  const output = new Output();
  const alloc = (size: number): Buffer => {
    const lease = output.take(size);
    lease.release();
    return lease.buf;
  };
  const chunks = () => render.renderMarketChunks(workload.feeds, workload.self, alloc, render.ALL_GROUPS) as Iterable<string | Uint8Array>;
  const decoder = new TextDecoder();
  return {
    workload,
    lines: () => {
      const out: string[] = [];
      for (const chunk of chunks()) out.push(...(typeof chunk === 'string' ? chunk : decoder.decode(chunk)).split('\n').filter((l) => l.includes('symbol="')));
      return out;
    },
    render: () => {
      for (const chunk of chunks()) void chunk;
    },
    traded: [],
    closed: [],
  };
}

const [a, b] = process.argv.slice(2, 4);
if (!a || !b) {
  console.error('usage: render-ab A B [symbols=10000] [repeats=15]   (A, B: checkouts, built)');
  process.exit(2);
}
const symbols = Number(process.argv[4] ?? 10_000);
const repeats = Number(process.argv[5] ?? 15);
const builds = [await build(path.resolve(a), symbols), await build(path.resolve(b), symbols)];

const timed = (x: Build): number => {
  const t0 = performance.now();
  x.render();
  return performance.now() - t0;
};

// From the start of a minute: a trade within it leaves the bars as they were, the next minute's closes them.
let minute = Math.ceil(Date.now() / 60_000) * 60_000;
const first = builds.map((x) => {
  x.workload.trade(minute);
  return x.lines();
});
for (let k = 0; k < repeats; k++) {
  const order = k % 2 === 0 ? builds : [...builds].reverse();
  for (const x of order) {
    x.workload.trade(minute + 1000 + k);
    x.traded.push(timed(x));
  }
  minute += 60_000;
  for (const x of order) {
    x.workload.trade(minute);
    x.closed.push(timed(x));
  }
}
const last = builds.map((x) => x.lines());
const differ = (p: string[], q: string[]) => p.length !== q.length || p.some((l, i) => l !== q[i]);
const same = !differ(first[0]!, first[1]!) && !differ(last[0]!, last[1]!);

const f = (ms: number) => ms.toFixed(1);
const [ta, tb] = builds.map((x) => median(x.traded));
const [ca, cb] = builds.map((x) => median(x.closed));
console.log(`${symbols} symbols, Node ${process.version}, medians of ${repeats} in turns (plain render, ms):`);
console.log(`A ${path.resolve(a)}: every symbol traded ${f(ta!)}; every symbol's bars closed ${f(ca!)}`);
console.log(`B ${path.resolve(b)}: every symbol traded ${f(tb!)}; every symbol's bars closed ${f(cb!)}`);
console.log(`B / A: traded ${((100 * tb!) / ta!).toFixed(1)}%; bars closed ${((100 * cb!) / ca!).toFixed(1)}%`);
console.log(`same lines for every symbol: ${same ? 'yes' : 'NO'} (${last[0]!.length} lines)`);
if (!same) process.exitCode = 1;
