/** The one line `--check-config` prints for a valid config. */
import { shardSymbols } from '../market/shard.js';
import type { Config } from './types.js';

export function configSummary(config: Config, source: string): string {
  const total = config.feeds.reduce((n, f) => n + f.symbols.length, 0);
  const head = `config OK: ${config.feeds.length} feeds, ${total} symbols (${source})`;
  const { index, count } = config.shard;
  if (count === 1) return head;
  // What this replica will carry: the total alone reads as if every replica took all of them.
  const mine = config.feeds.reduce((n, f) => n + shardSymbols(f.name, f.symbols, config.shard).length, 0);
  return `${head}; this replica (shard ${index} of ${count}) carries ${mine} of them`;
}
