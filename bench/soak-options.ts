/** The soak's command line. Pure: argv in, options out (or an Error saying what is wrong). */
import { parseArgs } from 'node:util';

/**
 * Seconds until every series of the soak's config exists: with its 15 s bars and periods of 3,
 * MACD (slow 3 + signal 2) needs 5 closed bars after a first partial one, about 90 s. Series
 * still appearing before then are the warm-up, not a leak.
 */
export const SOAK_WARMUP_S = 120;
/** After the warm-up, the least time judged: enough samples for a floor and a trend. */
export const SOAK_JUDGED_MIN_S = 60;

export const SOAK_USAGE = `usage: npm run soak -- [--minutes 30] [--symbols 50] [--rate 20] [--burst-every 60] [--burst-size 20000]
                     [--disconnect-every 120] [--sample-every 5] [--warmup ${SOAK_WARMUP_S}] [--out bench/results/soak.json]
Durations in seconds unless named otherwise. Only what follows the warm-up is judged, so --minutes
must cover the warm-up plus ${SOAK_JUDGED_MIN_S} s: ${(SOAK_WARMUP_S + SOAK_JUDGED_MIN_S) / 60} minutes with the default warm-up.`;

export interface SoakOptions {
  help: boolean;
  minutes: number;
  symbols: number;
  rate: number;
  burstEvery: number;
  burstSize: number;
  disconnectEvery: number;
  sampleEvery: number;
  warmup: number;
  out: string;
}

export function soakOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string' },
      symbols: { type: 'string' },
      rate: { type: 'string' },
      'burst-every': { type: 'string' },
      'burst-size': { type: 'string' },
      'disconnect-every': { type: 'string' },
      'sample-every': { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const num = (name: string, raw: string | undefined, dflt: number) => {
    const v = raw === undefined ? dflt : Number(raw);
    if (!(v > 0 && v < Infinity)) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return v;
  };
  const minutes = num('minutes', values.minutes, 30);
  const warmup = num('warmup', values.warmup, SOAK_WARMUP_S);
  // In tenths of a minute, as a person would type it.
  const least = Math.ceil(((warmup + SOAK_JUDGED_MIN_S) / 60) * 10) / 10;
  if (!values.help && minutes < least) {
    throw new Error(
      `--minutes ${minutes} is too short: the first ${warmup} s are warm-up (series still appearing), and at least ${SOAK_JUDGED_MIN_S} s after it are judged; use --minutes ${least} or more`,
    );
  }
  return {
    help: values.help ?? false,
    minutes,
    symbols: Math.round(num('symbols', values.symbols, 50)),
    rate: num('rate', values.rate, 20),
    burstEvery: num('burst-every', values['burst-every'], 60),
    burstSize: Math.round(num('burst-size', values['burst-size'], 20_000)),
    disconnectEvery: num('disconnect-every', values['disconnect-every'], 120),
    sampleEvery: num('sample-every', values['sample-every'], 5),
    warmup,
    out: values.out ?? 'bench/results/soak.json',
  };
}
