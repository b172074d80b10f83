#!/usr/bin/env node
/**
 * Standalone simulator: `node dist/src/simulator/main.js --port 0 --symbols BTCUSDT,ETHUSDT
 * --rate 10 --seed 1`. The first stdout line is `listening ws://HOST:PORT`, for the tests and
 * benchmarks that start it as a process; logs go to stderr. SIGTERM or SIGINT stops it cleanly.
 */
import '../runtime/node-floor.js'; // first: refuses an old Node before any other module runs
import { errorFields } from '../errors.js';
import { createLogger } from '../log.js';
import { USAGE, parseSimulatorArgs } from './cli.js';
import { Simulator } from './server.js';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseSimulatorArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ level: parsed.level }).child({ component: 'simulator' });
  const sim = await Simulator.start({ ...parsed.options, log });
  process.stdout.write(`listening ${sim.url}\n`);
  log.info('simulator listening', { url: sim.url, symbols: parsed.options.symbols?.length, rate: parsed.options.ratePerSymbol });
  const shutdown = (signal: string) => {
    log.info('stopping', { signal });
    sim.stop().then(
      () => log.info('stopped'),
      (e: unknown) => {
        log.error('stop failed', errorFields(e));
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`simulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
