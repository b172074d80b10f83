import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { createLogger } from '../../src/log.js';
import { FeedState } from '../../src/market/feed-state.js';
import { GzipJoin } from '../../src/metrics/gzip.js';
import { nextSettle, RenderAhead, SETTLE_MARGIN_MS, worthRendering, type AheadClock } from '../../src/metrics/render-ahead.js';
import { renderMarket, streamMarket, type SelfStats } from '../../src/metrics/render.js';
import { TICK_MS } from '../../src/runtime/budgets.js';
import { oneMember, pieceFamily } from '../support/scrape.js';

const MIN = 60_000;
const GRACE = 2_000;
const AFTER = GRACE + TICK_MS + SETTLE_MARGIN_MS;
const T = 1_700_000_040_000 - (1_700_000_040_000 % (5 * MIN));

test('a boundary settles after its grace, an idle-bar tick and the margin; the one just past counts until it has', () => {
  const ivs = [MIN, 5 * MIN];
  assert.equal(nextSettle(T + 10, ivs, GRACE), T + AFTER, 'the boundary just past has not settled yet');
  assert.equal(nextSettle(T + AFTER - 1, ivs, GRACE), T + AFTER);
  assert.equal(nextSettle(T + AFTER, ivs, GRACE), T + MIN + AFTER, 'settled: the next boundary');
  assert.equal(nextSettle(T - 1, ivs, GRACE), T + AFTER, 'the minute before has settled long since');
  // 45 s and 1 m bars: whichever boundary comes first.
  const t = 1_700_000_000_000 - (1_700_000_000_000 % (3 * MIN));
  assert.equal(nextSettle(t + AFTER, [45_000, MIN], GRACE), t + 45_000 + AFTER);
  assert.equal(nextSettle(t + 45_000 + AFTER, [45_000, MIN], GRACE), t + MIN + AFTER);
  assert.equal(nextSettle(T, [], GRACE), undefined);
});

test('rendering ahead is worth it only while something scrapes, less often than bars close, and not once a scrape came after the bars settled', () => {
  const settled = T + AFTER;
  const seen = { last: settled - 5_000, before: settled - 20_000, gzip: true };
  assert.equal(worthRendering(settled, settled, MIN, seen), true);
  assert.equal(worthRendering(settled, settled, MIN, undefined), false, 'never scraped');
  assert.equal(worthRendering(settled, settled, MIN, { ...seen, before: undefined }), false, 'one scrape: no period yet');
  assert.equal(worthRendering(settled, settled, 15_000, seen), false, 'bars as short as the scrape period');
  assert.equal(worthRendering(settled + 26_000, settled, MIN, seen), false, 'no scrape for over two periods: nothing scrapes');
  assert.equal(worthRendering(settled + 200, settled, MIN, { last: settled + 100, before: settled - 14_900, gzip: true }), false, 'a scrape since: it did the work');
});

/** Timers that fire when the test moves the clock. */
class Clock implements AheadClock {
  t = T + 30_000;
  private timers: { at: number; fn: () => void; on: boolean }[] = [];
  now = (): number => this.t;
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn, on: true };
    this.timers.push(timer);
    return () => void (timer.on = false);
  }
  get pending(): number {
    return this.timers.filter((x) => x.on).length;
  }
  /** Move to `t`, firing each timer due by then at its time. */
  async to(t: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((x) => x.on && x.at <= t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.on = false;
      this.t = due.at;
      due.fn();
      // Whatever the render's promise schedules next.
      await new Promise((r) => setImmediate(r));
    }
    this.t = t;
  }
}

/** `hold`: each render stays under way until done() is called. */
function ahead(intervals: number[] = [MIN, 5 * MIN], hold = false) {
  const clock = new Clock();
  const renders: { at: number; gzip: boolean }[] = [];
  const lines: string[] = [];
  let finish: () => void = () => undefined;
  const r = new RenderAhead({
    intervalsMs: () => intervals,
    graceMs: () => GRACE,
    render: (gzip) => {
      renders.push({ at: clock.t, gzip });
      return hold ? new Promise<void>((res) => (finish = res)) : Promise.resolve();
    },
    log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    clock,
  });
  return { clock, renders, lines, r, done: () => finish(), intervals };
}

/** Full scrapes every 15 s in [from, to). */
async function scrapes(clock: Clock, r: RenderAhead, from: number, to: number, gzip = true): Promise<void> {
  for (let t = from; t < to; t += 15_000) {
    await clock.to(t);
    r.scraped(gzip);
  }
}

test('renders once per boundary, after the bars settled, as the last full scrape was; a stop waits for a render under way', async () => {
  const { clock, renders, lines, r, done } = ahead(undefined, true);
  r.start();
  await clock.to(T + MIN + AFTER + 1);
  assert.deepEqual(renders, [], 'nothing scrapes yet');
  await scrapes(clock, r, T + MIN + 5_000, T + 2 * MIN);
  await clock.to(T + 2 * MIN + AFTER);
  assert.deepEqual(renders, [{ at: T + 2 * MIN + AFTER, gzip: true }]);
  assert.equal(clock.pending, 0, 'no next boundary before the render is done');
  done();
  await new Promise((res) => setImmediate(res));
  assert.ok(lines.some((l) => l.includes('rendered /metrics ahead')), lines.join('\n'));
  assert.equal(clock.pending, 1, 'then the next boundary');
  await scrapes(clock, r, T + 2 * MIN + 5_000, T + 3 * MIN, false);
  await clock.to(T + 3 * MIN + AFTER);
  assert.deepEqual(renders.at(-1), { at: T + 3 * MIN + AFTER, gzip: false }, 'as the last scrape: plain');
  const stopped = r.stop();
  let over = false;
  void stopped.then(() => (over = true));
  await new Promise((res) => setImmediate(res));
  assert.equal(over, false, 'the render under way is not done');
  done();
  await stopped;
  await clock.to(T + 10 * MIN);
  assert.equal(renders.length, 2, 'none after stop');
});

test('the wall clock stepping back after a render does not render the same boundary again', async () => {
  const { clock, renders, r, done } = ahead(undefined, true);
  r.start();
  await scrapes(clock, r, T + 31_000, T + MIN);
  await clock.to(T + MIN + AFTER);
  assert.equal(renders.length, 1);
  clock.t -= 500;
  done();
  await new Promise((res) => setImmediate(res));
  await clock.to(T + MIN + AFTER + 10_000);
  assert.deepEqual(renders.map((x) => x.at), [T + MIN + AFTER]);
  await r.stop();
});

test('scrapes stop: no render once none came for two periods', async () => {
  const { clock, renders, r } = ahead();
  r.start();
  await scrapes(clock, r, T + 31_000, T + MIN + 20_000);
  await clock.to(T + 5 * MIN);
  assert.deepEqual(renders.map((x) => x.at), [T + MIN + AFTER]);
  await r.stop();
});

test('a render that fails is logged, and the next boundary still renders', async () => {
  const clock = new Clock();
  const lines: string[] = [];
  let calls = 0;
  const r = new RenderAhead({
    intervalsMs: () => [MIN],
    graceMs: () => GRACE,
    render: () => (++calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()),
    log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    clock,
  });
  r.start();
  for (let t = T + 40_000; t < T + 3 * MIN; t += 15_000) {
    await clock.to(t);
    r.scraped(true);
  }
  assert.equal(calls, 2);
  assert.ok(lines.some((l) => l.includes('rendering /metrics ahead failed') && l.includes('boom')), lines.join('\n'));
  await r.stop();
});

test('bars shorter than the scrape period: no render; a reload to longer bars counts from the next boundary', async () => {
  const { clock, renders, r, intervals } = ahead([10_000]);
  r.start();
  await scrapes(clock, r, T + 31_000, T + 2 * MIN);
  assert.equal(renders.length, 0, '10 s bars, scraped every 15 s');
  intervals.splice(0, 1, MIN);
  await scrapes(clock, r, T + 2 * MIN + 1_000, T + 4 * MIN);
  // The timer set for the 10 s boundary at 1m50s fires after the reload: judged by 10 s bars.
  assert.deepEqual(renders.map((x) => x.at), [T + 2 * MIN + AFTER, T + 3 * MIN + AFTER]);
  await r.stop();
});

const cfg = { intervals: [{ label: '1m', ms: MIN }, { label: '5m', ms: 5 * MIN }], windows: [{ label: '1m', ms: MIN }], indicators: DEFAULT_INDICATORS };
const self: SelfStats = {
  queueDepth: 0, queueCapacity: 100, loopLag: 0, loopLagMax: 0, loopUtil: 0, version: '1', nodeVersion: 'v20',
  reloadOk: 1, reloadTime: 1700000000, scrapeDuration: 0.01, logsSuppressed: {},
};

/** The pieces a gzipped render writes, keyed by the family (or `family 5m`) each holds. */
async function gzipPieces(m: Map<string, FeedState>): Promise<{ byFamily: Map<string, Buffer>; text: string }> {
  const join = new GzipJoin();
  const pieces: Buffer[] = [];
  await streamMarket(m, self, (c) => void pieces.push(c), { sliceMs: 0, gzip: join });
  return { byFamily: new Map(pieces.map((p) => [pieceFamily(p), p])), text: oneMember(Buffer.concat([join.start(), ...pieces, join.end()])) };
}

test('what the service renders ahead: the next gzipped scrape sends the bar and indicator pieces it made, and the same text as a render from scratch', async () => {
  const f = new FeedState('sim', Array.from({ length: 50 }, (_, i) => `S${i}`), cfg);
  const m = new Map([['sim', f]]);
  for (let k = 0; k < 40; k++) for (const s of f.symbols.values()) s.applyTrade(100 + Math.sin(k + s.symbol.length), 1, T + k * MIN);
  await gzipPieces(m);
  // The minute's bars close; then the render ahead, as service.ts makes it (the bytes dropped).
  for (const s of f.symbols.values()) s.applyTrade(101, 1, T + 40 * MIN);
  const ahead = await gzipPieces(m);
  // Trades between it and the scrape move prices, not bars.
  for (const s of f.symbols.values()) s.applyTrade(102, 1, T + 40 * MIN + 1_000);
  const scrape = await gzipPieces(m);
  assert.equal(scrape.text, renderMarket(m, self));
  for (const fam of ['market_indicator', 'market_bar_close']) {
    assert.ok(ahead.byFamily.get(fam), fam);
    assert.equal(scrape.byFamily.get(fam), ahead.byFamily.get(fam), `${fam}: the piece made ahead`);
  }
  assert.notEqual(scrape.byFamily.get('market_price'), ahead.byFamily.get('market_price'), 'the price moved: made again');
});
