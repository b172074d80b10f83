/**
 * One symbol's book kept in step with its venue: applies snapshots and updates, and judges each
 * update by the venue's integrity rule. Pure: it says what the shell must do (resubscribe, fetch a
 * snapshot) and counts what went wrong; it never touches sockets, timers or HTTP.
 *
 * - checksum (Kraken v2 `book`): after every message the top 10 levels must hash to the message's
 *   `checksum`; a mismatch marks the book out of sync until the resubscription's snapshot.
 * - snapshot (OKX `books5`): every push replaces the book; there is nothing to check.
 * - sequence (Binance spot diff depth, "How to manage a local order book correctly"): updates are
 *   buffered until a REST snapshot arrives; those with u <= lastUpdateId are dropped, the first
 *   applied must have U <= lastUpdateId+1 <= u, and from then on each U must be the previous u + 1
 *   (an update with U > local id + 1 is a break: the book is discarded and synced again).
 */
import type { BookEvent, BookIntegrity, BookSupport } from '../feeds/types.js';
import { ASK, BID, Book } from './book.js';

/** What the shell must do after an event. */
export type BookAction = 'none' | 'resubscribe' | 'fetch_snapshot';

/** Updates held while a snapshot is awaited; past this the oldest go (the snapshot will not bridge them and a refetch follows). */
export const BOOK_BUFFER_LIMIT = 1000;

export class BookSync {
  readonly book: Book;
  /** Updates applied (snapshots included). */
  updates = 0;
  checksumFailures = 0;
  sequenceBreaks = 0;
  /** Times the book was rebuilt after a failure (a resubscription or a refetched snapshot). */
  resyncs = 0;
  /** 1 while the book matches the venue's (a snapshot applied, no failure since). */
  synced = false;
  private priceDecimals = 0;
  private qtyDecimals = 0;
  /** sequence: the last update id applied. */
  private lastId = -1;
  /** sequence: updates held until a snapshot arrives. */
  private buffer: BookEvent[] = [];
  /** sequence: a snapshot has been asked for and not yet applied. */
  private awaiting = false;
  private readonly integrity: BookIntegrity;

  constructor(
    private readonly support: BookSupport,
    readonly depth: number,
    readonly bands: readonly number[],
  ) {
    this.integrity = support.integrity;
    this.book = new Book(depth);
  }

  /** A REST snapshot has been asked for and not yet applied. */
  get awaitingSnapshot(): boolean {
    return this.awaiting;
  }

  /** A session ended: nothing said before it can be trusted against what comes after. */
  reset(): void {
    this.synced = false;
    this.awaiting = false;
    this.buffer = [];
    this.lastId = -1;
    this.book.clear();
  }

  /** A book event from the socket. */
  onEvent(ev: BookEvent): BookAction {
    return this.integrity === 'sequence' ? this.sequenceEvent(ev) : this.checksumEvent(ev);
  }

  /**
   * A REST snapshot arrived (sequence venues). 'fetch_snapshot' again when it cannot bridge to the
   * buffered updates (older than the first of them: "go back to step 2").
   */
  onSnapshot(ev: BookEvent): BookAction {
    // Unasked for (a session ended while it was on its way): the next update asks again.
    if (this.integrity !== 'sequence' || !this.awaiting) return 'none';
    const last = ev.lastId ?? -1;
    const buf = this.buffer.filter((u) => (u.lastId ?? -1) > last);
    const first = buf[0];
    if (first !== undefined && (first.firstId ?? 0) > last + 1) {
      this.buffer = buf;
      return 'fetch_snapshot';
    }
    this.load(ev);
    this.lastId = last;
    this.awaiting = false;
    this.buffer = [];
    this.synced = true;
    for (const u of buf) {
      const a = this.sequenceEvent(u);
      if (a !== 'none') return a;
    }
    return 'none';
  }

  private checksumEvent(ev: BookEvent): BookAction {
    if (ev.priceDecimals !== undefined && ev.priceDecimals > this.priceDecimals) this.priceDecimals = ev.priceDecimals;
    if (ev.qtyDecimals !== undefined && ev.qtyDecimals > this.qtyDecimals) this.qtyDecimals = ev.qtyDecimals;
    if (ev.snapshot) {
      this.load(ev);
      this.synced = true;
    } else {
      // Updates before the resubscription's snapshot belong to a book already known wrong.
      if (!this.synced) return 'none';
      // An update id that does not advance (Bybit's u) is a replay: already in the book.
      if (ev.lastId !== undefined && ev.lastId <= this.lastId) return 'none';
      this.levels(ev);
      this.updates++;
    }
    if (ev.lastId !== undefined) this.lastId = ev.lastId;
    this.book.truncate(this.depth);
    if (ev.checksum === undefined || !this.support.checksum) return 'none';
    if (this.support.checksum(this.book, this.priceDecimals, this.qtyDecimals) === ev.checksum) return 'none';
    this.checksumFailures++;
    this.resyncs++;
    this.synced = false;
    return 'resubscribe';
  }

  private sequenceEvent(ev: BookEvent): BookAction {
    const first = ev.firstId ?? 0;
    const last = ev.lastId ?? 0;
    if (!this.synced) {
      if (this.buffer.length >= BOOK_BUFFER_LIMIT) this.buffer.shift();
      this.buffer.push(ev);
      if (this.awaiting) return 'none';
      this.awaiting = true;
      return 'fetch_snapshot';
    }
    if (last <= this.lastId) return 'none';
    if (first > this.lastId + 1) {
      this.sequenceBreaks++;
      this.resyncs++;
      this.synced = false;
      this.book.clear();
      this.buffer = [ev];
      this.awaiting = true;
      return 'fetch_snapshot';
    }
    this.levels(ev);
    this.lastId = last;
    this.updates++;
    return 'none';
  }

  private load(ev: BookEvent): void {
    this.book.clear();
    this.levels(ev);
    this.updates++;
  }

  private levels(ev: BookEvent): void {
    const b = ev.bids;
    const a = ev.asks;
    for (let i = 0; i + 1 < b.length; i += 2) this.book.set(BID, b[i]!, b[i + 1]!);
    for (let i = 0; i + 1 < a.length; i += 2) this.book.set(ASK, a[i]!, a[i + 1]!);
  }
}
