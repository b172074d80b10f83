/**
 * The exporter under test, in its own process: the same startService the CLI calls, plus an
 * apply probe (arrival-to-metrics latency), an event-loop stall monitor and memory figures (peak
 * RSS as the kernel keeps it, bench/peak-rss.ts), read by the harness over IPC.
 * Usage (spawned by the harness): exporter-child.js CONFIG_FILE
 */
import { createHistogram, monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/load.js';
import { startService } from '../src/service.js';
import type { ExporterCounters, ExporterRequest, LatencyStats, MemoryStats, Reply } from './ipc.js';
import { peakRss, resetPeakRss } from './peak-rss.js';

const file = process.argv[2];
if (!file || !process.send) {
  process.stderr.write('usage: exporter-child CONFIG_FILE (spawned with an IPC channel)\n');
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);

const config = loadConfig(file);
const service = await startService(config, { listen: '127.0.0.1:0', logLevel: 'warn' });
const exporter = service.exporter;

// Latency in nanoseconds: the histogram records integers, and sub-microsecond detail is noise.
const latency = createHistogram();
let merged = 0;
let firstArrival = Infinity;
let lastArrival = -Infinity;
let lastApplied = -Infinity;
// Off until asked for: the throughput runs measure the exporter without it.
const probe = (arrivedAt: number) => {
  const now = performance.now();
  lastApplied = now;
  if (arrivedAt !== arrivedAt) {
    merged++;
    return;
  }
  if (arrivedAt < firstArrival) firstArrival = arrivedAt;
  if (arrivedAt > lastArrival) lastArrival = arrivedAt;
  latency.record(Math.max(1, Math.round((now - arrivedAt) * 1e6)));
};

let stall: IntervalHistogram | undefined;

function counters(): ExporterCounters {
  const cpu = process.cpuUsage();
  const c: ExporterCounters = { t: performance.now(), cpuUs: cpu.user + cpu.system, messages: 0, trades: 0, conflated: 0, errors: 0, seqGaps: 0, lateTrades: 0, queueDepth: exporter.queueDepth };
  for (const f of exporter.states().values()) {
    c.messages += f.messages;
    c.conflated += f.conflated;
    for (const n of Object.values(f.errors)) c.errors += n;
    for (const s of f.symbols.values()) {
      c.trades += s.trades;
      c.seqGaps += s.seqCounts.gaps;
      c.lateTrades += s.lateTrades;
    }
  }
  return c;
}

function latencyStats(): LatencyStats {
  const ms = (ns: number) => ns / 1e6;
  const n = latency.count;
  return {
    count: n,
    merged,
    p50Ms: n ? ms(latency.percentile(50)) : NaN,
    p99Ms: n ? ms(latency.percentile(99)) : NaN,
    maxMs: n ? ms(latency.max) : NaN,
    spanMs: Number.isFinite(firstArrival) ? lastApplied - firstArrival : NaN,
    arrivalSpanMs: Number.isFinite(firstArrival) ? lastArrival - firstArrival : NaN,
  };
}

function memory(): MemoryStats {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, peakRssBytes: Math.max(peakRss(), m.rss) };
}

async function handle(req: ExporterRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'counters':
      return counters();
    case 'probe-on':
      exporter.setApplyProbe(probe);
      return null;
    case 'probe-off':
      exporter.setApplyProbe(undefined);
      return null;
    case 'latency-reset':
      latency.reset();
      merged = 0;
      firstArrival = Infinity;
      lastArrival = lastApplied = -Infinity;
      return null;
    case 'latency':
      return latencyStats();
    case 'stall-start':
      stall?.disable();
      // 1 ms sampling: the longest delay it reports is the longest the loop was blocked.
      stall = monitorEventLoopDelay({ resolution: 1 });
      stall.enable();
      return null;
    case 'stall-stop': {
      if (!stall) return NaN;
      stall.disable();
      const max = stall.count ? stall.max / 1e6 : 0;
      stall = undefined;
      return max;
    }
    case 'memory-reset':
      resetPeakRss();
      return memory();
    case 'memory':
      return memory();
    case 'stop':
      await service.stop();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (req: ExporterRequest) => {
  handle(req).then(
    (result) => send({ id: req.id, ok: true, result } satisfies Reply),
    (e: unknown) => send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies Reply),
  );
});
// The harness is the parent: if it goes, so does this process.
process.on('disconnect', () => process.exit(0));

const deadline = Date.now() + 60_000;
while (!exporter.ready) {
  if (Date.now() > deadline) {
    process.stderr.write('exporter-child: feeds did not connect within 60 s\n');
    process.exit(1);
  }
  await sleep(20);
}
send({ ready: true, url: service.url });
