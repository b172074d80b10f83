/**
 * Process signals, handled from the first line of main: SIGTERM and SIGINT ask for a clean stop,
 * SIGHUP for a config reload. Before the service is up a stop waits for main to notice it (nothing
 * half-started is left behind) and a reload waits for the service, instead of Node's default of
 * killing the process (exit 129 or 143, no log line).
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from './log.js';
import type { ReloadTrigger } from './service.js';

export type StopSignal = 'SIGTERM' | 'SIGINT';

interface Reloadable {
  reload(trigger: ReloadTrigger): Promise<void>;
}

export class Signals {
  /** Resolves with the first stop signal. */
  readonly stopped: Promise<StopSignal>;
  private wake!: (signal: StopSignal) => void;
  private stopSignal: StopSignal | undefined;
  private service: Reloadable | undefined;
  private reloadWaiting = false;

  constructor(
    private readonly log: Logger,
    proc: EventEmitter = process,
  ) {
    this.stopped = new Promise((resolve) => (this.wake = resolve));
    proc.on('SIGTERM', () => this.stop('SIGTERM'));
    proc.on('SIGINT', () => this.stop('SIGINT'));
    proc.on('SIGHUP', () => this.hup());
  }

  /** The first stop signal received, if any. */
  get stopRequested(): StopSignal | undefined {
    return this.stopSignal;
  }

  /** The service is up: SIGHUP reloads it from now on, and one that came during startup runs now. */
  started(service: Reloadable): void {
    this.service = service;
    if (this.reloadWaiting && !this.stopSignal) {
      this.reloadWaiting = false;
      this.hup();
    }
  }

  private stop(signal: StopSignal): void {
    if (this.stopSignal) return void this.log.info('already shutting down', { signal });
    this.stopSignal = signal;
    this.log.info('shutting down', { signal, phase: this.service ? 'running' : 'startup' });
    this.wake(signal);
  }

  private hup(): void {
    if (this.stopSignal) return void this.log.info('SIGHUP while shutting down: ignored');
    if (!this.service) {
      this.reloadWaiting = true;
      return void this.log.info('SIGHUP during startup: the config is re-read once started');
    }
    this.log.info('config reload requested', { trigger: 'SIGHUP' });
    // The reload logs its own outcome, with the error's code when it fails.
    this.service.reload('SIGHUP').catch(() => undefined);
  }
}
