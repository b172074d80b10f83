/**
 * The assembled exporter: feeds, HTTP server, self metrics and reload.
 * main.ts parses the command line and calls startService; tests call it directly.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { restartOnlyChanges, type RestartOnlyKey } from './config/restart-only.js';
import type { Config } from './config/types.js';
import { errorFields, ExporterError } from './errors.js';
import { Exporter } from './exporter.js';
import { createLogger, type Level, type LogFormat, type Logger } from './log.js';
import { deflatePiece, GzipJoin } from './metrics/gzip.js';
import { RenderAhead } from './metrics/render-ahead.js';
import { ALL_GROUPS, prepareLines, streamMarket, type SelfStats, type Selection } from './metrics/render.js';
import { LoopMonitor } from './runtime/loop-monitor.js';
import { createApp, listen } from './server.js';
import { BUILD, VERSION } from './version.js';
import { WebSecurity } from './web/web-security.js';

/** From this many symbols, startup logs each of its long steps. */
const LONG_START_SYMBOLS = 10_000;
/** How often startup looks whether every feed has connected once, to log it. */
const READY_CHECK_MS = 100;

export interface ServiceOptions {
  /** Overrides config.listen. */
  listen?: string;
  logLevel?: Level;
  log?: Logger;
  /** Re-reads the config for /-/reload and SIGHUP; throws on a bad config. */
  loadConfig?: () => Config;
  /** exporter-toolkit web config (TLS, basic auth); read before anything starts. */
  webConfigFile?: string;
  logFormat?: LogFormat;
  /** Where the exposition is served; /metrics when absent. */
  telemetryPath?: string;
  /** Leave out prom-client's process_* and nodejs_* metrics. */
  disableExporterMetrics?: boolean;
  /** Scrapes served at once (more get 503); 0: no limit. */
  maxRequests?: number;
}

export type ReloadTrigger = 'api' | 'SIGHUP';

export interface Service {
  /** http://host:port of the HTTP server (https:// with TLS from the web config). */
  readonly url: string;
  readonly exporter: Exporter;
  /** Re-read the config file; `trigger` says who asked, for the log. */
  reload(trigger?: ReloadTrigger): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(config: Config, opts: ServiceOptions = {}): Promise<Service> {
  const self: SelfStats = {
    queueDepth: 0,
    queueCapacity: config.limits.queueCapacity,
    loopLag: 0,
    loopLagMax: 0,
    loopUtil: 0,
    version: VERSION,
    build: BUILD,
    nodeVersion: process.version,
    reloadOk: 1,
    reloadTime: Date.now() / 1000,
    scrapeDuration: NaN,
    logsSuppressed: {},
    shard: config.shard,
    basis: config.basis,
  };
  const log =
    opts.log ??
    createLogger({
      level: opts.logLevel ?? config.logLevel,
      format: opts.logFormat,
      onSuppressed: (kind, n) => (self.logsSuppressed[kind] = (self.logsSuppressed[kind] ?? 0) + n),
    });

  // Before anything starts: a bad web config must not leave sockets behind.
  const web = opts.webConfigFile ? WebSecurity.load(opts.webConfigFile, log.child({ component: 'web' })) : undefined;

  const exporter = new Exporter(config, { log });
  const registry = new Registry();
  if (!opts.disableExporterMetrics) collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which `promtool check metrics` rejects; they add nothing here.
  for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(n);
  const loop = new LoopMonitor();
  loop.start();

  const sample = () => {
    self.queueDepth = exporter.queueDepth;
    self.queueCapacity = exporter.queueCapacity;
    self.loopLag = loop.last.lag;
    self.loopLagMax = loop.last.lagMax;
    self.loopUtil = loop.last.utilization;
  };
  const metrics = async (): Promise<string> => {
    const t0 = performance.now();
    sample();
    // Through streamMarket, not renderMarket: it waits for a scrape in progress, and two renders
    // interleaved would rewrite each other's symbol lines.
    const parts: Buffer[] = [];
    // Copied: the chunks are views of a buffer the next scrape reuses.
    await streamMarket(exporter.states(), self, (chunk) => void parts.push(Buffer.from(chunk)));
    const text = Buffer.concat(parts).toString('utf8') + (await registry.metrics());
    // Reported on the next scrape: this one's text is already built.
    self.scrapeDuration = (performance.now() - t0) / 1000;
    return text;
  };
  // What /metrics serves: the same text, streamed in slices so a large scrape never stalls ingest.
  const writeMetrics = async (
    write: (chunk: string | Uint8Array) => Promise<void> | undefined,
    sent: () => Promise<void>,
    groups: Selection = ALL_GROUPS,
    gzip = false,
  ): Promise<void> => {
    const t0 = performance.now();
    sample();
    if (groups.has('rest')) ahead.scraped(gzip);
    const join = gzip ? new GzipJoin() : undefined;
    if (join) await write(join.start());
    await streamMarket(exporter.states(), self, write, { sent, groups, gzip: join, backlog: () => exporter.backlogged });
    // The process metrics belong to `rest`; the scrape duration reported is the full scrape's.
    if (groups.has('rest')) {
      const text = await registry.metrics();
      await write(join ? join.add(await deflatePiece(Buffer.from(text, 'utf8'))) : text);
      self.scrapeDuration = (performance.now() - t0) / 1000;
    }
    if (join) await write(join.end());
  };

  let running = config;
  // The next full scrape after the bars close finds their lines printed and deflated (render-ahead.ts).
  const ahead = new RenderAhead({
    intervalsMs: () => running.intervals.map((iv) => iv.ms),
    graceMs: () => running.barCloseGraceMs,
    render: (gzip) => streamMarket(exporter.states(), self, () => undefined, { gzip: gzip ? new GzipJoin() : undefined, backlog: () => exporter.backlogged }),
    log: log.child({ component: 'render-ahead' }),
  });
  // A flag wins over the file for these: the file's value is not in use, so changing it is no change.
  const overridden: RestartOnlyKey[] = opts.listen !== undefined ? ['listen'] : [];
  let reloading: Promise<void> = Promise.resolve();
  const reload = (trigger: ReloadTrigger = 'api'): Promise<void> => {
    const run = async () => {
      try {
        if (!opts.loadConfig) {
          throw new ExporterError('RELOAD_NO_CONFIG', 'no config file to reload: the exporter runs the built-in default (start it with --config FILE)');
        }
        const next = opts.loadConfig();
        const restart = restartOnlyChanges(running, next, overridden);
        if (restart.length > 0) {
          throw new ExporterError('RELOAD_RESTART_REQUIRED', `changed keys that only take effect at start: ${restart.join(', ')}; restart the exporter to apply them`);
        }
        await exporter.reload(next);
        prepareLines(exporter.states());
        self.shard = next.shard;
        if (next.logLevel !== running.logLevel && !opts.logLevel) log.setLevel(next.logLevel);
        running = next;
        self.reloadOk = 1;
        self.basis = next.basis;
        self.reloadTime = Date.now() / 1000;
        log.info('config reloaded', { trigger, feeds: next.feeds.length });
      } catch (e) {
        self.reloadOk = 0;
        log.error('config reload failed, keeping the running config', { trigger, ...errorFields(e) });
        throw e;
      }
    };
    // One reload at a time: a second request waits for the first.
    reloading = reloading.then(run, run);
    return reloading;
  };

  const app = createApp({
    metrics,
    writeMetrics,
    ready: () => exporter.ready,
    reload: config.enableReloadEndpoint ? () => reload('api') : undefined,
    version: VERSION,
    guard: web?.middleware(),
    metricsPath: opts.telemetryPath,
    maxRequests: opts.maxRequests,
  });
  let server: Server;
  try {
    server = await listen(app, opts.listen ?? config.listen, web?.https);
  } catch (e) {
    loop.stop();
    throw e;
  }
  web?.attach(server);
  const symbols = config.feeds.reduce((n, f) => n + f.symbols.length, 0);
  // At tens of thousands of symbols each step below holds the process for seconds: say what it does.
  const phase = symbols >= LONG_START_SYMBOLS ? (msg: string) => log.info(msg, { symbols }) : () => undefined;
  phase('starting feeds: building symbol state');
  exporter.start();
  phase('preparing the /metrics lines of every symbol');
  prepareLines(exporter.states());
  ahead.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${web?.https ? 'https' : 'http'}://${host}:${addr.port}`;
  log.info('listening', {
    url: `${url}${opts.telemetryPath ?? '/metrics'}`,
    version: VERSION,
    feeds: config.feeds.length,
    ...(web ? { tls: !!web.https, basic_auth_users: web.config.users.size } : {}),
  });

  const started = performance.now();
  const readyCheck = setInterval(() => {
    if (!exporter.ready) return;
    clearInterval(readyCheck);
    log.info('ready: every feed has connected', { feeds: exporter.feeds.size, seconds: Math.round(performance.now() - started) / 1000 });
  }, READY_CHECK_MS);
  readyCheck.unref();

  return {
    url,
    exporter,
    reload,
    async stop() {
      clearInterval(readyCheck);
      loop.stop();
      await ahead.stop();
      await exporter.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
