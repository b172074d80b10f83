/**
 * One feed's backfill: at start, and when a connection comes back after a session ended, fetch
 * the closed bars each symbol is missing from the venue's public REST API and merge them into
 * its bars (SymbolState.backfill: live bars always win), paced by the venue's documented weight
 * (pacer.ts), retried with the sockets' backoff on 429/418/5xx and network errors, Retry-After
 * honoured. A few requests in flight per feed (IN_FLIGHT), all under one pacer. It runs beside live ingest and never waits on it.
 */
import type { BackoffConfig } from '../config/types.js';
import { backoffDelay, parseRetryAfter } from '../feeds/backoff.js';
import { restGet, type RestGet } from '../feeds/rest-get.js';
import type { Logger } from '../log.js';
import type { Bar } from '../market/bars.js';
import type { FeedState } from '../market/feed-state.js';
import { Pacer } from './pacer.js';
import { missingRange, pages } from './plan.js';
import type { RestVenue } from './rest.js';
import type { BackfillError } from './stats.js';

/** Attempts of one request before the (symbol, interval) is given up. */
export const MAX_ATTEMPTS = 5;
/** Requests of one feed in flight at once (each still paced by the venue's budget). */
export const IN_FLIGHT = 4;
/** A venue that asks us to wait longer than this (a 418 ban) ends the run: holds must not freeze indicators for hours. */
export const MAX_WAIT_MS = 5 * 60_000;
/** Readiness waits for the start backfill at most this long: a slow venue delays warmth, not service. */
export const READY_WAIT_MS = 30_000;

export interface BackfillOptions {
  rest: RestVenue;
  baseUrl: string;
  /** Bars per interval to fetch when the indicators have none. */
  depth: number;
  state: FeedState;
  /** Read at each run, so a reload applies. */
  graceMs: () => number;
  backoff: BackoffConfig;
  /** One request's time limit, ms. */
  timeoutMs: number;
  log: Logger;
  /** The REST GET (feeds/rest-get.ts by default). */
  get?: RestGet;
  now?: () => number;
  /** Waits `ms`; tests record the waits instead of spending them. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

class Stopped extends Error {}
class GiveUp extends Error {}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export class Backfill {
  /** Symbols waiting for a run, in order; a symbol queued twice runs once. */
  private readonly queue = new Set<string>();
  /** Symbols whose session ended: fetched when the feed is up again. */
  private readonly gaps = new Set<string>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private gaveUp = false;
  /** The start run has ended (or there was nothing to fetch). */
  private startDone = false;
  private readonly createdAt: number;
  private readonly abort = new AbortController();
  private readonly pacer: Pacer;
  private readonly get: RestGet;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: BackfillOptions) {
    this.get = opts.get ?? restGet;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.pacer = new Pacer(opts.rest.pace.budget, opts.rest.pace.windowMs, this.now());
    opts.state.backfill.state = 'done';
    this.createdAt = this.now();
  }

  /** The start run has ended, or READY_WAIT_MS has passed: what /-/ready waits for. */
  get warm(): boolean {
    return this.startDone || this.now() - this.createdAt >= READY_WAIT_MS;
  }

  /** Fetch every symbol's history. */
  start(): void {
    const t0 = performance.now();
    const before = { bars: this.opts.state.backfill.bars, applied: this.opts.state.backfill.applied };
    this.enqueue(this.opts.state.symbols.keys());
    void this.idle.then(() => {
      this.startDone = true;
      const b = this.opts.state.backfill;
      if (this.stopped) return;
      this.opts.log.info('backfill at start done', {
        state: b.state,
        symbols: this.opts.state.symbols.size,
        bars: b.bars - before.bars,
        applied: b.applied - before.applied,
        seconds: Math.round(performance.now() - t0) / 1000,
      });
    });
  }

  /** These symbols' session ended: hold the bars they close until their gap is fetched. */
  sessionEnded(symbols: readonly string[]): void {
    if (this.stopped) return;
    for (const s of symbols) {
      const sym = this.opts.state.symbols.get(s);
      if (!sym) continue;
      sym.hold();
      this.gaps.add(s);
    }
  }

  /** The feed's sockets changed; once every connection is open again the gaps are fetched. */
  status(up: boolean): void {
    if (!up || this.gaps.size === 0 || this.stopped) return;
    const symbols = [...this.gaps];
    this.gaps.clear();
    this.enqueue(symbols);
  }

  /** Abort what is in flight, release every hold. Resolves when the run has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running;
    this.releaseAll();
  }

  /** The run under way, if any (tests wait on it). */
  get idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private enqueue(symbols: Iterable<string>): void {
    if (this.stopped) return;
    for (const s of symbols) this.queue.add(s);
    if (this.queue.size === 0 || this.running) return;
    this.opts.state.backfill.state = 'running';
    this.gaveUp = false;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  private async run(): Promise<void> {
    const stats = this.opts.state.backfill;
    // A few workers share the queue and the pacer: the venue's budget, not one request's round
    // trip, sets the pace (1,000 symbols one after the other at 100 ms each would take minutes).
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => this.worker()));
    if (this.stopped) return;
    if (this.gaveUp) this.releaseAll();
    // Symbols queued while this run was busy were taken by its workers: none is left behind.
    stats.state = this.gaveUp ? 'partial' : 'done';
  }

  private async worker(): Promise<void> {
    while (this.queue.size > 0 && !this.stopped) {
      const symbol = this.queue.values().next().value as string;
      this.queue.delete(symbol);
      try {
        await this.symbol(symbol);
      } catch (e) {
        if (e instanceof Stopped) return;
        if (!(e instanceof GiveUp)) this.opts.log.limited('internal_error', 'backfill failed', { error: String(e) });
        // The venue banned us for longer than a run may wait, or a bug: the rest of the run goes.
        this.gaveUp = true;
        this.queue.clear();
        return;
      }
    }
  }

  /** Every interval of one symbol: fetch what it misses, merge, release its hold. */
  private async symbol(symbol: string): Promise<void> {
    const { rest, state, depth } = this.opts;
    const sym = state.symbols.get(symbol);
    if (!sym) return;
    for (let i = 0; i < sym.intervals.length; i++) {
      const iv = sym.intervals[i]!;
      const now = this.now();
      const grace = this.opts.graceMs();
      const range = missingRange(now, grace, iv.ms, depth, iv.lastBar?.end, rest.maxDepth);
      let bars: Bar[] = [];
      if (range) {
        const got = await this.fetchRange(symbol, iv.ms, range.from, range.to, now - grace);
        if (got === undefined) this.gaveUp = true;
        else bars = got;
      }
      // The symbol may have gone with a reload while we waited.
      if (state.symbols.get(symbol) !== sym) return;
      state.backfill.bars += bars.length;
      state.backfill.applied += sym.backfill(i, bars);
    }
  }

  /** Closed bars of [from, to), oldest first; undefined when a page was given up. */
  private async fetchRange(symbol: string, ms: number, from: number, to: number, closedBy: number): Promise<Bar[] | undefined> {
    const { rest, baseUrl } = this.opts;
    const byStart = new Map<number, Bar>();
    for (const p of pages(from, to, ms, rest.maxBars)) {
      const url = rest.url(baseUrl, symbol, ms, p.from, p.to, this.now());
      const bars = await this.page(url, ms);
      if (bars === undefined) return undefined;
      for (const b of bars) if (b.start >= from && b.start < to && b.end <= closedBy) byStart.set(b.start, b);
    }
    return [...byStart.values()].sort((a, b) => a.start - b.start);
  }

  /** One page, retried; undefined when it is given up. */
  private async page(url: string, ms: number): Promise<Bar[] | undefined> {
    const { rest, log } = this.opts;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await this.paced();
      let status: number;
      let body: string;
      let retryAfter: string | undefined;
      try {
        const res = await this.get(url, AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]));
        status = res.status;
        retryAfter = res.header('retry-after');
        body = res.body;
      } catch (e) {
        if (this.stopped) throw new Stopped();
        this.failed('network', url, (e as Error).message);
        await this.wait(backoffDelay(attempt, this.opts.backoff, this.random));
        continue;
      }
      if (status === 429 || status === 418) {
        const after = parseRetryAfter(retryAfter, Date.now());
        this.failed('rate_limited', url, `status=${status}${after !== undefined ? ` retry_after_ms=${after}` : ''}`);
        await this.rateLimited(attempt, after);
        continue;
      }
      if (status >= 500) {
        this.failed('http_5xx', url, `status=${status}`);
        await this.wait(backoffDelay(attempt, this.opts.backoff, this.random));
        continue;
      }
      if (status >= 400 || status < 200 || status >= 300) {
        this.failed('http_4xx', url, `status=${status} ${body.slice(0, 200)}`);
        return undefined;
      }
      const parsed = rest.parse(body, ms);
      if (parsed.ok) return parsed.bars;
      if (parsed.rateLimited) {
        this.failed('rate_limited', url, parsed.error);
        await this.rateLimited(attempt, undefined);
        continue;
      }
      this.failed(parsed.inBand ? 'venue_error' : 'malformed', url, parsed.error);
      return undefined;
    }
    log.limited('backfill', 'backfill request given up', { url: shortUrl(url), attempts: MAX_ATTEMPTS });
    return undefined;
  }

  private failed(type: BackfillError, url: string, detail: string): void {
    this.opts.state.backfill.errors[type]++;
    this.opts.log.limited('backfill', 'backfill request failed', { type, url: shortUrl(url), detail });
  }

  /** Slow down as the sockets do on 429/418: two steps up the backoff ladder, or Retry-After if longer. */
  private async rateLimited(attempt: number, retryAfterMs: number | undefined): Promise<void> {
    const delay = Math.max(backoffDelay(attempt, this.opts.backoff, this.random, true), retryAfterMs ?? 0);
    if (delay > MAX_WAIT_MS) {
      this.pacer.pauseUntil(this.now() + delay);
      throw new GiveUp();
    }
    // The limit is the IP's: every later request of this feed waits too.
    this.pacer.pauseUntil(this.now() + delay);
    await this.wait(delay);
  }

  /** Wait until the venue's weight budget has room for one request. */
  private async paced(): Promise<void> {
    for (;;) {
      if (this.stopped) throw new Stopped();
      const wait = this.pacer.take(this.opts.rest.pace.weight, this.now());
      if (wait === 0) return;
      if (wait > MAX_WAIT_MS) throw new GiveUp();
      await this.wait(wait);
    }
  }

  private async wait(ms: number): Promise<void> {
    await this.sleep(ms);
    if (this.stopped) throw new Stopped();
  }

  private releaseAll(): void {
    for (const sym of this.opts.state.symbols.values()) {
      sym.intervals.forEach((iv, i) => {
        if (iv.held) sym.backfill(i, []);
      });
    }
  }
}

/** A URL for the log: the venue and path, the query (symbol, times) kept short. */
function shortUrl(url: string): string {
  return url.length > 200 ? `${url.slice(0, 197)}...` : url;
}
