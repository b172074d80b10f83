import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseSimulatorArgs } from '../../src/simulator/cli.js';

test('--synthetic N trades N generated symbols, in the order a burst uses them', () => {
  const { options } = parseSimulatorArgs(['--synthetic', '3']);
  assert.deepEqual(options.symbols, ['SYM0000', 'SYM0001', 'SYM0002']);
  assert.equal(parseSimulatorArgs(['--synthetic', '10000']).options.symbols?.length, 10_000);
});

test('--tick and --stagger; without them the server keeps its defaults', () => {
  assert.equal(parseSimulatorArgs(['--tick', '1']).options.tickMs, 1);
  assert.equal(parseSimulatorArgs(['--stagger']).options.stagger, true);
  const defaults = parseSimulatorArgs([]).options;
  assert.ok(!('tickMs' in defaults) && !('stagger' in defaults));
});

test('bad --synthetic and --tick values are CLI_USAGE errors naming the flag', () => {
  for (const [args, flag] of [
    [['--synthetic', '0'], /--synthetic/],
    [['--synthetic', '2.5'], /--synthetic/],
    [['--synthetic', '3', '--symbols', 'A'], /--synthetic and --symbols/],
    [['--tick', '0'], /--tick/],
  ] as const) {
    assert.throws(() => parseSimulatorArgs([...args]), (e: Error & { code?: string }) => e.code === 'CLI_USAGE' && flag.test(e.message), args.join(' '));
  }
});

test('--first-trade-id numbers the trades from N; 1 without it; a bad value is a CLI_USAGE error', () => {
  assert.equal(parseSimulatorArgs(['--first-trade-id', '5000000000']).options.firstTradeId, 5_000_000_000);
  assert.equal(parseSimulatorArgs([]).options.firstTradeId, 1);
  for (const bad of ['0', '-3', '2.5', 'x', String(2 ** 53)])
    assert.throws(() => parseSimulatorArgs(['--first-trade-id', bad]), (e: Error & { code?: string }) => e.code === 'CLI_USAGE' && /--first-trade-id/.test(e.message), bad);
});
