/**
 * The shell that fetches REST book snapshots for sequence venues (Binance): one request at a time
 * per symbol, a timeout, and a retry after a pause when the request fails or the snapshot cannot
 * bridge to the buffered updates. Nothing here judges a book; BookSync does.
 */
import { restGet } from '../feeds/rest-get.js';
import type { BookEvent, BookSupport } from '../feeds/types.js';

export interface FetcherOptions {
  support: BookSupport;
  restBase: string;
  depth: number;
  /** A snapshot arrived; returns true when another is needed (it could not bridge). */
  onSnapshot(symbol: string, ev: BookEvent): boolean;
  /** The symbol's book still waits for a snapshot (a retry is pointless otherwise). */
  wanted(symbol: string): boolean;
  /** A fetch failed (HTTP status, network, malformed body): counted and logged by the caller. */
  onError(detail: string): void;
  /** Pause before a retry, ms. */
  retryMs?: number;
  timeoutMs?: number;
}

export const SNAPSHOT_RETRY_MS = 1000;
export const SNAPSHOT_TIMEOUT_MS = 10_000;

export class SnapshotFetcher {
  private readonly busy = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private stopped = false;

  constructor(private readonly opts: FetcherOptions) {}

  /** Fetch a snapshot of `symbol` unless one is already on its way. */
  request(symbol: string): void {
    if (this.stopped || this.busy.has(symbol)) return;
    this.busy.add(symbol);
    void this.run(symbol);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const a of this.aborts) a.abort();
    this.timers.clear();
    this.aborts.clear();
  }

  private async run(symbol: string): Promise<void> {
    const { support, restBase, depth } = this.opts;
    const url = support.snapshotUrl!(restBase, symbol, depth);
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs ?? SNAPSHOT_TIMEOUT_MS);
    let again: boolean;
    try {
      const r = await restGet(url, abort.signal);
      const body = r.body;
      if (r.status < 200 || r.status > 299) throw new Error(`HTTP ${r.status}: ${body.slice(0, 200)}`);
      const ev = support.parseSnapshot!(symbol, body);
      if (ev.kind === 'error') throw new Error(ev.message);
      again = !this.stopped && this.opts.onSnapshot(symbol, ev);
    } catch (e) {
      if (!this.stopped) this.opts.onError(`book snapshot ${symbol} from ${url}: ${(e as Error).message}`);
      again = true;
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    this.busy.delete(symbol);
    if (!again || this.stopped || !this.opts.wanted(symbol)) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.request(symbol);
    }, this.opts.retryMs ?? SNAPSHOT_RETRY_MS);
    t.unref();
    this.timers.add(t);
  }
}
