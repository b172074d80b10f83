/**
 * The memory floor under a load: the peak RSS of a process that only JSON-parses the frames the
 * bench's /metrics run sends the exporter, with every runtime dependency of the exporter loaded
 * and express serving prom-client's default metrics (bench/ceiling-child.ts, `with-deps`), on the
 * exporter's Node flags. The simulator sends N symbols' trade and bookTicker streams at R trades a
 * second in all, as that run does (`--big-symbols N --metrics-rate R`), on one connection where
 * the exporter opens one per 1,024 streams; the peak is taken from when the flow starts, as the
 * exporter's is. What the exporter holds beyond it at the same load is its own: its series, their
 * text, windows and indicators, and the scrape.
 *
 *   node dist/bench/rss-floor.js [symbols=1000] [trades per second=20000] [seconds=45]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';
import { benchStreams } from './config.js';
import { Sim } from './harness.js';
import type { CeilingCount } from './ipc.js';
import { FULL } from './options.js';
import { statusBytes } from './peak-rss.js';
import { Proc } from './procs.js';

export interface FloorReport {
  symbols: number;
  /** Frames a second offered: trades and book tickers. */
  offeredFps: number;
  seconds: number;
  framesParsed: number;
  peakRssMiB: number;
  /** At the end: anonymous memory and file pages, MiB. */
  anonMiB: number;
  fileMiB: number;
}

const MIB = 2 ** 20;
const CHANNELS = ['trade', 'bookTicker'];

export async function measureFloor(symbols: number, tradesPerS: number, seconds: number): Promise<FloorReport> {
  const dir = mkdtempSync(join(tmpdir(), 'rss-floor-'));
  const sim = await Sim.start(symbols, FULL.tickMs);
  let child: Proc | undefined;
  try {
    const streamsFile = join(dir, 'streams.txt');
    writeFileSync(streamsFile, benchStreams(symbols, CHANNELS).join('\n'));
    child = Proc.start('floor', 'bench/ceiling-child', [sim.wsUrl, streamsFile, 'with-deps'], { ipc: true, nodeArgs: NODE_FLAGS });
    await child.ready();
    await sim.settle(symbols * CHANNELS.length, 1);
    await sim.rate(tradesPerS / symbols);
    const a = await child.request<CeilingCount>('count');
    // The peak from here on, as the exporter's is reset when its live flow starts.
    writeFileSync(`/proc/${child.pid}/clear_refs`, '5');
    await sleep(seconds * 1000);
    const b = await child.request<CeilingCount>('count');
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    await sim.rate(0);
    const mib = (field: string): number => {
      const bytes = statusBytes(status, field);
      if (bytes !== bytes) throw new Error(`/proc/${child!.pid}/status has no ${field} line: the floor needs Linux`);
      return bytes / MIB;
    };
    return {
      symbols,
      offeredFps: tradesPerS * CHANNELS.length,
      seconds,
      framesParsed: b.frames - a.frames,
      peakRssMiB: mib('VmHWM'),
      anonMiB: mib('RssAnon'),
      fileMiB: mib('RssFile'),
    };
  } finally {
    await child?.stop();
    await sim.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(i: number, fallback: number, name: string, integer = false): number {
  const raw = process.argv[i];
  const v = raw === undefined ? fallback : Number(raw);
  if (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    console.error(`rss-floor: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}\nusage: node dist/bench/rss-floor.js [symbols=1000] [trades per second=20000] [seconds=45]`);
    process.exit(2);
  }
  return v;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await measureFloor(arg(2, 1000, 'symbols', true), arg(3, 20_000, 'trades per second'), arg(4, 45, 'seconds'));
  const mib = (x: number) => x.toFixed(0);
  console.log(
    `floor at ${r.symbols} symbols, ${r.offeredFps} frames/s offered, ${r.seconds} s (Node ${process.version}, ${NODE_FLAGS.join(' ')}): ` +
      `peak RSS ${mib(r.peakRssMiB)} MiB; at the end anonymous ${mib(r.anonMiB)} MiB, file pages ${mib(r.fileMiB)} MiB; ${r.framesParsed} frames parsed (${Math.round(r.framesParsed / r.seconds)} a second)`,
  );
  console.log(JSON.stringify(r));
}
