/**
 * The alert pack as a user runs it, for the end-to-end incident tests: one simulator per
 * Binance-format feed, the exporter on its defaults with only the feeds named, the real
 * Alertmanager and Prometheus on the shipped files (addresses, secrets and paths substituted,
 * nothing else), a real SMTP server and the Telegram Bot API stand-in. `notes()` is what the two
 * channels received, in one form.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/log.js';
import { Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { renderAlertmanagerConfig, startAlertmanager, type AlertmanagerInstance } from './alertmanager.js';
import { repoRoot, startPrometheus, type PrometheusInstance } from './prometheus.js';
import { spawnExporter, type ServiceProcess } from './service-process.js';
import { startSmtpCatcher, type SmtpCatcher } from './smtp.js';
import { startTelegramStub, type TelegramStub } from './telegram.js';

export type Channel = 'telegram' | 'email';

/** One message as a person reads it: Telegram's first line or the email subject, and the text. */
export interface Note {
  channel: Channel;
  firing: boolean;
  at: number;
  head: string;
  body: string;
}

export interface StackFeed {
  /** The feed's name: its `exchange` label. */
  name: string;
  symbols: string[];
  /** How its simulator trades (rate, walk, seed); symbols come from above. */
  market: Omit<SimulatorOptions, 'symbols' | 'log'>;
}

export interface ShippedStack {
  sims: Map<string, Simulator>;
  exporter: ServiceProcess;
  prom: PrometheusInstance;
  am: AlertmanagerInstance;
  tg: TelegramStub;
  smtp: SmtpCatcher;
  /** Every message so far, Telegram's then email's, each in arrival order. */
  notes(): Note[];
  /** Stops what started, in reverse, and removes the temporary folder. */
  stop(): Promise<void>;
}

const quiet = createLogger({ level: 'error' });

export async function startShippedStack(name: string, feeds: StackFeed[]): Promise<ShippedStack> {
  const dir = mkdtempSync(path.join(tmpdir(), `market-${name}-`));
  const started: Partial<Omit<ShippedStack, 'notes' | 'stop'>> & { sims: Map<string, Simulator> } = { sims: new Map() };
  const stop = async (): Promise<void> => {
    await started.prom?.stop();
    await started.am?.stop();
    await started.exporter?.stop();
    await Promise.all([...started.sims.values()].map((s) => s.stop()));
    await Promise.all([started.tg?.close(), started.smtp?.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const f of feeds) started.sims.set(f.name, await Simulator.start({ ...f.market, symbols: f.symbols, log: quiet }));
    [started.tg, started.smtp] = await Promise.all([startTelegramStub(), startSmtpCatcher()]);

    const configFile = path.join(dir, 'exporter.yml');
    const lines = feeds.flatMap((f) => [`  - venue: binance`, `    name: ${f.name}`, `    url: ${started.sims.get(f.name)!.url}`, `    symbols: [${f.symbols.join(', ')}]`]);
    writeFileSync(configFile, ['logLevel: warn', 'feeds:', ...lines, ''].join('\n'));
    started.exporter = await spawnExporter(configFile, repoRoot);

    const secretsDir = path.join(dir, 'secrets');
    mkdirSync(secretsDir);
    started.am = await startAlertmanager({ config: renderAlertmanagerConfig({ smtp: started.smtp, telegramApiUrl: started.tg.url, secretsDir }) });
    started.prom = await startPrometheus({ exporterTargets: [`127.0.0.1:${started.exporter.port}`], alertmanager: `127.0.0.1:${started.am.port}`, shippedIntervals: true });
  } catch (e) {
    await stop();
    throw e;
  }
  const { sims, exporter, prom, am, tg, smtp } = started as Omit<ShippedStack, 'notes' | 'stop'>;
  const notes = (): Note[] => [
    ...tg.requests.map((m): Note => {
      const head = m.text.split('\n')[0] ?? '';
      return { channel: 'telegram', firing: head.includes('FIRING'), at: m.receivedAt, head, body: m.text };
    }),
    ...smtp.messages.map((m): Note => ({ channel: 'email', firing: m.subject.startsWith('[FIRING'), at: m.receivedAt, head: m.subject, body: m.text })),
  ];
  return { sims, exporter, prom, am, tg, smtp, notes, stop };
}
