/** What the simulator trades when not told otherwise: the standalone tool and the demo both use it. */

export interface SimulatorConfig {
  /** Symbols the simulator trades. */
  symbols: string[];
  /** Trades per second per symbol. */
  ratePerSymbol: number;
  /** Starting price for every symbol (each drifts by a random walk). */
  startPrice: number;
  /** Per-step relative volatility of the random walk. */
  volatility: number;
  /** Seed for the random walk, so runs are reproducible. */
  seed: number;
}

export const DEFAULT_SIMULATOR: Readonly<SimulatorConfig> = {
  symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'],
  ratePerSymbol: 5,
  startPrice: 100,
  volatility: 0.0005,
  seed: 42,
};
