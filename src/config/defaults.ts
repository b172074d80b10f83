/** Every default in one place. load.ts fills a user's config from these before validating. */
import { defaultNativeConfig } from '../indicators/registry.js';
import type { Config, ConnectionConfig, ExtraIndicatorsConfig, IndicatorConfig, LimitsConfig, ShardConfig } from './types.js';

/**
 * 9100-9999, the Prometheus exporter port range, is fully allocated; 10790 sits outside it.
 * Loopback by default so a local run exposes nothing; the container passes --listen 0.0.0.0:10790.
 */
export const DEFAULT_PORT = 10790;
export const DEFAULT_LISTEN = `127.0.0.1:${DEFAULT_PORT}`;

export const DEFAULT_CONNECTION: ConnectionConfig = {
  connectTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  maxMissedPings: 2,
  silenceTimeoutMs: 30_000,
  backoff: { initialMs: 500, maxMs: 60_000, multiplier: 2, jitter: 0.3, resetAfterMs: 60_000 },
};

/** Every native indicator on, with TA-Lib's customary periods (each entry's own defaults). */
export const DEFAULT_INDICATORS: IndicatorConfig = defaultNativeConfig();

/**
 * No extra indicators. At the largest documented instance (~22 kB, docs/config.md) the cap of
 * 1,000 instances is 22 MB of heap: room for a watch list, not 10,000 symbols by accident.
 */
export const DEFAULT_EXTRA_INDICATORS: ExtraIndicatorsConfig = { maxInstances: 1_000, indicators: [] };

export const DEFAULT_LIMITS: LimitsConfig = {
  queueCapacity: 100_000,
  maxFrameBytes: 1 << 20,
};

/** Not sharded: one replica carries every symbol. */
export const DEFAULT_SHARD: ShardConfig = { index: 0, count: 1 };
/** More replicas than this is a typo, not a deployment (20,000 symbols would be 20 per replica). */
export const MAX_SHARDS = 1024;

export const DEFAULT_INTERVALS = ['1m', '5m'];
export const DEFAULT_WINDOWS = ['1m', '5m'];
export const DEFAULT_BAR_CLOSE_GRACE_MS = 2_000;

export const DEFAULT_LOG_LEVEL: Config['logLevel'] = 'info';
/** POST /-/reload re-reads the config file; turn it off where the HTTP port is reachable by others. */
export const DEFAULT_ENABLE_RELOAD_ENDPOINT = true;

/**
 * Bars per interval a feed's backfill fetches at start: MACD's 26+9 bars warm it, and the EMAs
 * behind MACD and RSI need several times their period before they agree with a run that saw the
 * whole history; 200 is one request at every venue but OKX (two) and costs Binance weight 2.
 */
export const DEFAULT_BACKFILL_DEPTH = 200;
/** The most a feed may ask for: 5,000 1m bars is three and a half days. */
export const MAX_BACKFILL_DEPTH = 5_000;
