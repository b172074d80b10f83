/**
 * The running exporter: the fleet (feeds, their sockets and state, reload) feeding the pipeline
 * (frame to apply, idle bars). What the service and the benchmarks hold on to.
 */
import type { Config } from './config/types.js';
import { Fleet, type Running } from './fleet.js';
import type { Logger } from './log.js';
import { sharedReadBudget } from './feeds/read-budget.js';
import type { FeedState } from './market/feed-state.js';
import type { ApplyProbe } from './market/queue.js';
import { Pipeline, type PipelineClock } from './pipeline.js';

export interface ExporterOptions {
  log: Logger;
  clock?: PipelineClock;
}

export class Exporter {
  private readonly fleet: Fleet;
  private readonly pipeline: Pipeline;

  constructor(config: Config, opts: ExporterOptions) {
    // The pipeline reads the fleet's symbols and grace lazily: the fleet is built right after it.
    this.pipeline = new Pipeline({
      log: opts.log,
      queueCapacity: config.limits.queueCapacity,
      symbols: () => this.fleet.symbols(),
      barCloseGraceMs: () => this.fleet.current.barCloseGraceMs,
      clock: opts.clock,
    });
    this.fleet = new Fleet(config, this.pipeline, opts.log);
  }

  get feeds(): ReadonlyMap<string, Running> {
    return this.fleet.feeds;
  }

  /** FeedState by feed name, for the renderer. */
  states(): Map<string, FeedState> {
    const m = new Map<string, FeedState>();
    for (const [k, r] of this.fleet.feeds) m.set(k, r.state);
    return m;
  }

  get queueDepth(): number {
    return this.pipeline.depth;
  }
  get queueCapacity(): number {
    return this.pipeline.capacity;
  }

  /** Ingest has work waiting: socket reads deferred to a later turn, or events queued for apply. */
  get backlogged(): boolean {
    return sharedReadBudget.waitingCount > 0 || this.pipeline.depth > 0;
  }

  /**
   * Benchmark hook: called after every applied event with the performance.now() its frame
   * arrived at (NaN for a conflated record), so arrival-to-metrics latency can be measured in
   * process. Unset (the default) it costs the hot path one field test per event.
   */
  setApplyProbe(probe: ApplyProbe | undefined): void {
    this.pipeline.setProbe(probe);
  }

  /** Ready once every feed has had all its connections open at least once. */
  get ready(): boolean {
    return this.fleet.ready;
  }

  start(): void {
    this.fleet.start();
    this.pipeline.start();
  }

  async stop(): Promise<void> {
    this.pipeline.stop();
    await this.fleet.stop();
  }

  /** See Fleet.reload. */
  reload(next: Config): Promise<void> {
    return this.fleet.reload(next);
  }
}
