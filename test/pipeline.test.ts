import { describe, test, vi } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import type { Adapter, MarketEvent } from '../src/feeds/types.js';
import { applier as stateApplier, type FeedControl } from '../src/ingest.js';
import { createLogger } from '../src/log.js';
import { FeedState } from '../src/market/feed-state.js';
import type { Applier } from '../src/market/queue.js';
import { Pipeline, type Tickable } from '../src/pipeline.js';
import { APPLY_BUDGET_MS, APPLY_STEP, DRAIN_SLICE, EAGER_PER_TURN, TICK_MS, TICK_STEP } from '../src/runtime/budgets.js';
import { createEchoAdapter } from './support/echo-adapter.js';
import { FakeClock } from './support/fake-clock.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '1m', ms: 60_000 }], indicators: DEFAULT_INDICATORS };
const control: FeedControl = { noteAlive: () => undefined, reconnect: () => undefined };
const echo = createEchoAdapter();
let seq = 0;
const trade = (symbol = 'AAA', price = 100) => JSON.stringify({ type: 'trade', s: symbol, p: String(price), q: '1', T: 1_718_000_000_000, t: ++seq });

interface Setup {
  capacity?: number;
  /** Clock time one applied event costs. */
  costMs?: number;
  symbols?: Tickable[];
  grace?: () => number;
  applier?: Applier;
}

function setup({ capacity = 100_000, costMs = 0, symbols = [], grace = () => 2_000, applier }: Setup = {}) {
  const clock = new FakeClock();
  const lines: string[] = [];
  const feed = new FeedState('echo', ['AAA', 'BBB'], cfg);
  let applied = 0;
  const counting: Applier = applier ?? {
    apply(s, ev) {
      applied++;
      clock.t += costMs;
      stateApplier.apply(s, ev);
    },
    applyMerged(s, m) {
      applied++;
      clock.t += costMs;
      stateApplier.applyMerged(s, m);
    },
  };
  const pipeline = new Pipeline({
    log: createLogger({ write: (l) => lines.push(l) }),
    queueCapacity: capacity,
    symbols: () => symbols[Symbol.iterator](),
    barCloseGraceMs: grace,
    clock,
    applier: counting,
  });
  const frame = (text = trade(), adapter: Adapter = echo) => pipeline.frame(feed, adapter, control, text, 1_718_000_000_100, 0);
  return { clock, pipeline, feed, frame, lines, applied: () => applied };
}

describe('processing time', () => {
  test('is taken on the pipeline clock, from the start to the end of ingest', () => {
    const { clock, frame, feed } = setup();
    // Ingest's own work moves the clock 3 ms; eager apply reads it after ingest has timed the frame.
    const adapter: Adapter = { ...echo, parse: (text) => ((clock.t += 3), echo.parse(text)) };
    frame(trade('AAA', 101), adapter);
    frame(trade('AAA', 102), adapter);
    assert.equal(feed.processing.count, 2);
    assert.equal(feed.processing.sum, 0.006);
    assert.equal(feed.symbols.get('AAA')!.price, 102);
  });

  test('a frame reads the clock twice: eager apply starts on the reading that ended ingest', () => {
    const { clock, frame, applied } = setup();
    let reads = 0;
    const now = clock.now;
    clock.now = () => (reads++, now());
    frame();
    assert.equal(applied(), 1, 'applied eagerly');
    assert.equal(reads, 2);
  });

  test('on a test clock, a connection\'s reading (another clock) is not mixed in', () => {
    const { pipeline, feed } = setup();
    pipeline.frame(feed, echo, control, trade(), 1_718_000_000_100, 0, -1_000);
    assert.equal(feed.processing.count, 1);
    assert.equal(feed.processing.sum, 0);
  });

  test('on the real clock, a frame is timed from its connection\'s reading, and the clock read once', () => {
    const feed = new FeedState('echo', ['AAA'], cfg);
    const pipeline = new Pipeline({ log: createLogger({ write: () => undefined }), queueCapacity: 1_000, symbols: () => [][Symbol.iterator](), barCloseGraceMs: () => 2_000 });
    const reads = vi.spyOn(performance, 'now');
    try {
      // Handed on 5 ms ago, as a connection's budget reading would be after decoding a long frame.
      const startedAt = performance.now() - 5;
      reads.mockClear();
      pipeline.frame(feed, echo, control, trade(), Date.now(), 0, startedAt);
      assert.equal(reads.mock.calls.length, 1, 'only the reading that ends ingest (eager apply starts on it)');
      assert.equal(feed.symbols.get('AAA')!.lastUpdate > 0, true, 'taken in');
      assert.equal(feed.symbols.get('AAA')!.price, 100, 'applied eagerly');
      assert.equal(feed.processing.count, 1);
      assert.equal(feed.processing.sum >= 0.005, true, `${feed.processing.sum} s`);
      // Without the reading, ingest takes its own start.
      reads.mockClear();
      pipeline.frame(feed, echo, control, trade(), Date.now(), 0);
      assert.equal(reads.mock.calls.length, 2);
    } finally {
      reads.mockRestore();
      pipeline.stop();
    }
  });
});

describe('eager apply', () => {
  test('a frame is applied before its handler returns, no turn needed', () => {
    const { frame, feed, applied, pipeline } = setup();
    frame(trade('AAA', 101.5));
    assert.equal(applied(), 1);
    assert.equal(pipeline.depth, 0);
    assert.equal(feed.symbols.get('AAA')!.price, 101.5);
  });

  test('stops once the turn has spent APPLY_BUDGET_MS; the rest waits for the drain, in order', () => {
    const { clock, frame, applied, pipeline, feed } = setup({ costMs: 1 });
    for (let i = 1; i <= 10; i++) frame(trade('AAA', 100 + i));
    // Each event costs 1 ms: the budget holds APPLY_BUDGET_MS of them.
    assert.equal(applied(), APPLY_BUDGET_MS);
    assert.equal(pipeline.depth, 10 - APPLY_BUDGET_MS);
    assert.equal(clock.pendingTurns, 1, 'one drain scheduled, however many frames came');
    clock.settle();
    assert.equal(applied(), 10);
    assert.equal(feed.symbols.get('AAA')!.price, 110, 'the last frame wins: order kept');
  });

  test('without time passing, EAGER_PER_TURN bounds a turn; the drain turn gives it back', () => {
    const { clock, frame, applied, pipeline } = setup();
    const n = EAGER_PER_TURN + 100;
    for (let i = 0; i < n; i++) frame();
    assert.equal(applied(), EAGER_PER_TURN);
    assert.equal(pipeline.depth, 100);
    clock.turn();
    assert.equal(pipeline.depth, 0);
    frame();
    assert.equal(applied(), n + 1, 'a new turn applies eagerly again');
  });

  test('never more per turn than the queue holds', () => {
    const { clock, frame, applied, pipeline } = setup({ capacity: 8 });
    for (let i = 0; i < 20; i++) frame(trade(i % 2 ? 'AAA' : 'BBB'));
    assert.equal(applied(), 8);
    clock.settle();
    assert.equal(pipeline.depth, 0);
  });
});

describe('drain', () => {
  test('a slice ends at the time budget, checked every APPLY_STEP events, and reschedules itself', () => {
    const { clock, frame, applied, pipeline } = setup({ costMs: 1 });
    const n = 300;
    for (let i = 0; i < n; i++) frame();
    const queued = n - APPLY_BUDGET_MS;
    assert.equal(pipeline.depth, queued);
    const perTurn: number[] = [];
    while (clock.pendingTurns > 0) {
      const before = applied();
      clock.turn();
      perTurn.push(applied() - before);
    }
    // 1 ms per event overshoots the 4 ms budget at the first clock read: one step per slice.
    assert.deepEqual(perTurn, [...Array<number>(Math.floor(queued / APPLY_STEP)).fill(APPLY_STEP), queued % APPLY_STEP]);
    assert.equal(pipeline.depth, 0);
  });

  test('without time passing, DRAIN_SLICE bounds a slice', () => {
    const { clock, frame, pipeline } = setup();
    const n = EAGER_PER_TURN + DRAIN_SLICE + 10;
    for (let i = 0; i < n; i++) frame();
    assert.equal(pipeline.depth, DRAIN_SLICE + 10);
    clock.turn();
    assert.equal(pipeline.depth, 10);
    assert.equal(clock.pendingTurns, 1);
    clock.turn();
    assert.equal(pipeline.depth, 0);
    assert.equal(clock.pendingTurns, 0, 'an empty queue schedules nothing');
  });

  test('after stop, no drain is scheduled and queued events stay', () => {
    const { clock, frame, pipeline } = setup({ costMs: 1 });
    for (let i = 0; i < 10; i++) frame();
    clock.turn();
    pipeline.stop();
    frame();
    frame();
    assert.equal(clock.pendingTurns, 0);
  });

  test('forgotten symbols are not applied', () => {
    const { clock, frame, pipeline, feed } = setup({ costMs: 1 });
    for (let i = 0; i < 10; i++) frame(trade('AAA', 100 + i));
    frame(trade('BBB', 7));
    pipeline.forget(new Set([feed.symbols.get('AAA')!]));
    clock.settle();
    assert.equal(feed.symbols.get('AAA')!.price, 100 + APPLY_BUDGET_MS - 1, 'only what eager apply took');
    assert.equal(feed.symbols.get('BBB')!.price, 7);
  });

  test('reset: a fresh empty queue of the new capacity, the probe kept', () => {
    const { clock, frame, pipeline } = setup({ costMs: 1 });
    const arrivals: number[] = [];
    pipeline.setProbe((at) => arrivals.push(at));
    for (let i = 0; i < 10; i++) frame();
    pipeline.reset(5);
    assert.equal(pipeline.depth, 0);
    assert.equal(pipeline.capacity, 5);
    clock.settle();
    const before = arrivals.length;
    frame();
    assert.equal(arrivals.length, before + 1);
    assert.ok(Number.isFinite(arrivals.at(-1)), 'the arrival time of a frame applied as is');
  });

  test('an apply that throws is logged and costs only its event', () => {
    let n = 0;
    const applier: Applier = {
      apply(s, ev) {
        if (++n === 2) throw new Error('boom');
        stateApplier.apply(s, ev);
      },
      applyMerged: stateApplier.applyMerged,
    };
    const { frame, feed, lines } = setup({ applier });
    frame(trade('AAA', 1));
    frame(trade('AAA', 2));
    frame(trade('AAA', 3));
    assert.equal(feed.symbols.get('AAA')!.price, 3);
    assert.equal(lines.filter((l) => l.includes('applying an event failed') && l.includes('boom')).length, 1);
  });

  test('a frame the ingest step throws on is counted as an internal error, not thrown', () => {
    const { frame, feed } = setup();
    const hostile: Adapter = {
      ...echo,
      parse: () => [
        {
          get kind(): never {
            throw new Error('hostile event');
          },
        } as unknown as MarketEvent,
      ],
    };
    frame('{}', hostile);
    assert.equal(feed.errors.internal_error, 1);
    frame(trade('AAA', 5));
    assert.equal(feed.symbols.get('AAA')!.price, 5, 'the next frame goes through');
  });
});

describe('idle-bar tick', () => {
  const ticker = (clock: FakeClock, costMs = 0) => {
    const calls: [number, number][] = [];
    return {
      calls,
      symbol: {
        tick(now: number, grace: number) {
          calls.push([now, grace]);
          clock.t += costMs;
        },
      } satisfies Tickable,
    };
  };

  test('every TICK_MS, one pass over every symbol with the wall clock and the grace of the moment', () => {
    const symbols: Tickable[] = [];
    let grace = 2_000;
    const { clock, pipeline } = setup({ symbols, grace: () => grace });
    const a = ticker(clock);
    const b = ticker(clock);
    symbols.push(a.symbol, b.symbol);
    assert.equal(clock.fire(TICK_MS), 0, 'nothing before start');
    pipeline.start();
    assert.equal(clock.fire(TICK_MS), 1);
    grace = 500;
    clock.wall += TICK_MS;
    clock.fire(TICK_MS);
    assert.deepEqual(a.calls, [
      [1_718_000_000_000, 2_000],
      [1_718_000_001_000, 500],
    ]);
    assert.deepEqual(b.calls, a.calls);
    pipeline.stop();
    assert.equal(clock.fire(TICK_MS), 0, 'stop clears the timer');
  });

  test('a pass over budget yields every TICK_STEP symbols; a tick during it starts no second pass', () => {
    const symbols: Tickable[] = [];
    const { clock, pipeline } = setup({ symbols });
    const t = ticker(clock, 1);
    const n = 3 * TICK_STEP + 10;
    for (let i = 0; i < n; i++) symbols.push(t.symbol);
    pipeline.start();
    clock.fire(TICK_MS);
    assert.equal(t.calls.length, TICK_STEP, 'over budget at the first clock read');
    clock.fire(TICK_MS);
    assert.equal(t.calls.length, TICK_STEP, 'the running pass finishes first');
    assert.equal(clock.settle(), 3);
    assert.equal(t.calls.length, n);
    assert.ok(t.calls.every(([now]) => now === 1_718_000_000_000), 'one pass, one time');
    clock.fire(TICK_MS);
    assert.equal(t.calls.length, n + TICK_STEP, 'once done, the next tick starts a pass');
  });

  test('stop ends a pass in progress', () => {
    const symbols: Tickable[] = [];
    const { clock, pipeline } = setup({ symbols });
    const t = ticker(clock, 1);
    for (let i = 0; i < 2 * TICK_STEP; i++) symbols.push(t.symbol);
    pipeline.start();
    clock.fire(TICK_MS);
    pipeline.stop();
    clock.settle();
    assert.equal(t.calls.length, TICK_STEP);
  });

  test('a symbol that throws ends the pass, logged; the next tick tries again', () => {
    let fail = true;
    const calls: string[] = [];
    const symbols: Tickable[] = [
      { tick: () => void calls.push('a') },
      {
        tick: () => {
          calls.push('b');
          if (fail) throw new Error('tick broke');
        },
      },
      { tick: () => void calls.push('c') },
    ];
    const { clock, pipeline, lines } = setup({ symbols });
    pipeline.start();
    clock.fire(TICK_MS);
    assert.deepEqual(calls, ['a', 'b']);
    assert.ok(lines.some((l) => l.includes('tick broke')));
    fail = false;
    clock.fire(TICK_MS);
    assert.deepEqual(calls, ['a', 'b', 'a', 'b', 'c']);
  });
});
