import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { buildConfig } from '../src/config/load.js';
import { Exporter } from '../src/exporter.js';
import { sharedReadBudget } from '../src/feeds/read-budget.js';
import { createLogger } from '../src/log.js';
import { DRAIN_SLICE } from '../src/runtime/budgets.js';
import { Simulator } from '../src/simulator/server.js';
import { FakeClock } from './support/fake-clock.js';
import { waitFor } from './support/wait-for.js';

const quiet = createLogger({ level: 'error' });
// Refuses connections: the feed runs its lifecycle without anything arriving.
const NOWHERE = 'ws://127.0.0.1:1';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function exporterOn(url: string, clock?: FakeClock): Exporter {
  const e = new Exporter(buildConfig({ feeds: [{ name: 'sim', venue: 'binance', url, symbols: ['AAAUSDT'] }] }), { log: quiet, clock });
  cleanups.push(() => e.stop());
  e.start();
  return e;
}

// What a scrape gives way to (render.ts `backlog`): it must say yes exactly while ingest has work
// waiting, or a scrape either starves ingest or yields for nothing.
describe('backlogged', () => {
  test('while socket reads wait for a later turn, and not once they ran', async () => {
    const e = exporterOn(NOWHERE);
    assert.equal(e.backlogged, false, 'nothing waits');
    let ran = false;
    sharedReadBudget.defer(() => void (ran = true));
    assert.equal(e.backlogged, true, 'a read deferred to the next turn');
    await nextTurn();
    assert.ok(ran);
    assert.equal(e.backlogged, false, 'the deferred read ran');
  });

  test('while events wait in the queue for apply, and not once they are applied', async () => {
    const sim = await Simulator.start({ symbols: ['AAAUSDT'], ratePerSymbol: 0, log: quiet });
    cleanups.push(() => sim.stop());
    // Applies run only when the test turns this clock, beyond the first turn's eager ones.
    const clock = new FakeClock();
    const e = exporterOn(sim.url, clock);
    // Connected is not yet subscribed: a backfill goes only to the streams the simulator has.
    await waitFor(() => e.ready && sim.state().streams === 2, 'the trade and book streams subscribed');
    const trades = DRAIN_SLICE + 1_000;
    assert.equal((await sim.backfill(trades / 60, 1_000)).sent, trades);
    await waitFor(() => e.queueDepth > 0, 'events queued behind the eager applies');
    assert.equal(e.backlogged, true, `${e.queueDepth} events queued`);
    const state = e.states().get('sim')!;
    await waitFor(
      () => {
        clock.settle();
        return state.symbols.get('AAAUSDT')!.trades === trades && sharedReadBudget.waitingCount === 0 && e.queueDepth === 0;
      },
      'every trade applied',
    );
    assert.equal(e.backlogged, false);
  });
});
