/** The simulator's backfill knob as a real ws client sees it: history, in order, nothing lost. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { binance } from '../../src/feeds/binance.js';
import type { TradeEvent } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';
import type { BackfillResult } from '../../src/simulator/control.js';
import { Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ write: () => {} });

/** A client subscribed through the URL (no request to answer, so it can pause before any data). */
async function subscriber(sim: Simulator, streams: string[]): Promise<{ ws: WebSocket; trades: TradeEvent[] }> {
  const ws = new WebSocket(`${sim.url}/stream?streams=${streams.join('/')}`);
  const trades: TradeEvent[] = [];
  ws.on('message', (d: Buffer) => {
    for (const e of binance.parse(d.toString())) if (e.kind === 'trade') trades.push(e);
  });
  ws.on('error', () => {});
  await once(ws, 'open');
  return { ws, trades };
}

async function withSim(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await Simulator.start({ symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], ratePerSymbol: 0, seed: 7, log: quiet, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

const ids = (ts: readonly TradeEvent[]) => ts.map((t) => t.seq);
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('simulator backfill', () => {
  test('two subscribed symbols get trades every step over the range, symbol by symbol, oldest first, ids contiguous', async () => {
    await withSim({}, async (sim) => {
      const c = await subscriber(sim, ['btcusdt@trade', 'ethusdt@trade']);
      await waitFor(() => sim.state().streams === 2, 'the subscription');
      const end = Date.now();
      const r = await sim.backfill(10, 30_000, end);
      // SOLUSDT has no subscriber: it gets nothing and its walk does not move.
      assert.deepEqual(r, { symbols: 2, trades: 40, sent: 40, skipped: 0, from: end - 19 * 30_000, to: end, stepMs: 30_000 });
      await waitFor(() => c.trades.length === 40, '40 trades');
      for (const sym of ['BTCUSDT', 'ETHUSDT']) {
        const ts = c.trades.filter((t) => t.symbol === sym);
        assert.deepEqual(ids(ts), range(1, 20), `${sym}: ids 1..20`);
        assert.deepEqual(
          ts.map((t) => t.eventTime),
          range(0, 20).map((i) => r.from + i * 30_000),
          `${sym}: event times walk from ${r.from} to ${end}`,
        );
        // Every 1m bar of the range has a trade.
        const minutes = new Set(ts.map((t) => Math.floor(t.eventTime / 60_000)));
        for (let m = Math.floor(r.from / 60_000); m <= Math.floor(end / 60_000); m++) assert.ok(minutes.has(m), `${sym}: minute ${m} has a trade`);
        // On the walk: small steps, not a new random price each time.
        for (let i = 1; i < ts.length; i++) assert.ok(Math.abs(ts[i]!.price / ts[i - 1]!.price - 1) < 0.01, `${sym} step ${i}`);
      }
      // Symbol by symbol: each one's history in one run, so no exporter's idle-bar pass falls
      // between two trades of a backdated bar.
      assert.deepEqual(
        c.trades.map((t) => t.symbol),
        [...Array<string>(20).fill('BTCUSDT'), ...Array<string>(20).fill('ETHUSDT')],
      );
      // The live flow continues the same id sequence: no gap for an exporter to count.
      sim.burstSymbol('BTCUSDT', 1);
      await waitFor(() => c.trades.length === 41, 'the next trade');
      assert.equal(c.trades[40]!.seq, 21);
      assert.equal(sim.state().backfilling, false);
      c.ws.terminate();
    });
  });

  test('a paused client: the backfill waits for it, loses nothing, and the live flow waits too', async () => {
    // Small limit; the kernel still buffers a few MB, so the history must be larger than that.
    await withSim({ maxBufferedBytes: 64 << 10, ratePerSymbol: 50 }, async (sim) => {
      const c = await subscriber(sim, ['btcusdt@trade', 'ethusdt@trade']);
      await waitFor(() => c.trades.length >= 2, 'the live flow');
      c.ws.pause();
      const end = Date.now() - 60 * 60_000;
      let result: BackfillResult | undefined;
      // The client has live trades already: this history reaches it late, which is asked for here.
      const done = sim.backfill(600, 1_000, end, { allowLate: true }).then((r) => (result = r));
      await waitFor(() => sim.state().backfillWaits > 0, 'the backfill waiting for the paused client', { timeoutMs: 20_000 });
      assert.equal(result, undefined, 'not finished while the client is paused');
      assert.equal(sim.state().backfilling, true);
      c.ws.resume();
      const r = await done;
      assert.equal(r.trades, 2 * 36_000);
      assert.equal(r.skipped, 0);
      assert.equal(r.sent, r.trades);
      // The live flow restarts after it; wait for a few of its trades behind the history.
      await waitFor(() => c.trades.length - c.trades.findLastIndex((t) => t.eventTime <= end) > 4, 'live trades after the backfill', { timeoutMs: 20_000 });
      for (const sym of ['BTCUSDT', 'ETHUSDT']) {
        const ts = c.trades.filter((t) => t.symbol === sym);
        assert.deepEqual(ids(ts), range(ts[0]!.seq!, ts.length), `${sym}: no id gap anywhere`);
      }
      // Backdated trades form one block in arrival order: no live trade landed between them.
      const first = c.trades.findIndex((t) => t.eventTime <= end);
      const block = c.trades.slice(first, first + r.trades);
      assert.ok(
        block.every((t) => t.eventTime <= end),
        'only backdated trades inside the block',
      );
      assert.equal(block[0]!.eventTime, r.from);
      assert.equal(block[block.length - 1]!.eventTime, end);
      c.ws.terminate();
    });
  });

  test('into a client that already has later live trades: refused with what to do; a client connected after is served', async () => {
    await withSim({ ratePerSymbol: 50 }, async (sim) => {
      const early = await subscriber(sim, ['btcusdt@trade']);
      await waitFor(() => early.trades.length >= 2, 'the live flow');
      const http = sim.url.replace('ws:', 'http:');
      const r = await fetch(`${http}/control/backfill?minutes=5`, { method: 'POST' });
      assert.equal(r.status, 400);
      assert.match(((await r.json()) as { error: string }).error, /already has a BTCUSDT trade at .* it would all arrive late.*allowLate=true/);
      assert.equal(sim.state().backfilling, false);
      early.ws.terminate();
      await waitFor(() => sim.state().clients === 0, 'the early client gone');
      // A fresh client (an exporter started now) has seen nothing: the same backfill is history to it.
      sim.pause();
      const late = await subscriber(sim, ['btcusdt@trade']);
      await waitFor(() => sim.state().streams === 1, 'the subscription');
      const ok = await sim.backfill(5, 30_000, Date.now() - 10 * 60_000);
      assert.equal(ok.sent, 10);
      late.ws.terminate();
    });
  });

  test('a client that stops reading is given up on after the stall time: its frames are skipped, counted', async () => {
    await withSim({ maxBufferedBytes: 64 << 10, backfillStallMs: 500 }, async (sim) => {
      const reader = await subscriber(sim, ['btcusdt@trade', 'ethusdt@trade']);
      const stuck = await subscriber(sim, ['btcusdt@trade', 'ethusdt@trade']);
      stuck.ws.pause();
      await waitFor(() => sim.state().clients === 2, 'both clients');
      const r = await sim.backfill(600, 1_000);
      assert.ok(r.skipped > 0, 'the stuck client lost frames');
      assert.equal(r.sent + r.skipped, 2 * r.trades, 'every frame is either sent or counted');
      await waitFor(() => reader.trades.length === r.trades, 'the reader gets everything', { timeoutMs: 20_000 });
      assert.deepEqual(ids(reader.trades.filter((t) => t.symbol === 'ETHUSDT')), range(1, r.trades / 2));
      reader.ws.terminate();
      stuck.ws.terminate();
    });
  });

  test('stopping the simulator ends a backfill that is waiting for a client', async () => {
    await withSim({ maxBufferedBytes: 64 << 10 }, async (sim) => {
      const c = await subscriber(sim, ['btcusdt@trade', 'ethusdt@trade']);
      c.ws.pause();
      const running = sim.backfill(1200, 1_000);
      await waitFor(() => sim.state().backfillWaits > 0, 'the backfill waiting', { timeoutMs: 20_000 });
      await sim.stop();
      const r = await running;
      assert.ok(r.trades < 2 * 72_000, `stopped early: ${r.trades} trades`);
    });
  });

  test('over HTTP: JSON result; bad parameters are 400; one backfill at a time', async () => {
    await withSim({ maxBufferedBytes: 64 << 10 }, async (sim) => {
      const c = await subscriber(sim, ['btcusdt@trade']);
      await waitFor(() => sim.state().streams === 1, 'the subscription');
      const http = sim.url.replace('ws:', 'http:');
      const post = async (path: string) => {
        const res = await fetch(`${http}${path}`, { method: 'POST' });
        return { status: res.status, body: (await res.json()) as { ok: boolean; result?: BackfillResult; error?: string } };
      };
      const r = await post('/control/backfill?minutes=3&step=60&end=1700000000000');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.result, { symbols: 1, trades: 3, sent: 3, skipped: 0, from: 1_699_999_880_000, to: 1_700_000_000_000, stepMs: 60_000 });
      await waitFor(() => c.trades.length === 3, '3 trades');
      // Default step: 30 s.
      assert.equal((await post('/control/backfill?minutes=1')).body.result?.trades, 2);
      for (const q of ['minutes=abc', 'minutes=0', 'minutes=1&step=0', 'minutes=1&step=120', 'minutes=99999', 'minutes=1&end=-5', 'minutes=10000&step=0.001', '']) {
        const bad = await post(`/control/backfill?${q}`);
        assert.equal(bad.status, 400, q);
        assert.equal(bad.body.ok, false, q);
      }
      // A paused client keeps the first one waiting while the second is asked for.
      c.ws.pause();
      const first = sim.backfill(1200, 1_000, undefined, { allowLate: true });
      await waitFor(() => sim.state().backfillWaits > 0, 'the first backfill waiting', { timeoutMs: 20_000 });
      const second = await post('/control/backfill?minutes=1');
      assert.equal(second.status, 400);
      assert.match(second.body.error ?? '', /already running/);
      c.ws.resume();
      assert.equal((await first).skipped, 0);
      c.ws.terminate();
    });
  });
});
