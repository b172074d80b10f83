/** The soak run's numbers: samples in, a summary with slopes and verdicts out. Pure. */

export interface SoakSample {
  /** Seconds since the run started. */
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Every series in the exposition, and the market_* ones. */
  series: number;
  marketSeries: number;
  /** Event-loop delay p99 and max over the exporter's last interval, seconds. */
  loopLagP99: number;
  loopLagMax: number;
  trades: number;
  reconnects: number;
  conflated: number;
  errors: number;
  scrapeSeconds: number;
}

export interface Trend {
  start: number;
  end: number;
  /** Least-squares slope, units per hour. */
  slopePerHour: number;
  /** Slope of the per-window minimum (the post-GC floor), units per hour: the leak signal. */
  floorSlopePerHour: number;
  /** Highest value in the second half minus the highest in the first: a rising ceiling. */
  ceilingGrowth: number;
}

export interface SoakSummary {
  minutes: number;
  samples: number;
  warmupSeconds: number;
  rssMiB: Trend;
  heapMiB: Trend;
  series: { start: number; end: number; max: number };
  marketSeries: { start: number; end: number; max: number };
  loopLagP99MaxMs: number;
  loopLagMaxMs: number;
  scrapeMaxMs: number;
  tradesPerSecond: number;
  reconnects: number;
  conflated: number;
  errors: number;
  bursts: number;
  disconnects: number;
  verdicts: string[];
  ok: boolean;
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

const MiB = 1024 * 1024;

/** Median of the first/last `k` values: one GC more or less does not move the ends. */
function ends(v: readonly number[], k = 3): { start: number; end: number } {
  const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1] ?? NaN;
  return { start: med(v.slice(0, k)), end: med(v.slice(-k)) };
}

function trend(samples: readonly SoakSample[], pick: (s: SoakSample) => number, windowS: number): Trend {
  const xs = samples.map((s) => s.t / 3600);
  const ys = samples.map(pick);
  // The floor: the lowest value in each window, where the garbage has just been collected.
  const floors = new Map<number, { t: number; v: number }>();
  for (const s of samples) {
    const w = Math.floor(s.t / windowS);
    const v = pick(s);
    const cur = floors.get(w);
    if (!cur || v < cur.v) floors.set(w, { t: s.t, v });
  }
  const f = [...floors.values()];
  const half = ys.length >> 1;
  const ceilingGrowth = Math.max(...ys.slice(half)) - Math.max(...ys.slice(0, half));
  return { ...ends(ys), slopePerHour: slope(xs, ys), floorSlopePerHour: slope(f.map((p) => p.t / 3600), f.map((p) => p.v)), ceilingGrowth };
}

export interface SummaryInput {
  minutes: number;
  warmupSeconds: number;
  samples: readonly SoakSample[];
  bursts: number;
  disconnects: number;
  /** Heap floor slope above which the heap counts as growing, MiB per hour. */
  leakMiBPerHour?: number;
  /** RSS ceiling growth (second half vs first) above which RSS counts as growing, MiB. */
  rssGrowthMiB?: number;
  /** Event-loop p99 above which the loop counts as unhealthy, ms. */
  loopLagLimitMs?: number;
}

/** Summarise the samples taken after the warm-up. */
export function summarise(input: SummaryInput): SoakSummary {
  const all = input.samples;
  const s = all.filter((x) => x.t >= input.warmupSeconds);
  const leak = input.leakMiBPerHour ?? 10;
  const lagLimit = input.loopLagLimitMs ?? 100;
  const window = Math.max(30, (input.minutes * 60) / 20);
  const rssMiB = trend(s, (x) => x.rssBytes / MiB, window);
  const heapMiB = trend(s, (x) => x.heapUsedBytes / MiB, window);
  const first = s[0];
  const last = s[s.length - 1];
  const span = first && last ? last.t - first.t : NaN;
  const series = { ...ends(s.map((x) => x.series), 1), max: Math.max(...s.map((x) => x.series)) };
  const marketSeries = { ...ends(s.map((x) => x.marketSeries), 1), max: Math.max(...s.map((x) => x.marketSeries)) };
  const loopLagP99MaxMs = Math.max(...s.map((x) => x.loopLagP99)) * 1000;
  const verdicts: string[] = [];
  let ok = s.length >= 3;
  if (!ok) verdicts.push(`too few samples after the warm-up (${s.length})`);
  // The heap is judged by its post-GC floor; RSS by its ceiling, since the allocator keeps pages
  // after a burst and gives them back late, so RSS slopes say more about GC timing than leaks.
  if (Number.isFinite(heapMiB.floorSlopePerHour)) {
    const growing = heapMiB.floorSlopePerHour > leak;
    ok &&= !growing;
    verdicts.push(`heap: floor ${growing ? 'GROWING' : 'flat'} (${heapMiB.floorSlopePerHour.toFixed(1)} MiB/h, limit ${leak})`);
  } else verdicts.push('heap: floor slope not measurable (run longer)');
  const rssLimit = input.rssGrowthMiB ?? Math.max(8, rssMiB.start * 0.05);
  const rssGrowing = rssMiB.ceilingGrowth > rssLimit;
  ok &&= !rssGrowing;
  verdicts.push(`rss: ceiling ${rssGrowing ? 'RISING' : 'flat'} (second half ${rssMiB.ceilingGrowth >= 0 ? '+' : ''}${rssMiB.ceilingGrowth.toFixed(1)} MiB over the first, limit ${rssLimit.toFixed(1)})`);
  const seriesGrew = marketSeries.max > marketSeries.start;
  ok &&= !seriesGrew;
  verdicts.push(`market series: ${seriesGrew ? `GREW from ${marketSeries.start} to ${marketSeries.max}` : `constant at ${marketSeries.start}`}`);
  const lagOk = loopLagP99MaxMs <= lagLimit;
  ok &&= lagOk;
  verdicts.push(`event-loop p99: ${lagOk ? 'bounded' : 'HIGH'} (max ${loopLagP99MaxMs.toFixed(1)} ms, limit ${lagLimit} ms)`);
  return {
    minutes: input.minutes,
    samples: s.length,
    warmupSeconds: input.warmupSeconds,
    rssMiB,
    heapMiB,
    series,
    marketSeries,
    loopLagP99MaxMs,
    loopLagMaxMs: Math.max(...s.map((x) => x.loopLagMax)) * 1000,
    scrapeMaxMs: Math.max(...s.map((x) => x.scrapeSeconds)) * 1000,
    tradesPerSecond: first && last && span > 0 ? (last.trades - first.trades) / span : NaN,
    reconnects: last?.reconnects ?? NaN,
    conflated: last?.conflated ?? NaN,
    errors: last?.errors ?? NaN,
    bursts: input.bursts,
    disconnects: input.disconnects,
    verdicts,
    ok,
  };
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : String(v));

/** The summary as a small text table. */
export function formatSummary(r: SoakSummary): string {
  const rows: [string, string][] = [
    ['duration', `${r.minutes} min, ${r.samples} samples after ${r.warmupSeconds} s warm-up`],
    ['RSS MiB start / end', `${f1(r.rssMiB.start)} / ${f1(r.rssMiB.end)}`],
    ['RSS slope MiB/h (all / floor)', `${f1(r.rssMiB.slopePerHour)} / ${f1(r.rssMiB.floorSlopePerHour)}`],
    ['RSS ceiling, 2nd half vs 1st, MiB', f1(r.rssMiB.ceilingGrowth)],
    ['heap MiB start / end', `${f1(r.heapMiB.start)} / ${f1(r.heapMiB.end)}`],
    ['heap slope MiB/h (all / floor)', `${f1(r.heapMiB.slopePerHour)} / ${f1(r.heapMiB.floorSlopePerHour)}`],
    ['series start / end / max', `${r.series.start} / ${r.series.end} / ${r.series.max}`],
    ['market series start / end / max', `${r.marketSeries.start} / ${r.marketSeries.end} / ${r.marketSeries.max}`],
    ['event-loop p99 max / max ms', `${f1(r.loopLagP99MaxMs)} / ${f1(r.loopLagMaxMs)}`],
    ['scrape max ms', f1(r.scrapeMaxMs)],
    ['trades/s', f1(r.tradesPerSecond)],
    ['bursts / disconnects injected', `${r.bursts} / ${r.disconnects}`],
    ['reconnects / conflated / errors (totals)', `${r.reconnects} / ${r.conflated} / ${r.errors}`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), '', ...r.verdicts.map((v) => `- ${v}`), '', r.ok ? 'SOAK OK' : 'SOAK FAILED'].join('\n');
}
