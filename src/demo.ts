/**
 * The demo: what the exporter runs without --config. It starts the simulator in this process and
 * builds an ordinary config around it, one binance feed whose url is the simulator's address. The
 * rest of the exporter sees a Binance-format feed like any other and knows nothing of the
 * simulator.
 */
import { buildConfig } from './config/load.js';
import type { Config } from './config/types.js';
import type { Logger } from './log.js';
import { DEFAULT_SIMULATOR } from './simulator/defaults.js';
import { Simulator } from './simulator/server.js';

/**
 * The demo feed's name, so its `exchange` label: "simulator", as before the simulator left the
 * core, so dashboards, alert examples and the compose tests read the same series.
 */
export const DEMO_FEED = 'simulator';

/** Where --check-config without a file says the demo feed connects: the real port is chosen at start. */
export const DEMO_URL_UNSTARTED = 'ws://127.0.0.1:0';

/** The built-in config: one binance feed on the simulator at `url`, every other setting its default. */
export function demoConfig(url: string = DEMO_URL_UNSTARTED): Config {
  return buildConfig({ feeds: [{ name: DEMO_FEED, venue: 'binance', url, symbols: [...DEFAULT_SIMULATOR.symbols] }] });
}

export interface Demo {
  readonly config: Config;
  readonly simulator: Simulator;
  stop(): Promise<void>;
}

/** Start the simulator on a free loopback port and return the config that reads it. */
export async function startDemo(log: Logger): Promise<Demo> {
  const simulator = await Simulator.start({ log: log.child({ component: 'simulator' }) });
  // test/containers/stack.ts finds the simulator's control API by this line's url.
  log.info('simulator started', { url: simulator.url, symbols: DEFAULT_SIMULATOR.symbols.length });
  return { config: demoConfig(simulator.url), simulator, stop: () => simulator.stop() };
}
