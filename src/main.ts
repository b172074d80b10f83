#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20 --v8-pool-size=1
/** Command line entry: parse flags, load config, start the service, handle signals. Wiring only. */
import './runtime/node-floor.js'; // first: refuses an old Node before any other module runs
import { parseArgs, USAGE } from './cli.js';
import { defaultConfig, loadConfig } from './config/load.js';
import type { Config } from './config/types.js';
import { ExporterError } from './errors.js';
import { startService } from './service.js';
import { VERSION } from './version.js';
import { WebSecurity } from './web/web-security.js';
import { createLogger } from './log.js';

async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (cli.help) return void process.stdout.write(USAGE + '\n'), 0;
  if (cli.version) return void process.stdout.write(`market-exporter ${VERSION}\n`), 0;

  const load = (): Config => (cli.config ? loadConfig(cli.config) : defaultConfig());
  let config: Config;
  try {
    config = load();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (cli.checkConfig) {
    if (cli.webConfigFile) {
      try {
        WebSecurity.load(cli.webConfigFile, createLogger({ level: 'error' }));
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        return 1;
      }
    }
    const symbols = config.feeds.reduce((n, f) => n + f.symbols.length, 0);
    process.stdout.write(`config OK: ${config.feeds.length} feeds, ${symbols} symbols (${cli.config ?? 'built-in default'})\n`);
    return 0;
  }

  let service;
  try {
    service = await startService(config, {
      listen: cli.listen,
      logLevel: cli.logLevel as Config['logLevel'] | undefined,
      loadConfig: cli.config ? load : undefined,
      webConfigFile: cli.webConfigFile,
    });
  } catch (e) {
    process.stderr.write(`${e instanceof ExporterError ? e.message : (e as Error).stack}\n`);
    return 1;
  }
  process.on('SIGHUP', () => void service.reload().catch(() => undefined));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await service.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fatal: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
