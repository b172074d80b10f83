/**
 * One Prometheus job's scrapes, made on its own clock beside the bench's other scrapes, as a
 * Prometheus scrape loop makes them: every `intervalS`, never two at once (a tick that falls
 * while a scrape is still running is skipped), compressed when the job asks. It keeps how long
 * each took and whether Prometheus would have given up on it (`timeoutS`), not the bodies: the
 * last one is decoded once, for its size in series.
 */
import { performance } from 'node:perf_hooks';
import { exposition, scrapeRequest, type ScrapeJob } from './prometheus-jobs.js';
import { ScrapeReader } from './scrape-reader.js';

export interface TimedScrape {
  /** When it started, on performance.now()'s clock. */
  atMs: number;
  ms: number;
  /** As they crossed the wire (compressed when the job asks). */
  bytes: number;
}

export class ScrapeLoop {
  readonly scrapes: TimedScrape[] = [];
  private readonly reader = new ScrapeReader();
  private last: Buffer | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly job: ScrapeJob,
  ) {
    this.done = this.run();
    // Seen at stop(): an unhandled rejection meanwhile would end the whole bench.
    this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const every = this.job.intervalS * 1000;
    const t0 = performance.now();
    const { path, headers } = scrapeRequest(this.job);
    while (!this.stopped) {
      const atMs = performance.now();
      const wire = await this.reader.get(this.url + path, headers);
      this.scrapes.push({ atMs, ms: performance.now() - atMs, bytes: wire.length });
      this.last = wire;
      const next = t0 + (Math.floor((performance.now() - t0) / every) + 1) * every;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, next - performance.now());
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Stop after the scrape in progress; rejects if a scrape failed. Series in the last body. */
  async stop(): Promise<{ series: number }> {
    this.stopped = true;
    this.wake?.();
    await this.done;
    return { series: this.last === undefined ? 0 : countSeries(exposition(this.job, this.last)) };
  }

  /** Scrapes that started in [fromMs, toMs] and how many of them ran past the job's timeout. */
  between(fromMs: number, toMs: number): { scrapes: TimedScrape[]; overTimeout: number } {
    const scrapes = this.scrapes.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
    return { scrapes, overTimeout: scrapes.filter((s) => s.ms > this.job.timeoutS * 1000).length };
  }
}

/** Sample lines of an exposition (not comments, not blank). */
export function countSeries(body: Buffer): number {
  let n = 0;
  for (let start = 0; start < body.length; ) {
    let end = body.indexOf(10, start);
    if (end < 0) end = body.length;
    if (end > start && body[start] !== 35 /* # */) n++;
    start = end + 1;
  }
  return n;
}
