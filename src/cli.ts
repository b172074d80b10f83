/** Command-line flags. Parsing only: main.ts decides what each flag does. */
import { parseArgs as nodeParseArgs } from 'node:util';
import { DEFAULT_LISTEN, MAX_SHARDS } from './config/defaults.js';
import { parseListen } from './config/listen.js';
import { LOG_LEVELS } from './config/validate.js';
import type { Config } from './config/types.js';
import { ExporterError } from './errors.js';
import { LOG_FORMATS, type LogFormat } from './log.js';

export interface CliOptions {
  config?: string;
  listen?: string;
  checkConfig: boolean;
  help: boolean;
  version: boolean;
  /** Validated: one of LOG_LEVELS. */
  logLevel?: Config['logLevel'];
  logFormat?: LogFormat;
  /** exporter-toolkit web config file: TLS and basic auth (docs/security.md). */
  webConfigFile?: string;
  /** Where the exposition is served; /metrics when absent. */
  telemetryPath?: string;
  /** Leave out the process_* and nodejs_* metrics. */
  disableExporterMetrics?: boolean;
  /** Scrapes served at once; more are answered 503. 0: no limit. */
  maxRequests?: number;
  /** Overrides config.shard's fields. */
  shard?: { index?: number; count?: number };
}

export const DEFAULT_MAX_REQUESTS = 40;

export const USAGE = `Usage: market-exporter [options]

Prometheus exporter for market-data WebSocket feeds. Without --config it runs a demo: a
simulator in the process and a binance feed on it. The config format is described in
docs/config.md. Flags are also accepted as the Prometheus exporters spell them (second names
below).

Options:
  -c, --config FILE        YAML config file
  -l, --listen HOST:PORT   HTTP address for /metrics, overriding the config's listen
      --web.listen-address (default ${DEFAULT_LISTEN}; IPv6 as [::1]:PORT; :PORT for every interface)
      --web.telemetry-path PATH
                           where the metrics are served (default /metrics)
      --web.disable-exporter-metrics
                           leave out the process_* and nodejs_* metrics of the exporter itself
      --web.max-requests N scrapes served at once, more get 503; 0 for no limit (default ${DEFAULT_MAX_REQUESTS})
      --web.config.file FILE
                           TLS and basic auth for every endpoint, in Prometheus'
                           exporter-toolkit format (docs/security.md)
      --check-config       validate the config, print a summary or every problem, exit 0 or 1
      --log-level LEVEL    ${LOG_LEVELS.join(', ')}, overriding the config's logLevel
      --log.level
      --log.format FORMAT  ${LOG_FORMATS.join(' or ')} (default logfmt)
      --shard.index N      this replica's shard, overriding the config's shard.index
      --shard.count N      replicas the symbols are split over, overriding shard.count
  -h, --help               print this help and exit
  -V, --version            print the version and exit

Exit status: 0 done or stopped by a signal, 1 invalid config, 2 bad flags, 3 Node too old,
4 cannot listen, 70 unexpected failure (docs/errors.md).`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  listen: { type: 'string', short: 'l' },
  'web.listen-address': { type: 'string' },
  'web.telemetry-path': { type: 'string' },
  'web.disable-exporter-metrics': { type: 'boolean' },
  'web.max-requests': { type: 'string' },
  'check-config': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  'shard.index': { type: 'string' },
  'shard.count': { type: 'string' },
  'web.config.file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** Second names, as the Prometheus ecosystem spells them, for flags this exporter had first. */
const ALIASES: Readonly<Record<string, keyof typeof OPTIONS>> = {
  'web.listen-address': 'listen',
  'log.level': 'log-level',
};

const parseStrict = (args: string[]) =>
  nodeParseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false, tokens: true });

function usageError(problem: string): ExporterError {
  return new ExporterError('CLI_USAGE', `${problem}\n\n${USAGE}`);
}

/** A non-negative integer flag value, or a usage error naming the flag. */
function integer(flag: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < min || v > max) throw usageError(`--${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return v;
}

/** Parse argv (without node and the script). Bad flags or values throw ExporterError(CLI_USAGE) carrying USAGE. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseStrict>;
  try {
    parsed = parseStrict([...argv]);
  } catch (err) {
    // Node's messages already name the flag ("Unknown option '--foo'"); keep their first line.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw usageError(first.charAt(0).toLowerCase() + first.slice(1));
  }
  // A repeated flag (under either of its names) is most likely a mistake in a wrapper script;
  // node would silently keep the last.
  const seen = new Map<string, string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    const canonical = ALIASES[t.name] ?? t.name;
    const before = seen.get(canonical);
    if (before === t.name) throw usageError(`option '--${t.name}' given more than once`);
    if (before !== undefined) throw usageError(`options '--${before}' and '--${t.name}' are the same setting; give one`);
    seen.set(canonical, t.name);
  }

  const v = parsed.values;
  const opts: CliOptions = {
    checkConfig: v['check-config'] ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
  };
  if (v.config !== undefined) {
    if (v.config === '') throw usageError('--config: expected a file name');
    opts.config = v.config;
  }
  const listenFlag = v.listen !== undefined ? 'listen' : 'web.listen-address';
  const listen = v.listen ?? v['web.listen-address'];
  if (listen !== undefined) {
    // ":10790", as Prometheus exporters take it: every interface.
    const address = listen.startsWith(':') ? `0.0.0.0${listen}` : listen;
    if (!parseListen(address)) {
      throw usageError(`--${listenFlag}: expected HOST:PORT like 0.0.0.0:10790, [::1]:10790 or :10790 with a port from 0 to 65535, got ${JSON.stringify(listen)}`);
    }
    opts.listen = address;
  }
  if (v['web.config.file'] !== undefined) {
    if (v['web.config.file'] === '') throw usageError('--web.config.file: expected a file name');
    opts.webConfigFile = v['web.config.file'];
  }
  const levelFlag = v['log-level'] !== undefined ? 'log-level' : 'log.level';
  const levelRaw = v['log-level'] ?? v['log.level'];
  if (levelRaw !== undefined) {
    const level = LOG_LEVELS.find((l) => l === levelRaw);
    if (!level) throw usageError(`--${levelFlag}: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(levelRaw)}`);
    opts.logLevel = level;
  }
  if (v['log.format'] !== undefined) {
    const format = LOG_FORMATS.find((f) => f === v['log.format']);
    if (!format) throw usageError(`--log.format: expected ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(v['log.format'])}`);
    opts.logFormat = format;
  }
  const path = v['web.telemetry-path'];
  if (path !== undefined) {
    if (!/^\/[A-Za-z0-9._~\-/]*$/.test(path) || path === '/' || path.startsWith('/-/')) {
      throw usageError(`--web.telemetry-path: expected a path like /metrics, not / or under /-/, got ${JSON.stringify(path)}`);
    }
    opts.telemetryPath = path;
  }
  if (v['web.disable-exporter-metrics']) opts.disableExporterMetrics = true;
  if (v['web.max-requests'] !== undefined) opts.maxRequests = integer('web.max-requests', v['web.max-requests'], 0, 1_000_000);
  if (v['shard.index'] !== undefined || v['shard.count'] !== undefined) {
    const shard: NonNullable<CliOptions['shard']> = {};
    if (v['shard.count'] !== undefined) shard.count = integer('shard.count', v['shard.count'], 1, MAX_SHARDS);
    if (v['shard.index'] !== undefined) shard.index = integer('shard.index', v['shard.index'], 0, MAX_SHARDS - 1);
    opts.shard = shard;
  }
  return opts;
}
