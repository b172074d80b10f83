/**
 * The benchmark report: its JSON shape, a check that a report is well formed (the smoke test
 * uses it), and the Markdown table `npm run bench` prints and docs/performance.md carries.
 */
import type { BookBenchReport } from './book.js';
import type { CpuShare } from './cpu-share.js';
import type { FrameWait } from './frame-wait.js';
import type { BenchOptions } from './options.js';

/**
 * One throughput run. `*Fps` are per CPU-second of the consuming process (frames / its user+system
 * CPU time): what one whole core does, whatever else the machine runs. `*WallFps` are as measured.
 */
export interface ThroughputRun {
  /** The parse-only client, while the simulator offered more than it could take. */
  ceilingFps: number;
  ceilingWallFps: number;
  /** Share of one core the ceiling client got (CPU time / wall time). */
  ceilingCpuShare: number;
  /** The simulator dropped none of the ceiling's frames: the generator, not the client, was the limit. */
  ceilingGeneratorBound: boolean;
  /** Frames the exporter received (market_feed_messages_total). */
  exporterFps: number;
  exporterWallFps: number;
  /** Trades that reached metrics (bars, windows, gauges), conflated ones included. */
  exporterAppliedFps: number;
  exporterCpuShare: number;
  exporterConflated: number;
  exporterPeakRssBytes: number;
  /** exporterAppliedFps / ceilingFps. */
  ratio: number;
  /** The same ratio from wall-clock rates (noisy on a shared machine). */
  wallRatio: number;
}

export interface LatencyRun {
  /** Offered frames/s. */
  rate: number;
  /** The exporter's highest RSS while this rate ran (warm-up included). */
  peakRssBytes: number;
  /** Frames/s the exporter received. */
  achievedFps: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyRow {
  rate: number;
  /** rate / the median ceiling. */
  ratioToCeiling: number;
  achievedFps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Highest RSS over the runs at this rate. */
  peakRssBytes: number;
  runs: LatencyRun[];
}

export interface BurstRun {
  framesSent: number;
  /** First frame's arrival to the last event applied. */
  drainMs: number;
  /** First to last frame's arrival. */
  arrivalSpanMs: number;
  p99Ms: number;
  /** Trades that reached metrics (market_trades_total delta): equals framesSent when nothing was lost. */
  tradesApplied: number;
  conflated: number;
  /** Frames lost anywhere: simulator send buffer, exporter drops, never arrived. */
  dropped: number;
}

export interface BurstCase {
  name: string;
  symbols: number;
  queueCapacity: number;
  drainMs: number;
  /** symbols / drain time: how fast a burst is absorbed, frames/s. */
  drainFps: number;
  ratioToCeiling: number;
  conflated: number;
  dropped: number;
  runs: BurstRun[];
}

export interface Scrape {
  /** Request to last byte, measured by the harness. */
  ms: number;
  /** Render time the exporter reported for this scrape (market_exporter_scrape_duration_seconds). */
  renderMs: number;
  /** Longest event-loop delay in the exporter while the scrape ran. */
  stallMs: number;
  bytes: number;
  series: number;
}

export interface MetricsRun {
  /**
   * `production`: the default config (1m/5m bars, default periods), warmed by a backfill, scraped
   * as the shipped prometheus.yml's full job scrapes it (`query`, gzip), every scrapeIntervalS,
   * with its fast-lane job beside it; judged against the targets. `worst-case`: 1 s and 2 s bars, every value
   * changing between scrapes a second apart; reported, not judged.
   */
  kind: 'production' | 'worst-case';
  symbols: number;
  series: number;
  /** Fewest series any symbol had in the last scrape. */
  seriesPerSymbol: number;
  /** Series per symbol the run's config yields when warm (bench/warm.ts). */
  expectedSeriesPerSymbol: number;
  bytes: number;
  ms: number;
  renderMs: number;
  /** Longest stall over every scrape of the run. */
  maxStallMs: number;
  /** Frames/s flowing while it was scraped. */
  loadFps: number;
  scrapeIntervalS: number;
  /** The full job's query string (the fast lane's families left out), as Prometheus sends it. */
  query: string;
  /** The first scrape after the exporter started (it builds the renderer's line cache); not in the medians. */
  firstScrape: Scrape;
  /** Every scrape asked for gzip, as Prometheus does (unless --scrape-plain): `bytes` are as sent, compressed. */
  gzipped: boolean;
  /**
   * How the exporter got warm: a backfill of history, in `seconds`; trades sent, frames the
   * simulator could not send, and what the exporter saw meanwhile: records conflated, sequence
   * gaps, frames dropped as invalid (market_feed_errors_total: hours-old trades must not be), and
   * trades late for a bar its once-a-second idle pass had already closed (a 5m bar
   * closes on the wall clock before the rest of its backfilled minutes arrive; the trades still
   * reach the 1m bars).
   */
  warmup: { seconds: number; backfillMinutes: number; backfillStepS: number; backfillTrades: number; skipped: number; conflated: number; seqGaps: number; errors: number; lateTrades: number };
  /** Seconds of live flow (and scrapes) the memory figures cover: from the load's start to the last scrape. */
  liveS: number;
  rssBytes: number;
  peakRssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  scrapes: Scrape[];
  /**
   * Live frames from the first judged scrape to the last, simulator send → exporter handled, from
   * the exporter's lag histogram (bench/frame-wait.ts): the wait seen from outside, warm.
   */
  wait?: FrameWait;
  /** The same from the first scrape after start (whose slow first render is reported apart). */
  waitFromStart?: FrameWait;
  /**
   * Where the CPU went from the first judged scrape's start to the last's end (`span`), and during
   * the judged scrapes alone (`scrapes`): the exporter's, the load generator's and the harness's
   * (the reader of both jobs) threads, and the machine's.
   */
  cpu?: { span: CpuShare; scrapes: CpuShare };
  /**
   * The fast lane (`/metrics?collect[]=health&collect[]=moves`, what prometheus.yml scrapes every
   * second), scraped on its own 1 s clock from the first full scrape on: its scrapes that started
   * during the judged ones, median and longest, and how many ran past the job's scrape_timeout
   * (Prometheus would have marked the target down). Production run only.
   */
  fast?: { ms: number; maxMs: number; overTimeout: number; timeoutS: number; series: number; bytes: number; scrapes: { ms: number; bytes: number }[] };
}

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export interface BenchReport {
  version: 1;
  createdAt: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAvg1m: number; totalMemBytes: number };
  options: BenchOptions;
  throughput: {
    symbols: number;
    offeredFps: number;
    ceilingFps: number;
    ceilingWallFps: number;
    exporterFps: number;
    exporterWallFps: number;
    exporterAppliedFps: number;
    ratio: number;
    wallRatio: number;
    runs: ThroughputRun[];
  };
  /** `peakRssBytes`: the exporter's highest RSS over the latency runs (1k symbols, default config). */
  latency: { symbols: number; peakRssBytes: number; heapUsedBytes: number; rows: LatencyRow[] };
  burst: BurstCase[];
  metrics: MetricsRun[];
  /** The order-book scenario (bench/book.ts); absent when not run. */
  book?: BookBenchReport;
  targets: TargetCheck[];
  durationS: number;
}

const isNum = (v: unknown): v is number => typeof v === 'number';

/**
 * Judged (production-shaped) /metrics runs that measured a half-warm exporter, with fewer series
 * per symbol than their config yields when warm: their timings are not the full exposition's.
 * Empty when every one was warm. (A short worst-case run is flagged in its table row only.)
 */
export function warmProblems(r: Pick<BenchReport, 'metrics'>): string[] {
  return r.metrics
    .filter((m) => m.kind === 'production' && !(m.seriesPerSymbol >= m.expectedSeriesPerSymbol))
    .map((m) => `metrics ${m.kind} at ${m.symbols} symbols: not warm, ${m.seriesPerSymbol} series per symbol where the config yields ${m.expectedSeriesPerSymbol}`);
}

/** Problems with a report's shape (empty when well formed). Checks structure, not speed. */
export function checkReport(r: unknown): string[] {
  const p: string[] = [];
  const o = r as Partial<BenchReport> | null;
  if (!o || typeof o !== 'object') return ['not an object'];
  if (o.version !== 1) p.push('version is not 1');
  if (typeof o.createdAt !== 'string' || Number.isNaN(Date.parse(o.createdAt))) p.push('createdAt is not a date');
  const t = o.throughput;
  if (!t || !Array.isArray(t.runs) || t.runs.length === 0) p.push('throughput has no runs');
  else {
    for (const k of ['ceilingFps', 'ceilingWallFps', 'exporterFps', 'exporterWallFps', 'exporterAppliedFps', 'ratio', 'wallRatio'] as const) if (!isNum(t[k]) || !(t[k] > 0)) p.push(`throughput.${k} is not a positive number`);
  }
  const l = o.latency;
  if (!l || !Array.isArray(l.rows) || l.rows.length === 0) p.push('latency has no rows');
  else
    for (const row of l.rows) {
      if (!(row.p50Ms >= 0 && row.p99Ms >= row.p50Ms && row.maxMs >= row.p99Ms)) p.push(`latency at ${row.rate}/s: percentiles not ordered (${row.p50Ms}, ${row.p99Ms}, ${row.maxMs})`);
      if (!row.runs.every((run) => run.count > 0)) p.push(`latency at ${row.rate}/s: a run measured no events`);
    }
  if (!Array.isArray(o.burst) || o.burst.length === 0) p.push('burst has no cases');
  else
    for (const c of o.burst) {
      if (!(c.drainMs >= 0)) p.push(`burst ${c.name}: drainMs is not a number`);
      if (!c.runs.every((run) => run.tradesApplied + run.dropped === run.framesSent)) p.push(`burst ${c.name}: applied + dropped != sent`);
    }
  if (o.book) {
    for (const k of ['binanceUpdateNs', 'krakenUpdateNs', 'tradeFpsOff', 'tradeFpsOn', 'ratio'] as const) if (!isNum(o.book[k]) || !(o.book[k] > 0)) p.push(`book.${k} is not a positive number`);
    if (o.book.failures !== 0) p.push(`book: ${o.book.failures} integrity failures on generated updates`);
  }
  if (!Array.isArray(o.metrics) || o.metrics.length === 0) p.push('metrics has no runs');
  else {
    if (!o.metrics.some((m) => m.kind === 'production')) p.push('metrics has no production-shaped run');
    for (const m of o.metrics) {
      if (!(m.bytes > 0 && m.series > 0 && m.ms > 0)) p.push(`metrics ${m.kind} at ${m.symbols} symbols: empty scrape`);
      if (!(m.rssBytes > 0 && m.peakRssBytes >= m.rssBytes)) p.push(`metrics ${m.kind} at ${m.symbols} symbols: memory not measured`);
    }
    p.push(...warmProblems({ metrics: o.metrics }));
  }
  if (!Array.isArray(o.targets) || o.targets.length === 0) p.push('no target checks');
  return p;
}

const f0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
/** Milliseconds with three significant digits, so microsecond latencies stay readable. */
const ms3 = (v: number) => (Number.isFinite(v) ? (v >= 100 ? Math.round(v).toString() : v.toPrecision(3)) : 'n/a');
const pct = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 100)}%` : 'n/a');
const mb = (v: number) => (Number.isFinite(v) ? `${(v / 2 ** 20).toFixed(0)} MiB` : 'n/a');

/** The report as Markdown: the table docs/performance.md shows. */
export function formatReport(r: BenchReport): string {
  const t = r.throughput;
  const out: string[] = [];
  for (const w of warmProblems(r)) out.push(`**INVALID: ${w}**`, '');
  out.push(`Machine: ${r.machine.cpus} x ${r.machine.cpuModel}, Node ${r.machine.node}, load average ${r.machine.loadAvg1m.toFixed(1)} at start; medians of ${r.options.reps} run(s).`, '');
  out.push('| Measure | Result | vs. ceiling |', '| --- | --- | --- |');
  out.push(`| Ceiling: bare \`ws\` client, JSON.parse only (${t.symbols} symbols), per CPU-second | ${f0(t.ceilingFps)} frames/s | 100% |`);
  out.push(`| Exporter, everything on: trades applied to metrics, per CPU-second | ${f0(t.exporterAppliedFps)} trades/s | **${pct(t.ratio)}** |`);
  out.push(`| Same, wall clock (ceiling / exporter, as measured on the shared machine) | ${f0(t.ceilingWallFps)} / ${f0(t.exporterWallFps)} frames/s | ${pct(t.wallRatio)} |`);
  for (const row of r.latency.rows)
    out.push(`| Arrival → metrics latency at ${f0(row.rate)} frames/s: p50 / p99 / max | ${ms3(row.p50Ms)} / ${ms3(row.p99Ms)} / ${ms3(row.maxMs)} ms | ${pct(row.ratioToCeiling)} load |`);
  for (const row of r.latency.rows)
    out.push(`| Memory at ${f0(r.latency.symbols)} symbols (default config), ${f0(row.rate)} frames/s: RSS peak | ${mb(row.peakRssBytes)} | |`);
  for (const b of r.burst)
    out.push(`| Burst of ${f0(b.symbols)} symbols in 1 ms, ${b.name} (queue ${f0(b.queueCapacity)}): drain / conflated / dropped | ${ms3(b.drainMs)} ms / ${f0(b.conflated)} / ${f0(b.dropped)} | ${pct(b.ratioToCeiling)} (${f0(b.drainFps)} frames/s) |`);
  for (const m of r.metrics) {
    const what =
      m.kind === 'production'
        ? `default config (1m/5m bars), warmed by ${f0(m.warmup.backfillMinutes)} min of backfill (${f0(m.warmup.seconds)} s), scraped as the shipped prometheus.yml's full job (\`${decodeURIComponent(m.query)}\`) every ${m.scrapeIntervalS} s${m.gzipped ? ', gzipped as Prometheus asks (size on the wire)' : ', not gzipped (--scrape-plain)'}, its 1 s fast lane beside it`
        : 'worst case, not judged: 1 s bars, every value changes between scrapes';
    const per = `${f0(m.seriesPerSymbol)} per symbol${m.seriesPerSymbol < m.expectedSeriesPerSymbol ? ` (some short of ${f0(m.expectedSeriesPerSymbol)}: **not all warm**)` : ''}`;
    out.push(`| \`/metrics\` at ${f0(m.symbols)} symbols, ${what} (${f0(m.series)} series, ${per}, ${mb(m.bytes)}) under ${f0(m.loadFps)} frames/s: scrape / render / longest stall | ${ms3(m.ms)} / ${ms3(m.renderMs)} / ${ms3(m.maxStallMs)} ms | |`);
    const waits = [
      ['during and between those scrapes', m.wait],
      ['the same from the first scrape after start (its backlog included)', m.waitFromStart],
    ] as const;
    for (const [when, w] of waits)
      if (w)
        out.push(`| Live frames at ${f0(m.symbols)} symbols ${when}, send → handled (lag histogram, from outside): longest / over 10, 20, 100 ms | ${ms3(w.floorS * 1000)}-${ms3(w.ceilS * 1000)} ms / ${f0(w.over10ms)}, ${f0(w.over20ms)}, ${f0(w.over100ms)} of ${f0(w.frames)} | |`);
    if (m.fast)
      out.push(`| Fast lane (\`collect[]=health&collect[]=moves\`, ${f0(m.fast.series)} series, ${mb(m.fast.bytes)}) at ${f0(m.symbols)} symbols, scraped every second during those scrapes: median / longest / past its ${m.fast.timeoutS} s timeout | ${ms3(m.fast.ms)} / ${ms3(m.fast.maxMs)} ms / ${f0(m.fast.overTimeout)} of ${f0(m.fast.scrapes.length)} | |`);
    if (m.kind === 'production')
      out.push(`| Same, the first scrape after the exporter started (builds the renderer's cache; not in the figures above): scrape / stall | ${ms3(m.firstScrape.ms)} / ${ms3(m.firstScrape.stallMs)} ms | |`);
    out.push(`| Memory at ${f0(m.symbols)} symbols under load, ${m.kind === 'production' ? 'default config' : 'worst case'}: RSS peak / heap used | ${mb(m.peakRssBytes)} / ${mb(m.heapUsedBytes)} | |`);
  }
  const b = r.book;
  if (b) {
    out.push(`| Order book update, Binance diff depth (10 levels, sequence checked, books of ${f0(b.depth)} levels): CPU per update | ${(b.binanceUpdateNs / 1000).toFixed(2)} µs | |`);
    out.push(`| Order book update, Kraken v2 (2 levels, CRC32 of the top 10 verified): CPU per update | ${(b.krakenUpdateNs / 1000).toFixed(2)} µs | |`);
    out.push(`| ${f0(b.books)} books at @100ms (${f0(b.updatesPerSecond)} updates/s): share of one core | ${pct(b.coreShare)} | |`);
    out.push(`| Trades per CPU-second (${f0(b.symbols)} symbols), books off / on (those updates mixed in); integrity failures while measuring | ${f0(b.tradeFpsOff)} / ${f0(b.tradeFpsOn)}; ${f0(b.failures)} | **${pct(b.ratio)}** |`);
  }
  out.push('', '| Target | Wanted | Got | |', '| --- | --- | --- | --- |');
  for (const c of r.targets) out.push(`| ${c.name} | ${c.target} | ${c.value} | ${c.pass ? 'pass' : '**miss**'} |`);
  return out.join('\n');
}
