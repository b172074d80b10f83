/** Every default in one place. load.ts fills a user's config from these before validating. */
import type { Config, ConnectionConfig, IndicatorConfig, LimitsConfig, ShardConfig } from './types.js';

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

/** TA-Lib's customary periods. */
export const DEFAULT_INDICATORS: IndicatorConfig = {
  rsi: { enabled: true, period: 14 },
  bollinger: { enabled: true, period: 20, stdDev: 2 },
  sma: { enabled: true, period: 20 },
  ema: { enabled: true, period: 20 },
  macd: { enabled: true, fast: 12, slow: 26, signal: 9 },
  atr: { enabled: true, period: 14 },
  volatility: { enabled: true, period: 20 },
};

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
