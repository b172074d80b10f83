/**
 * Two builds' renderers side by side in one process: the same market (render-workload.ts) built
 * from each checkout's modules, scraped in turns, so both run on the same machine in the same
 * seconds. On this shared 2-core machine a change of a few percent drowns in the noise between
 * separate runs (render-micro.ts' medians move by a third from run to run); taken in turns, the
 * two builds' medians move together.
 *
 *   node dist/bench/render-ab.js A B [symbols=10000] [repeats=15] [--gzip] [--fast]
 *
 * A and B are checkouts (directories holding package.json). Each one's built `dist/src` is
 * loaded, or its `src` when run with `--import tsx` and no build is there. Each repeat times a
 * plain (not gzipped) render of every symbol after every symbol traded, then after every
 * symbol's bars closed, A first on even repeats and B first on odd ones. Prints each build's
 * medians and B's as a share of A's, and whether both printed every symbol's lines alike.
 *
 * `--gzip`: each scrape as the exporter serves Prometheus instead (streamMarket, gzipped, no
 * yields to an event loop that has nothing else to do), timed to its last piece, with how much of
 * it the main thread worked (the rest it waited for zlib on the thread pool). Each build's gzipped
 * body must also hold the lines of its plain render. `--fast`: the fast lane's families only
 * (`collect[]=health&collect[]=moves`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { GzipJoin } from '../src/metrics/gzip.js';
import type { OutputBuffer } from '../src/metrics/out-buffer.js';
import type { ALL_GROUPS, renderMarketChunks, streamMarket } from '../src/metrics/render.js';
import { median } from './stats.js';
import { renderWorkload, type MarketModules, type RenderWorkload } from './render-workload.js';

/** A timed scrape: to its last byte, and the main thread's work in it. */
interface Timing {
  ms: number;
  mainMs: number;
}

interface Build {
  workload: RenderWorkload;
  /** Every symbol's lines as text (a plain render). */
  lines(): string[];
  /** A scrape, its bytes dropped: what is timed. */
  scrape(): Promise<Timing>;
  /** Every symbol's lines of a gzipped scrape's body, inflated; throws if it does not inflate. */
  gzippedLines(): Promise<string[]>;
  traded: Timing[];
  closed: Timing[];
}

interface Mode {
  gzip: boolean;
  fast: boolean;
}

const symbolLines = (text: string): string[] => text.split('\n').filter((l) => l.includes('symbol="'));

/** A module of a checkout: its build's if there is one, else its source (under tsx). */
async function load<T>(root: string, rel: string): Promise<T> {
  const built = path.join(root, 'dist', 'src', `${rel}.js`);
  const file = existsSync(built) ? built : path.join(root, 'src', `${rel}.ts`);
  if (!existsSync(file)) throw new Error(`${root}: neither dist/src/${rel}.js nor src/${rel}.ts (is it a built checkout?)`);
  return (await import(pathToFileURL(file).href)) as T;
}

async function build(root: string, symbols: number, mode: Mode, now: number): Promise<Build> {
  if (!existsSync(path.join(root, 'package.json'))) throw new Error(`${root}: not a checkout (no package.json)`);
  const market: MarketModules = {
    ...(await load<Pick<MarketModules, 'FeedState'>>(root, 'market/feed-state')),
    ...(await load<Pick<MarketModules, 'DEFAULT_INDICATORS'>>(root, 'config/defaults')),
  };
  const { OutputBuffer: Output } = await load<{ OutputBuffer: typeof OutputBuffer }>(root, 'metrics/out-buffer');
  const render = await load<{ ALL_GROUPS: typeof ALL_GROUPS; renderMarketChunks: typeof renderMarketChunks; streamMarket: typeof streamMarket }>(
    root,
    'metrics/render',
  );
  const { GzipJoin: Join } = mode.gzip ? await load<{ GzipJoin: typeof GzipJoin }>(root, 'metrics/gzip') : {};
  const groups = mode.fast ? new Set(['health', 'moves'] as const) : render.ALL_GROUPS;
  const workload = renderWorkload(symbols, market, now);
  // One output buffer kept from scrape to scrape, as the exporter keeps it.
  const output = new Output();
  const alloc = (size: number): Buffer => {
    const lease = output.take(size);
    lease.release();
    return lease.buf;
  };
  const chunks = () => render.renderMarketChunks(workload.feeds, workload.self, alloc, groups) as Iterable<string | Uint8Array>;
  const decoder = new TextDecoder();
  /** A gzipped scrape as served; `keep` gets its bytes. */
  const gzipped = async (keep?: Buffer[]): Promise<Timing> => {
    const join = new Join!();
    keep?.push(Buffer.from(join.start()));
    const elu = performance.eventLoopUtilization();
    const t0 = performance.now();
    await render.streamMarket(workload.feeds, workload.self, (chunk) => void keep?.push(Buffer.from(chunk)), { groups, gzip: join, sliceMs: Infinity });
    keep?.push(Buffer.from(join.end()));
    return { ms: performance.now() - t0, mainMs: performance.eventLoopUtilization(elu).active };
  };
  return {
    workload,
    lines: () => {
      // Joined before it is split: a chunk may end inside a line.
      let text = '';
      for (const chunk of chunks()) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk);
      return symbolLines(text);
    },
    scrape: async () => {
      if (mode.gzip) return gzipped();
      const t0 = performance.now();
      for (const chunk of chunks()) void chunk;
      const ms = performance.now() - t0;
      return { ms, mainMs: ms };
    },
    gzippedLines: async () => {
      const body: Buffer[] = [];
      await gzipped(body);
      return symbolLines(gunzipSync(Buffer.concat(body)).toString('utf8'));
    },
    traded: [],
    closed: [],
  };
}

const USAGE = 'usage: render-ab A B [symbols=10000] [repeats=15] [--gzip] [--fast]   (A, B: checkouts, built)';
const args = process.argv.slice(2);
const flags = args.filter((x) => x.startsWith('--'));
const [a, b, symbolsArg, repeatsArg] = args.filter((x) => !x.startsWith('--'));
const unknown = flags.filter((x) => x !== '--gzip' && x !== '--fast');
if (!a || !b || unknown.length > 0) {
  console.error(unknown.length > 0 ? `render-ab: unknown option ${unknown.join(', ')}\n${USAGE}` : USAGE);
  process.exit(2);
}
const mode: Mode = { gzip: flags.includes('--gzip'), fast: flags.includes('--fast') };
const symbols = Number(symbolsArg ?? 10_000);
const repeats = Number(repeatsArg ?? 15);
// One history for both: built one after the other, seconds apart at 10k symbols.
const now = Date.now();
const builds = [await build(path.resolve(a), symbols, mode, now), await build(path.resolve(b), symbols, mode, now)];

// From the start of a minute: a trade within it leaves the bars as they were, the next minute's closes them.
let minute = Math.ceil(Date.now() / 60_000) * 60_000;
const first = builds.map((x) => {
  x.workload.trade(minute);
  return x.lines();
});
// Each build's first scrape makes its lines and pieces; not timed.
for (const x of builds) await x.scrape();
for (let k = 0; k < repeats; k++) {
  const order = k % 2 === 0 ? builds : [...builds].reverse();
  for (const x of order) {
    x.workload.trade(minute + 1000 + k);
    x.traded.push(await x.scrape());
  }
  minute += 60_000;
  for (const x of order) {
    x.workload.trade(minute);
    x.closed.push(await x.scrape());
  }
}
const last = builds.map((x) => x.lines());
let same = true;
/** Whether two texts' lines agree; if not, says where they first differ. */
const agree = (what: string, p: string[], q: string[]): boolean => {
  const at = p.findIndex((l, i) => l !== q[i]);
  if (at < 0 && p.length === q.length) return true;
  const i = at < 0 ? p.length : at;
  console.log(`${what} differ at line ${i} of ${p.length} and ${q.length}:\n  ${p[i] ?? '(none)'}\n  ${q[i] ?? '(none)'}`);
  return (same = false);
};
agree("A's and B's lines before the first scrape", first[0]!, first[1]!);
agree("A's and B's lines after the last", last[0]!, last[1]!);
// Gzipped, each build's body as served must hold the lines its plain render printed.
if (mode.gzip)
  for (const [i, name] of ['A', 'B'].entries()) {
    try {
      agree(`${name}'s gzipped body and plain render`, await builds[i]!.gzippedLines(), last[i]!);
    } catch (err) {
      console.log(`${name}: its gzipped body does not inflate: ${(err as Error).message}`);
      same = false;
    }
  }

const f = (ms: number) => ms.toFixed(1);
const pct = (x: number, y: number) => `${((100 * x) / y).toFixed(1)}%`;
const med = (ts: Timing[], key: keyof Timing) => median(ts.map((t) => t[key]));
const what = `${mode.gzip ? 'gzipped as served' : 'plain render'}${mode.fast ? ', fast lane' : ''}`;
console.log(`${symbols} symbols, Node ${process.version}, medians of ${repeats} in turns (${what}, ms):`);
const show = (x: Build, key: 'traded' | 'closed') => f(med(x[key], 'ms')) + (mode.gzip ? ` (main thread ${f(med(x[key], 'mainMs'))})` : '');
for (const [name, root, x] of [['A', a, builds[0]!], ['B', b, builds[1]!]] as const)
  console.log(`${name} ${path.resolve(root)}: every symbol traded ${show(x, 'traded')}; every symbol's bars closed ${show(x, 'closed')}`);
const share = (key: 'traded' | 'closed') =>
  pct(med(builds[1]![key], 'ms'), med(builds[0]![key], 'ms')) + (mode.gzip ? ` (main thread ${pct(med(builds[1]![key], 'mainMs'), med(builds[0]![key], 'mainMs'))})` : '');
console.log(`B / A: traded ${share('traded')}; bars closed ${share('closed')}`);
console.log(`same lines for every symbol: ${same ? 'yes' : 'NO'} (${last[0]!.length} lines)`);
if (!same) process.exitCode = 1;
