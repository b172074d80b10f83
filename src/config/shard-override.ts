/** `--shard.index` / `--shard.count` over the config's `shard`, checked together. */
import { ExporterError } from '../errors.js';
import type { Config, ShardConfig } from './types.js';

/** The config with the flags' shard fields in place of the file's; the file's when none is given. */
export function withShard(config: Config, flags: Partial<ShardConfig> | undefined): Config {
  if (!flags) return config;
  const shard = { ...config.shard, ...flags };
  if (shard.index >= shard.count) {
    const from = (k: keyof ShardConfig) => (flags[k] !== undefined ? `--shard.${k}` : `shard.${k} in the config`);
    throw new ExporterError('CLI_USAGE', `shard index ${shard.index} (${from('index')}) must be below the shard count ${shard.count} (${from('count')})`);
  }
  return Object.freeze({ ...config, shard: Object.freeze(shard) });
}
