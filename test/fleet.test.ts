import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { buildConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { Fleet } from '../src/fleet.js';
import { createLogger } from '../src/log.js';
import { Pipeline } from '../src/pipeline.js';
import { Simulator } from '../src/simulator/server.js';
import { waitFor } from './support/wait-for.js';

const quiet = createLogger({ level: 'error' });
// Refuses connections: the feeds run their lifecycle without anything arriving.
const NOWHERE = 'ws://127.0.0.1:1';

const config = (feeds: { name: string; symbols: string[]; url?: string }[], top: Record<string, unknown> = {}): Config =>
  buildConfig({ ...top, feeds: feeds.map((f) => ({ venue: 'binance', url: NOWHERE, ...f })) });

const running: Fleet[] = [];
afterEach(async () => {
  for (const f of running.splice(0)) await f.stop();
});

function start(c: Config): { fleet: Fleet; pipeline: Pipeline } {
  const holder: { fleet?: Fleet } = {};
  const pipeline = new Pipeline({
    log: quiet,
    queueCapacity: c.limits.queueCapacity,
    symbols: () => holder.fleet!.symbols(),
    barCloseGraceMs: () => holder.fleet!.current.barCloseGraceMs,
  });
  const fleet = new Fleet(c, pipeline, quiet);
  holder.fleet = fleet;
  running.push(fleet);
  fleet.start();
  return { fleet, pipeline };
}

describe('start', () => {
  test('one running feed per configured feed, its status copied into its state at once', () => {
    const { fleet } = start(config([{ name: 'a', symbols: ['AAAUSDT', 'BBBUSDT'] }, { name: 'b', symbols: ['CCCUSDT'] }]));
    assert.deepEqual([...fleet.feeds.keys()], ['a', 'b']);
    const a = fleet.feeds.get('a')!.state;
    assert.deepEqual([...a.symbols.keys()], ['AAAUSDT', 'BBBUSDT']);
    assert.equal(a.connectionsPlanned, 1);
    assert.equal(a.streams, 4, '2 symbols x (trade, bookTicker)');
    assert.equal(a.up, 0);
    assert.equal(fleet.ready, false, 'nothing has connected');
    assert.equal([...fleet.symbols()].length, 3);
  });

  test('a sharded config runs each feed with only its shard of the symbols', () => {
    const symbols = Array.from({ length: 40 }, (_, i) => `S${i}USDT`);
    const whole = start(config([{ name: 'a', symbols }])).fleet;
    const part = start(config([{ name: 'a', symbols }], { shard: { index: 0, count: 2 } })).fleet;
    const n = part.feeds.get('a')!.state.symbols.size;
    assert.ok(n > 0 && n < whole.feeds.get('a')!.state.symbols.size, `${n} of 40`);
  });

  test('frames reach symbol state through the pipeline; ready once every feed connected', async () => {
    const sim = await Simulator.start({ symbols: ['AAAUSDT'], ratePerSymbol: 50, log: quiet });
    try {
      const { fleet } = start(config([{ name: 'sim', symbols: ['AAAUSDT'], url: sim.url }]));
      await waitFor(() => fleet.ready, 'connected');
      const st = fleet.feeds.get('sim')!.state;
      await waitFor(() => st.symbols.get('AAAUSDT')!.price > 0, 'a price');
      assert.equal(st.up, 1);
      assert.equal(st.connections, 1);
    } finally {
      await sim.stop();
    }
  });
});

describe('reload', () => {
  test('an unchanged feed keeps its sockets and state', async () => {
    const c = config([{ name: 'a', symbols: ['AAAUSDT'] }]);
    const { fleet } = start(c);
    const before = fleet.feeds.get('a')!;
    await fleet.reload(config([{ name: 'a', symbols: ['AAAUSDT'] }], { logLevel: 'debug' }));
    assert.equal(fleet.feeds.get('a')!.feed, before.feed);
    assert.equal(fleet.feeds.get('a')!.state, before.state);
  });

  test('instruments and asset aliases rename symbols in place: no reconnect', async () => {
    const { fleet } = start(config([{ name: 'a', symbols: ['XBTUSDT', 'ETHUSDT'] }]));
    const before = fleet.feeds.get('a')!;
    const inst = () => [...fleet.feeds.get('a')!.state.symbols.values()].map((s) => s.instrument);
    assert.deepEqual(inst(), ['BTC/USDT', 'ETH/USDT'], 'parsed, XBT through the built-in aliases');
    const next = buildConfig({ assetAliases: { XBT: 'XBT' }, feeds: [{ name: 'a', venue: 'binance', url: NOWHERE, symbols: ['XBTUSDT', 'ETHUSDT'], instruments: { ETHUSDT: 'ETH/USD' } }] });
    await fleet.reload(next);
    assert.deepEqual(inst(), ['XBT/USDT', 'ETH/USD'], 'the alias overridden, the override applied');
    assert.equal(fleet.feeds.get('a')!.feed, before.feed, 'same sockets');
    assert.equal(fleet.feeds.get('a')!.state.reconnects.config_reload, 0);
  });

  test('a changed feed reconnects, keeps the symbols it still carries, and counts a config_reload', async () => {
    const { fleet } = start(config([{ name: 'a', symbols: ['AAAUSDT', 'BBBUSDT'] }]));
    const before = fleet.feeds.get('a')!;
    const kept = before.state.symbols.get('AAAUSDT');
    await fleet.reload(config([{ name: 'a', symbols: ['AAAUSDT', 'CCCUSDT'] }]));
    const after = fleet.feeds.get('a')!;
    assert.notEqual(after.feed, before.feed, 'new sockets');
    assert.equal(after.state, before.state, 'the same counters');
    assert.equal(after.state.symbols.get('AAAUSDT'), kept, 'a kept symbol keeps its state');
    assert.deepEqual([...after.state.symbols.keys()].sort(), ['AAAUSDT', 'CCCUSDT']);
    assert.equal(after.state.reconnects.config_reload, 1);
  });

  test('feeds no longer configured go, new ones start', async () => {
    const { fleet } = start(config([{ name: 'a', symbols: ['AAAUSDT'] }, { name: 'b', symbols: ['BBBUSDT'] }]));
    await fleet.reload(config([{ name: 'b', symbols: ['BBBUSDT'] }, { name: 'c', symbols: ['CCCUSDT'] }]));
    assert.deepEqual([...fleet.feeds.keys()].sort(), ['b', 'c']);
  });

  test('a change that reshapes every symbol (intervals, queue size) rebuilds every feed and the queue', async () => {
    const { fleet, pipeline } = start(config([{ name: 'a', symbols: ['AAAUSDT'] }]));
    const before = fleet.feeds.get('a')!;
    await fleet.reload(config([{ name: 'a', symbols: ['AAAUSDT'] }], { intervals: ['1m'], limits: { queueCapacity: 77 } }));
    const after = fleet.feeds.get('a')!;
    assert.notEqual(after.state, before.state);
    assert.notEqual(after.state.symbols.get('AAAUSDT'), before.state.symbols.get('AAAUSDT'));
    assert.equal(pipeline.capacity, 77);
    assert.deepEqual(fleet.current.intervals.map((i) => i.label), ['1m']);
  });
});
