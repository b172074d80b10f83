/** Command-line options of `npm run bench` (pure: argv in, options out). */
import { parseArgs } from 'node:util';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';

export interface BenchOptions {
  /** Symbols for the throughput, latency and small /metrics runs. */
  symbols: number;
  /** Symbols for the large /metrics and memory run. */
  bigSymbols: number;
  /** Frames/s the simulator is asked for in the throughput runs: more than either consumer can take. */
  offerFps: number;
  /** Length of each measurement window, seconds. */
  durationS: number;
  /** Flow before each window (JIT warm-up, steady buffers), seconds. */
  warmupS: number;
  /** Repetitions of each measurement; the report gives medians. */
  reps: number;
  /** Fixed offered rates (frames/s) for the latency runs. */
  rates: number[];
  /** Symbols in the market-open burst (one trade each, same millisecond). */
  burst: number;
  /** /metrics runs: live flow from the first scrape (the one after start) to the first judged one, scraped as Prometheus would (JIT, steady buffers, full windows), seconds. */
  metricsWarmS: number;
  /** Total trades/s (two frames each: trade and bookTicker) during the /metrics runs. */
  metricsRate: number;
  /** Scrapes per production-shaped /metrics run (the judged one). */
  scrapes: number;
  /**
   * Seconds between scrapes of the production-shaped run, in place of the shipped prometheus.yml's
   * scrape_interval (bench/prometheus-jobs.ts); unset: the shipped one.
   */
  scrapeIntervalS?: number;
  /** Scrapes per worst-case (1 s bars) /metrics run, a second apart; 0 skips those runs. */
  worstScrapes: number;
  /** No /metrics scrape asks for gzip (Prometheus always does; earlier rounds' figures did not). */
  scrapePlain: boolean;
  /** Minutes of history the production-shaped run is backfilled with; 0: what its config needs (bench/warm.ts). */
  backfillMinutes: number;
  /** Seconds of event time between a symbol's backfilled trades; never more than the shortest bar interval. */
  backfillStepS: number;
  /** The simulator's send tick, ms. */
  tickMs: number;
  /** Where the JSON report goes. */
  out: string;
  /** Scenarios to run (all by default); a partial run's report leaves the others empty. */
  only: Scenario[];
  /** When set, every exporter process writes a V8 CPU profile (--cpu-prof) into this directory. */
  profileDir?: string;
  /**
   * When set, every exporter process's stdout goes to a file in this directory, for V8 flags that
   * print there (e.g. --node-args=--trace-gc-nvp: each collection's pause by phase).
   */
  exporterStdoutDir?: string;
  /** Node/V8 flags of the exporter processes: the production NODE_FLAGS, then any --node-args. */
  exporterNodeArgs: string[];
}

export const SCENARIOS = ['throughput', 'latency', 'burst', 'metrics', 'book'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const FULL: BenchOptions = {
  symbols: 1000,
  bigSymbols: 10_000,
  offerFps: 1_500_000,
  durationS: 5,
  warmupS: 1.5,
  reps: 3,
  rates: [10_000, 50_000, 100_000],
  burst: 5000,
  metricsWarmS: 5,
  metricsRate: 20_000,
  scrapes: 4,
  worstScrapes: 2,
  scrapePlain: false,
  backfillMinutes: 0,
  backfillStepS: 60,
  tickMs: 1,
  out: 'bench/results/latest.json',
  only: [...SCENARIOS],
  exporterNodeArgs: [...NODE_FLAGS],
};

/** `--quick`: one repetition, shorter windows, fewer scrapes (at the shipped interval). */
export const QUICK: Partial<BenchOptions> = { durationS: 2, warmupS: 1, reps: 1, rates: [10_000, 50_000], metricsWarmS: 3, scrapes: 3, worstScrapes: 1 };

/** `--smoke`: a few seconds, tiny sizes; proves the harness works end to end, measures nothing. */
export const SMOKE: Partial<BenchOptions> = {
  symbols: 20,
  bigSymbols: 20,
  offerFps: 20_000,
  durationS: 0.3,
  warmupS: 0.2,
  reps: 1,
  rates: [2000],
  burst: 30,
  metricsWarmS: 0.5,
  metricsRate: 400,
  scrapes: 2,
  scrapeIntervalS: 0.2,
  worstScrapes: 1,
};

export const USAGE = `usage: npm run bench -- [--quick | --smoke] [--symbols N] [--big-symbols N] [--offer N] [--duration S]
                        [--warmup S] [--reps N] [--rates A,B,C] [--burst N] [--metrics-warm S]
                        [--metrics-rate N] [--scrapes N] [--scrape-interval S] [--worst-scrapes N]
                        [--scrape-plain] [--backfill-minutes M] [--backfill-step S] [--tick MS] [--out FILE]
                        [--only throughput,latency,burst,metrics,book] [--profile DIR]
                        [--node-args="--max-old-space-size=4096 ..."] [--exporter-stdout DIR]
Runs the simulator, a parse-only ceiling client and the exporter as separate processes on
loopback, prints a table and writes a JSON report (default ${FULL.out}). The /metrics scenario
runs the default config warmed by a backfill of history (judged), then 1 s bars (worst case,
reported only). The book scenario runs in this process: per-update CPU of order-book updates
and trade throughput with books on vs off. Exporters run with the production Node flags (${NODE_FLAGS.join(' ')});
--node-args adds flags after them (a repeated V8 flag: the last one wins); --exporter-stdout keeps
what the exporters print (V8's --trace-gc* output), one file each. /metrics is scraped as the
shipped prometheus/prometheus.yml scrapes it: the full job (its interval, its exclude[] params,
gzip) timed and judged, its 1 s fast-lane job running beside it; --scrape-interval replaces the
full job's interval, --scrape-plain asks for no gzip.`;

function num(name: string, raw: string | undefined, min: number, int = false): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) {
    throw new Error(`--${name} must be ${int ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** Parse argv; throws Error with a message naming the flag. `help` asks for the usage text. */
export function parseBenchArgs(argv: readonly string[]): { options: BenchOptions; help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      symbols: { type: 'string' },
      'big-symbols': { type: 'string' },
      offer: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      reps: { type: 'string' },
      rates: { type: 'string' },
      burst: { type: 'string' },
      'metrics-warm': { type: 'string' },
      'metrics-rate': { type: 'string' },
      scrapes: { type: 'string' },
      'scrape-interval': { type: 'string' },
      'worst-scrapes': { type: 'string' },
      'scrape-plain': { type: 'boolean' },
      'backfill-minutes': { type: 'string' },
      'backfill-step': { type: 'string' },
      tick: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'string' },
      'node-args': { type: 'string' },
      'exporter-stdout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.quick && values.smoke) throw new Error('--quick and --smoke cannot be combined');
  const base: BenchOptions = { ...FULL, ...(values.quick ? QUICK : {}), ...(values.smoke ? SMOKE : {}) };
  const only = values.only?.split(',').map((x) => {
    if (!(SCENARIOS as readonly string[]).includes(x)) throw new Error(`--only takes ${SCENARIOS.join(', ')}, got ${JSON.stringify(x)}`);
    return x as Scenario;
  });
  const rates = values.rates?.split(',').map((r) => num('rates', r, 1) as number);
  const pick = <K extends keyof BenchOptions>(k: K, v: BenchOptions[K] | undefined): BenchOptions[K] => (v === undefined ? base[k] : v);
  const options: BenchOptions = {
    symbols: pick('symbols', num('symbols', values.symbols, 1, true)),
    bigSymbols: pick('bigSymbols', num('big-symbols', values['big-symbols'], 1, true)),
    offerFps: pick('offerFps', num('offer', values.offer, 1)),
    durationS: pick('durationS', num('duration', values.duration, 0.1)),
    warmupS: pick('warmupS', num('warmup', values.warmup, 0)),
    reps: pick('reps', num('reps', values.reps, 1, true)),
    rates: pick('rates', rates),
    burst: pick('burst', num('burst', values.burst, 1, true)),
    metricsWarmS: pick('metricsWarmS', num('metrics-warm', values['metrics-warm'], 0)),
    metricsRate: pick('metricsRate', num('metrics-rate', values['metrics-rate'], 1)),
    scrapes: pick('scrapes', num('scrapes', values.scrapes, 1, true)),
    scrapeIntervalS: num('scrape-interval', values['scrape-interval'], 0.1) ?? base.scrapeIntervalS,
    worstScrapes: pick('worstScrapes', num('worst-scrapes', values['worst-scrapes'], 0, true)),
    scrapePlain: values['scrape-plain'] ?? base.scrapePlain,
    backfillMinutes: pick('backfillMinutes', num('backfill-minutes', values['backfill-minutes'], 0)),
    backfillStepS: pick('backfillStepS', num('backfill-step', values['backfill-step'], 0.001)),
    tickMs: pick('tickMs', num('tick', values.tick, 1)),
    out: values.out ?? base.out,
    only: only ?? base.only,
    ...(values.profile ? { profileDir: values.profile } : {}),
    ...(values['exporter-stdout'] ? { exporterStdoutDir: values['exporter-stdout'] } : {}),
    exporterNodeArgs: [...base.exporterNodeArgs, ...(values['node-args']?.split(' ').filter((a) => a !== '') ?? [])],
  };
  return { options, help: values.help ?? false };
}
