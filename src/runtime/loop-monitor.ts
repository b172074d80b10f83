/** Event-loop delay and utilisation, sampled on an interval so the exporter can report its own saturation. */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface LoopSample {
  /** p99 delay over the last interval, seconds. */
  lag: number;
  /** Longest delay over the last interval, seconds. */
  lagMax: number;
  /** Busy share of the last interval, 0..1. */
  utilization: number;
}

export class LoopMonitor {
  private readonly hist = monitorEventLoopDelay({ resolution: 10 });
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private timer: NodeJS.Timeout | undefined;
  last: LoopSample = { lag: 0, lagMax: 0, utilization: 0 };

  start(intervalMs = 5000): void {
    this.hist.enable();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.hist.disable();
  }

  sample(): LoopSample {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, this.elu);
    this.elu = now;
    // The histogram measures delay beyond the sampling resolution, in nanoseconds.
    const count = this.hist.count;
    this.last = {
      lag: count ? this.hist.percentile(99) / 1e9 : 0,
      lagMax: count ? this.hist.max / 1e9 : 0,
      utilization: delta.utilization,
    };
    this.hist.reset();
    return this.last;
  }
}
