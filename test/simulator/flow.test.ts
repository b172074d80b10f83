/** The simulator's rate-driven flow as a client sees it: spread over time, and lossy when unread. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { binance } from '../../src/feeds/binance.js';
import type { TradeEvent } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';
import { syntheticSymbol } from '../../src/simulator/market.js';
import { Simulator } from '../../src/simulator/server.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ write: () => {} });

async function subscriber(sim: Simulator, streams: string[]): Promise<{ ws: WebSocket; trades: TradeEvent[] }> {
  const ws = new WebSocket(`${sim.url}/stream`);
  const trades: TradeEvent[] = [];
  ws.on('message', (d: Buffer) => {
    for (const e of binance.parse(d.toString())) if (e.kind === 'trade') trades.push(e);
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: streams, id: 1 }));
  await waitFor(() => sim.state().streams === streams.length, 'the subscription');
  return { ws, trades };
}

test('staggered, a steady rate is spread over time: the symbols do not all come due in the same tick', async () => {
  const symbols = Array.from({ length: 50 }, (_, i) => syntheticSymbol(i));
  const sim = await Simulator.start({ symbols, ratePerSymbol: 0, seed: 1, log: quiet, stagger: true });
  try {
    const c = await subscriber(sim, symbols.map((s) => `${s.toLowerCase()}@trade`));
    sim.setRate(4);
    await waitFor(() => new Set(c.trades.map((t) => t.symbol)).size === symbols.length, 'a trade from every symbol', { timeoutMs: 10_000 });
    // Each symbol's first trade: in lock-step they would all carry one tick's event time.
    const first = new Map<string, number>();
    for (const t of c.trades) if (!first.has(t.symbol)) first.set(t.symbol, t.eventTime);
    assert.ok(new Set(first.values()).size >= 3, `first trades at ${new Set(first.values()).size} distinct times`);
    c.ws.terminate();
  } finally {
    await sim.stop();
  }
});

test('a client that stops reading loses frames (counted), and sees the loss as a trade-id gap', async () => {
  const sim = await Simulator.start({ symbols: ['BTCUSDT'], ratePerSymbol: 0, seed: 1, log: quiet, maxBufferedBytes: 64 * 1024 });
  try {
    const c = await subscriber(sim, ['btcusdt@trade']);
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    sim.setRate(20_000);
    await waitFor(() => sim.state().framesDropped > 0, 'frames dropped for the stalled client', { timeoutMs: 20_000 });
    sim.setRate(0);
    const { framesDropped: dropped, tradesGenerated: before } = sim.state();
    socket.resume();
    sim.setRate(50);
    // Ids count every trade generated, so one above `before` was sent after the client caught up.
    await waitFor(() => c.trades.some((t) => t.seq! > before), 'a trade generated after resuming', { timeoutMs: 20_000 });
    const ids = c.trades.map((t) => t.seq!);
    const gaps = ids.slice(1).filter((id, i) => id !== ids[i]! + 1);
    assert.ok(gaps.length > 0, 'the lost frames show as a jump in trade ids');
    const st = sim.state();
    // Every trade is accounted for: received, or dropped.
    assert.ok(st.tradesGenerated >= c.trades.length + dropped, `generated ${st.tradesGenerated}, received ${c.trades.length}, dropped ${dropped}`);
    c.ws.terminate();
  } finally {
    await sim.stop();
  }
});
