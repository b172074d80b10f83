/** Command-line parsing for the standalone simulator (pure: argv in, options out). */
import { parseArgs } from 'node:util';
import { DEFAULT_SIMULATOR } from './defaults.js';
import { ExporterError } from '../errors.js';
import type { Level } from '../log.js';
import { syntheticSymbol } from './market.js';
import type { SimulatorOptions } from './server.js';

export const USAGE = `usage: simulator [--host 127.0.0.1] [--port 0] [--symbols A,B | --synthetic N] [--rate N] [--seed N]
                 [--start-price N] [--volatility N] [--first-trade-id N] [--ping-interval MS] [--tick MS]
                 [--stagger] [--log-level info]
Serves Binance's spot stream protocol on ws://HOST:PORT/stream and /ws/<stream>,
and the control API on http://HOST:PORT/control (GET /control lists the knobs).
--synthetic N trades N generated symbols SYM0000, SYM0001, ... (what benchmarks subscribe to);
--first-trade-id N numbers each symbol's trades from N (default 1; a venue's busy symbols are in
the billions); --tick MS is how often the rate-driven flow sends what is due (default 10);
--stagger spreads the symbols' trades over time instead of sending them in step (a steady flow
for benchmarks).`;

function number(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || v < min) throw new ExporterError('CLI_USAGE', `--${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
  return v;
}

/** Parse the command line into Simulator options (throws ExporterError CLI_USAGE). */
export function parseSimulatorArgs(argv: string[]): { options: SimulatorOptions; level: Level; help: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        symbols: { type: 'string' },
        synthetic: { type: 'string' },
        tick: { type: 'string' },
        stagger: { type: 'boolean' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        'start-price': { type: 'string' },
        volatility: { type: 'string' },
        'first-trade-id': { type: 'string' },
        'ping-interval': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new ExporterError('CLI_USAGE', e instanceof Error ? e.message : String(e), { cause: e });
  }
  const level = (values['log-level'] ?? 'info') as Level;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ExporterError('CLI_USAGE', `--log-level must be debug, info, warn or error`);
  let symbols = values.symbols?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (symbols && symbols.length === 0) throw new ExporterError('CLI_USAGE', '--symbols needs at least one symbol');
  const synthetic = number('synthetic', values.synthetic, 1);
  if (synthetic !== undefined) {
    if (symbols) throw new ExporterError('CLI_USAGE', '--synthetic and --symbols cannot be combined');
    if (!Number.isInteger(synthetic) || synthetic > 1_000_000) throw new ExporterError('CLI_USAGE', '--synthetic must be an integer 1-1000000');
    // A list this long would not fit in argv (Linux caps one argument at 128 KiB).
    symbols = Array.from({ length: synthetic }, (_, i) => syntheticSymbol(i));
  }
  const tick = number('tick', values.tick, 1);
  const firstTradeId = number('first-trade-id', values['first-trade-id'], 1);
  // Ids go into frames as integers and are counted on from there: past 2^53 they would not be exact.
  if (firstTradeId !== undefined && !Number.isSafeInteger(firstTradeId)) throw new ExporterError('CLI_USAGE', `--first-trade-id must be an integer 1-${Number.MAX_SAFE_INTEGER}, got ${values['first-trade-id']}`);
  const port = number('port', values.port, 0);
  if (port !== undefined && (!Number.isInteger(port) || port > 65535)) throw new ExporterError('CLI_USAGE', `--port must be an integer 0-65535`);
  const options: SimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: port ?? 0,
    symbols: symbols ?? DEFAULT_SIMULATOR.symbols,
    ratePerSymbol: number('rate', values.rate, 0) ?? DEFAULT_SIMULATOR.ratePerSymbol,
    seed: number('seed', values.seed, 0) ?? DEFAULT_SIMULATOR.seed,
    startPrice: number('start-price', values['start-price'], Number.MIN_VALUE) ?? DEFAULT_SIMULATOR.startPrice,
    volatility: number('volatility', values.volatility, 0) ?? DEFAULT_SIMULATOR.volatility,
    firstTradeId: firstTradeId ?? DEFAULT_SIMULATOR.firstTradeId,
    pingIntervalMs: number('ping-interval', values['ping-interval'], 1),
    ...(tick === undefined ? {} : { tickMs: tick }),
    ...(values.stagger ? { stagger: true } : {}),
  };
  return { options, level, help: values.help ?? false };
}
