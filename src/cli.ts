/** Command-line flags. Parsing only: main.ts decides what each flag does. */
import { parseArgs as nodeParseArgs } from 'node:util';
import { DEFAULT_LISTEN } from './config/defaults.js';
import { parseListen } from './config/listen.js';
import { LOG_LEVELS } from './config/validate.js';
import type { Config } from './config/types.js';
import { ExporterError } from './errors.js';

export interface CliOptions {
  config?: string;
  listen?: string;
  checkConfig: boolean;
  help: boolean;
  version: boolean;
  /** Validated: one of LOG_LEVELS. */
  logLevel?: Config['logLevel'];
  /** exporter-toolkit web config file: TLS and basic auth (docs/security.md). */
  webConfigFile?: string;
}

export const USAGE = `Usage: market-exporter [options]

Prometheus exporter for market-data WebSocket feeds. Without --config it runs the built-in
simulator feed. The config format is described in docs/config.md.

Options:
  -c, --config FILE        YAML config file
  -l, --listen HOST:PORT   HTTP address for /metrics, overriding the config's listen
                           (default ${DEFAULT_LISTEN}; IPv6 as [::1]:PORT)
      --check-config       validate the config, print a summary or every problem, exit 0 or 1
      --log-level LEVEL    ${LOG_LEVELS.join(', ')}, overriding the config's logLevel
      --web.config.file FILE
                           TLS and basic auth for every endpoint, in Prometheus'
                           exporter-toolkit format (docs/security.md)
  -h, --help               print this help and exit
  -V, --version            print the version and exit

Exit status: 0 done or stopped by a signal, 1 invalid config, 2 bad flags, 3 cannot listen,
70 unexpected failure (docs/errors.md).`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  listen: { type: 'string', short: 'l' },
  'check-config': { type: 'boolean' },
  'log-level': { type: 'string' },
  'web.config.file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const parseStrict = (args: string[]) =>
  nodeParseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false, tokens: true });

function usageError(problem: string): ExporterError {
  return new ExporterError('CLI_USAGE', `${problem}\n\n${USAGE}`);
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
  // A repeated flag is most likely a mistake in a wrapper script; node would silently keep the last.
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw usageError(`option '--${t.name}' given more than once`);
    seen.add(t.name);
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
  if (v.listen !== undefined) {
    if (!parseListen(v.listen)) {
      throw usageError(`--listen: expected HOST:PORT like 0.0.0.0:10790 or [::1]:10790 with a port from 0 to 65535, got ${JSON.stringify(v.listen)}`);
    }
    opts.listen = v.listen;
  }
  if (v['web.config.file'] !== undefined) {
    if (v['web.config.file'] === '') throw usageError('--web.config.file: expected a file name');
    opts.webConfigFile = v['web.config.file'];
  }
  if (v['log-level'] !== undefined) {
    const level = LOG_LEVELS.find((l) => l === v['log-level']);
    if (!level) throw usageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(v['log-level'])}`);
    opts.logLevel = level;
  }
  return opts;
}
