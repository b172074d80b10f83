/**
 * Run by list-leak.test.ts in its own process (node --expose-gc --import tsx): feeds 1,000,000
 * bars and prints heapUsed after a full GC at 100,000 and at 1,000,000 bars, as JSON.
 *   mode "set" (default): an IndicatorSet with every indicator enabled (the leak fix applies).
 *   mode "raw": technicalindicators' BollingerBands and SMA used directly, without the fix.
 */
const mode = process.argv[2] ?? 'set';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

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
