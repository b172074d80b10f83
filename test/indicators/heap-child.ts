/**
 * Run by list-leak.test.ts and set.test.ts in its own process (node --expose-gc --import tsx).
 *   mode "set" (default): feeds 1,000,000 bars to an IndicatorSet with every indicator enabled
 *     (the leak fix applies) and prints heapUsed after a full GC at 100,000 and at 1,000,000 bars.
 *   mode "raw": the same with technicalindicators' BollingerBands and SMA used directly, unfixed.
 *   mode "footprint": builds 1,000 IndicatorSets with the default config, feeds each 60 bars (all
 *     past warm-up) and prints the heap + external bytes they keep alive, per set.
 * Output is one JSON line.
 */
const mode = process.argv[2] ?? 'set';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function memoryAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

if (mode === 'footprint') {
  const { IndicatorSet } = await import('../../src/indicators/set.js');
  const { DEFAULT_INDICATORS } = await import('../../src/config/defaults.js');
  const count = 1_000;
  const before = memoryAfterGc();
  const sets = Array.from({ length: count }, () => new IndicatorSet(DEFAULT_INDICATORS));
  for (let t = 0; t < 60; t++) {
    for (let i = 0; i < count; i++) {
      const close = 100 + ((i * 7 + t * 13) % 29) / 10;
      sets[i]!.update({ high: close + 0.05, low: close - 0.05, close });
    }
  }
  const after = memoryAfterGc();
  process.stdout.write(JSON.stringify({ mode, sets: sets.length, bytesPerSet: (after - before) / count }) + '\n');
  process.exit(0);
}

type Feed = (high: number, low: number, close: number) => void;

async function makeFeed(): Promise<Feed> {
  if (mode === 'raw') {
    const { BollingerBands, SMA } = await import('technicalindicators');
    const bb = new BollingerBands({ period: 20, stdDev: 2, values: [] });
    const sma = new SMA({ period: 20, values: [] });
    return (_h, _l, close) => {
      bb.nextValue(close);
      sma.nextValue(close);
    };
  }
  const { IndicatorSet } = await import('../../src/indicators/set.js');
  const on = { enabled: true };
  const set = new IndicatorSet({
    rsi: { ...on, period: 14 },
    bollinger: { ...on, period: 20, stdDev: 2 },
    sma: { ...on, period: 20 },
    ema: { ...on, period: 20 },
    macd: { ...on, fast: 12, slow: 26, signal: 9 },
    atr: { ...on, period: 14 },
    volatility: { ...on, period: 20 },
  });
  return (high, low, close) => {
    set.update({ high, low, close });
  };
}

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const feed = await makeFeed();
let seed = 1;
let close = 100;
const marks: Record<string, number> = {};
for (let i = 1; i <= 1_000_000; i++) {
  seed = (seed * 48_271) % 2_147_483_647;
  close *= 1 + (seed / 2_147_483_647 - 0.5) * 0.002;
  feed(close * 1.001, close * 0.999, close);
  if (i === 100_000) marks.at100k = heapAfterGc();
}
marks.at1m = heapAfterGc();
process.stdout.write(JSON.stringify({ mode, ...marks, growth: marks.at1m - marks.at100k! }) + '\n');
