/** Command-line options of `npm run bench` (pure: argv in, options out). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Symbols for the throughput, latency and small /metrics runs. */
  symbols: number;
  /** Symbols for the large /metrics and memory run. */
  bigSymbols: number;
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
  /** Flow before the /metrics scrapes, so bars close and indicators warm up, seconds. */
  metricsWarmS: number;
  /** Total trades/s (two frames each: trade and bookTicker) during the /metrics runs. */
  metricsRate: number;
  /** Scrapes per /metrics run. */
  scrapes: number;
  /** The simulator's send tick, ms. */
  tickMs: number;
  /** Where the JSON report goes. */
  out: string;
}

export const FULL: BenchOptions = {
  symbols: 1000,
  bigSymbols: 10_000,
  durationS: 5,
  warmupS: 1.5,
  reps: 3,
  rates: [10_000, 50_000, 100_000],
  burst: 5000,
  metricsWarmS: 12,
  metricsRate: 20_000,
  scrapes: 5,
  tickMs: 1,
  out: 'bench/results/latest.json',
};

/** `--quick`: one repetition, shorter windows: about a minute. */
export const QUICK: Partial<BenchOptions> = { durationS: 2, warmupS: 1, reps: 1, rates: [10_000, 50_000], metricsWarmS: 10, scrapes: 3 };

/** `--smoke`: a few seconds, tiny sizes; proves the harness works end to end, measures nothing. */
export const SMOKE: Partial<BenchOptions> = {
  symbols: 20,
  bigSymbols: 40,
  durationS: 0.3,
  warmupS: 0.2,
  reps: 1,
  rates: [2000],
  burst: 30,
  metricsWarmS: 0.5,
  metricsRate: 400,
  scrapes: 2,
};

export const USAGE = `usage: npm run bench -- [--quick | --smoke] [--symbols N] [--big-symbols N] [--duration S]
                        [--warmup S] [--reps N] [--rates A,B,C] [--burst N] [--metrics-warm S]
                        [--metrics-rate N] [--scrapes N] [--tick MS] [--out FILE]
Runs the simulator, a parse-only ceiling client and the exporter as separate processes on
loopback, prints a table and writes a JSON report (default ${FULL.out}).`;

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
      duration: { type: 'string' },
      warmup: { type: 'string' },
      reps: { type: 'string' },
      rates: { type: 'string' },
      burst: { type: 'string' },
      'metrics-warm': { type: 'string' },
      'metrics-rate': { type: 'string' },
      scrapes: { type: 'string' },
      tick: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.quick && values.smoke) throw new Error('--quick and --smoke cannot be combined');
  const base: BenchOptions = { ...FULL, ...(values.quick ? QUICK : {}), ...(values.smoke ? SMOKE : {}) };
  const rates = values.rates?.split(',').map((r) => num('rates', r, 1) as number);
  const pick = <K extends keyof BenchOptions>(k: K, v: BenchOptions[K] | undefined): BenchOptions[K] => (v === undefined ? base[k] : v);
  const options: BenchOptions = {
    symbols: pick('symbols', num('symbols', values.symbols, 1, true)),
    bigSymbols: pick('bigSymbols', num('big-symbols', values['big-symbols'], 1, true)),
    durationS: pick('durationS', num('duration', values.duration, 0.1)),
    warmupS: pick('warmupS', num('warmup', values.warmup, 0)),
    reps: pick('reps', num('reps', values.reps, 1, true)),
    rates: pick('rates', rates),
    burst: pick('burst', num('burst', values.burst, 1, true)),
    metricsWarmS: pick('metricsWarmS', num('metrics-warm', values['metrics-warm'], 0)),
    metricsRate: pick('metricsRate', num('metrics-rate', values['metrics-rate'], 1)),
    scrapes: pick('scrapes', num('scrapes', values.scrapes, 1, true)),
    tickMs: pick('tickMs', num('tick', values.tick, 1)),
    out: values.out ?? base.out,
  };
  // The simulator's synthetic symbols are SYM0000..; the burst draws on the configured ones.
  if (options.burst > Math.max(options.symbols, options.bigSymbols)) throw new Error('--burst cannot exceed the largest symbol count');
  return { options, help: values.help ?? false };
}
