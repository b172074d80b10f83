#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20 --v8-pool-size=1 --no-allocation-site-pretenuring
/** Command line entry: parse flags, load config, start the service, handle signals. Wiring only. */
import './runtime/node-floor.js'; // first: refuses an old Node before any other module runs
import { DEFAULT_MAX_REQUESTS, parseArgs, USAGE } from './cli.js';
import { loadConfig } from './config/load.js';
import { withShard } from './config/shard-override.js';
import { configSummary } from './config/summary.js';
import type { Config } from './config/types.js';
import { errorFields } from './errors.js';
import { demoConfig, startDemo, type Demo } from './demo.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { startService } from './service.js';
import { Signals } from './signals.js';
import { BUILD, VERSION, versionText } from './version.js';
import { WebSecurity } from './web/web-security.js';
import { createLogger } from './log.js';

/** Where a person reads the answer (--check-config, bad flags): the code, then the message. */
const tell = (e: unknown): void => {
  const { code, error } = errorFields(e);
  process.stderr.write(`${code}: ${error}\n`);
};

async function main(argv: readonly string[]): Promise<number> {
  // Until the config says otherwise; a service log line from now on carries the same format.
  const log = createLogger({ level: 'info' });
  const signals = new Signals(log);
  let cli;
  try {
    cli = parseArgs(argv);
  } catch (e) {
    tell(e);
    return exitCodeFor(e);
  }
  if (cli.logLevel) log.setLevel(cli.logLevel);
  if (cli.logFormat) log.setFormat(cli.logFormat);
  if (cli.help) return void process.stdout.write(USAGE + '\n'), EXIT.OK;
  if (cli.version) return void process.stdout.write(`${versionText()}\n`), EXIT.OK;

  // Without a file, the demo's config (its url is filled in once the demo has started).
  const load = (): Config => withShard(cli.config ? loadConfig(cli.config) : demoConfig(), cli.shard);
  let config: Config;
  try {
    config = load();
  } catch (e) {
    if (cli.checkConfig) tell(e);
    else log.error('cannot load the config, exiting', { ...errorFields(e), exit_code: exitCodeFor(e) });
    return exitCodeFor(e);
  }
  if (cli.checkConfig) {
    if (cli.webConfigFile) {
      try {
        WebSecurity.load(cli.webConfigFile, createLogger({ level: 'error' }));
      } catch (e) {
        tell(e);
        return exitCodeFor(e);
      }
    }
    process.stdout.write(`${configSummary(config, cli.config ?? 'built-in default')}\n`);
    return EXIT.OK;
  }

  if (!cli.logLevel) log.setLevel(config.logLevel);
  log.info('starting market-exporter', { version: VERSION, revision: BUILD.revision, node: process.version, pid: process.pid, config: cli.config ?? 'built-in default' });
  // A signal that came while the config was read: nothing has started, nothing to stop.
  if (signals.stopRequested) return EXIT.OK;
  let demo: Demo | undefined;
  let service;
  try {
    if (!cli.config) {
      demo = await startDemo(log);
      config = withShard(demo.config, cli.shard);
    }
    service = await startService(config, {
      listen: cli.listen,
      logLevel: cli.logLevel,
      loadConfig: cli.config ? load : undefined,
      webConfigFile: cli.webConfigFile,
      logFormat: cli.logFormat,
      telemetryPath: cli.telemetryPath,
      disableExporterMetrics: cli.disableExporterMetrics,
      maxRequests: cli.maxRequests ?? DEFAULT_MAX_REQUESTS,
    });
  } catch (e) {
    await demo?.stop();
    log.error('cannot start, exiting', { ...errorFields(e), exit_code: exitCodeFor(e) });
    return exitCodeFor(e);
  }
  signals.started(service);
  const signal = await signals.stopped;
  await service.stop();
  await demo?.stop();
  log.info('stopped', { signal });
  return EXIT.OK;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    createLogger().error('fatal error, exiting', { ...errorFields(e), exit_code: EXIT.INTERNAL });
    process.exit(EXIT.INTERNAL);
  },
);
