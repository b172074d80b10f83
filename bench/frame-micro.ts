/**
 * One frame's CPU through the pipeline alone, in one process, no sockets: Binance combined-stream
 * trade frames (prices as the venue quotes them; per-symbol consecutive ids and advancing times
 * within each pass of 200,000 frames, replayed) over N symbols of the default config, each parsed,
 * checked, queued and applied eagerly on the real clock, as `Pipeline.frame` does in the exporter.
 * What the throughput run measures without `ws`, the socket and the load generator, so two builds
 * compare within a few percent.
 *
 *   node --import tsx bench/frame-micro.ts [symbols=1000] [frames per round=2000000] [rounds=5]
 *
 * Prints nanoseconds of CPU per frame, one figure per round, after a warm-up round.
 */
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import { binance } from '../src/feeds/binance.js';
import type { FeedControl } from '../src/ingest.js';
import { createLogger } from '../src/log.js';
import { FeedState } from '../src/market/feed-state.js';
import { Pipeline } from '../src/pipeline.js';
import { combinedFrame, tradePayload } from '../src/simulator/market.js';

const nSymbols = Number(process.argv[2] ?? 1000);
const perRound = Number(process.argv[3] ?? 2_000_000);
const rounds = Number(process.argv[4] ?? 5);
const cfg = {
  intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  indicators: DEFAULT_INDICATORS,
};
const symbols = Array.from({ length: nSymbols }, (_, i) => `SYM${i}USDT`);
const feed = new FeedState('binance', symbols, cfg);
const pipeline = new Pipeline({
  log: createLogger({ level: 'error' }),
  queueCapacity: 65_536,
  symbols: () => feed.symbols.values(),
  barCloseGraceMs: () => 2_000,
});
const control: FeedControl = { noteAlive: () => undefined, reconnect: () => undefined };

// 200,000 distinct frames, an hour ago onwards, one millisecond apart, replayed: ids and times
// repeat every 200,000 frames, the same for every build compared.
const ids = new Array<number>(nSymbols).fill(0);
let t = Date.now() - 3_600_000;
const frames: string[] = [];
for (let i = 0; i < 200_000; i++) {
  const k = i % nSymbols;
  const s = symbols[k]!;
  t += 1;
  frames.push(combinedFrame(`${s.toLowerCase()}@trade`, tradePayload(s, ++ids[k]!, (100 + Math.sin(i)).toFixed(8), '0.01000000', t, t, false)));
}
const receivedAt = t + 1_000;
const run = (n: number): void => {
  for (let i = 0; i < n; i++) pipeline.frame(feed, binance, control, frames[i % frames.length]!, receivedAt, 0);
};

run(Math.min(perRound, 200_000));
const ns: number[] = [];
for (let r = 0; r < rounds; r++) {
  const c0 = process.cpuUsage();
  run(perRound);
  const c = process.cpuUsage(c0);
  ns.push(Math.round(((c.user + c.system) * 1000) / perRound));
}
const dropped = Object.values(feed.errors).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ symbols: nSymbols, framesPerRound: perRound, nsPerFrame: ns, dropped }));
