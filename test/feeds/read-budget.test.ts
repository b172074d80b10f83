import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import { ReadBudget, sharedReadBudget } from '../../src/feeds/read-budget.js';
import { WORK_BUDGET_MS } from '../../src/runtime/budgets.js';

/** A budget on a fake clock whose turns run only when the test says so. */
function fake(budgetMs: number): { budget: ReadBudget; clock: { t: number }; turns: (() => void)[]; nextTurn(): void } {
  const clock = { t: 1_000 };
  const turns: (() => void)[] = [];
  const budget = new ReadBudget({ budgetMs, clock: () => clock.t, nextTurn: (fn) => turns.push(fn) });
  return {
    budget,
    clock,
    turns,
    nextTurn: () => {
      const fn = turns.shift();
      assert.ok(fn, 'a turn was scheduled');
      fn();
    },
  };
}

describe('ReadBudget', () => {
  test('defaults: the shared work budget, one shared instance', () => {
    assert.equal(WORK_BUDGET_MS, 4);
    assert.equal(new ReadBudget().budgetMs, WORK_BUDGET_MS);
    assert.equal(sharedReadBudget.budgetMs, WORK_BUDGET_MS);
  });

  test('begin/end charge the clock time between them; exhausted once the budget is reached', () => {
    const { budget, clock } = fake(4);
    const t0 = budget.now();
    clock.t += 2.5;
    budget.end(t0);
    assert.equal(budget.spentMs, 2.5);
    assert.equal(budget.exhausted, false);
    budget.charge(1.5);
    assert.equal(budget.spentMs, 4);
    assert.equal(budget.exhausted, true);
  });

  test('the first charge of a turn schedules one turn boundary, which resets the spent time', () => {
    const { budget, turns, nextTurn } = fake(4);
    assert.equal(turns.length, 0);
    budget.charge(3);
    budget.charge(3);
    assert.equal(turns.length, 1, 'one boundary per turn, not one per charge');
    assert.equal(budget.exhausted, true);
    nextTurn();
    assert.equal(budget.spentMs, 0);
    assert.equal(budget.exhausted, false);
    assert.equal(turns.length, 0, 'an idle budget schedules nothing');
    budget.charge(1);
    assert.equal(turns.length, 1, 'the next turn gets its own boundary');
  });

  test('deferred callbacks run at the next turn in FIFO order, with a fresh budget', () => {
    const { budget, nextTurn } = fake(4);
    const ran: string[] = [];
    budget.charge(10);
    budget.defer(() => ran.push(`a:${budget.spentMs}`));
    budget.defer(() => ran.push(`b:${budget.spentMs}`));
    assert.deepEqual(ran, []);
    assert.equal(budget.waitingCount, 2);
    nextTurn();
    assert.deepEqual(ran, ['a:0', 'b:0']);
    assert.equal(budget.waitingCount, 0);
  });

  test('once a turn is spent the rest wait for the next; one deferring again goes to the back (round-robin)', () => {
    const { budget, nextTurn } = fake(4);
    const ran: string[] = [];
    /** A reader with `left` units of work of 3 ms each that does one per turn while budget lasts. */
    const reader = (name: string, left: number): (() => void) => {
      const run = (): void => {
        do {
          ran.push(name);
          budget.charge(3);
          left--;
        } while (left > 0 && !budget.exhausted);
        if (left > 0) budget.defer(run);
      };
      return run;
    };
    budget.defer(reader('a', 3));
    budget.defer(reader('b', 3));
    budget.defer(reader('c', 1));
    const turns: string[] = [];
    for (let i = 0; i < 10 && budget.waitingCount > 0; i++) {
      ran.length = 0;
      nextTurn();
      turns.push(ran.join(''));
    }
    // 'a' spends the first turn and goes to the back; 'b' and 'c' are served before it again.
    assert.deepEqual(turns, ['aa', 'bb', 'ca', 'b']);
  });

  test('every turn makes progress, even when the budget is zero', () => {
    const { budget, nextTurn } = fake(0);
    const ran: number[] = [];
    for (let i = 0; i < 3; i++) budget.defer(() => ran.push(i));
    nextTurn();
    assert.deepEqual(ran, [0]);
    nextTurn();
    nextTurn();
    assert.deepEqual(ran, [0, 1, 2]);
  });

  test('a callback that throws does not strand the ones behind it', () => {
    const { budget, turns, nextTurn } = fake(4);
    const ran: string[] = [];
    budget.defer(() => {
      throw new Error('boom');
    });
    budget.defer(() => ran.push('after'));
    assert.throws(() => nextTurn(), /boom/);
    assert.equal(turns.length, 1, 'a turn is scheduled for the one still waiting');
    nextTurn();
    assert.deepEqual(ran, ['after']);
  });

  test('the default scheduler runs deferred work on a later event-loop turn', async () => {
    const budget = new ReadBudget({ budgetMs: 1 });
    const order: string[] = [];
    budget.charge(5);
    await new Promise<void>((resolve) => {
      budget.defer(() => {
        order.push(`deferred:${budget.spentMs}`);
        resolve();
      });
      order.push('sync');
    });
    assert.deepEqual(order, ['sync', 'deferred:0']);
  });
});
