/**
 * The order-book scenario of `npm run bench`: in this process, no sockets, through the exporter's
 * own ingest step (parse, integrity check, apply; trades queued and applied to symbol state).
 *
 * - Per-update CPU cost of a Binance diff-depth update (10 levels changed, sequence checked) and
 *   of a Kraken v2 book update (2 levels, CRC32 of the top 10 verified), on books of `depth`.
 * - Throughput with books on vs off, same run: trade frames per CPU-second when the feed carries
 *   only trades, and when it also carries the diff-depth updates of `books` symbols at Binance's
 *   @100ms rate (10 a second each) against trades offered at `tradeRate` frames/s: the ratio is
 *   what books cost the trade path at a realistic mix.
 */
import { ASK, BID, Book } from '../src/book/book.js';
import { krakenChecksum } from '../src/book/kraken-checksum.js';
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import { binance } from '../src/feeds/binance.js';
import { kraken } from '../src/feeds/kraken.js';
import type { Adapter, BookEvent } from '../src/feeds/types.js';
import { applier, Ingest, type FeedControl } from '../src/ingest.js';
import { createLogger } from '../src/log.js';
import { FeedState } from '../src/market/feed-state.js';
import { IngestQueue } from '../src/market/queue.js';
import { median } from './stats.js';

export interface BookBenchOptions {
  /** Symbols on the feed (trades on all). */
  symbols: number;
  /** Of those, symbols with a book. */
  books: number;
  /** Levels per side. */
  depth: number;
  /** Trade frames/s offered in the mixed run (sets the ratio of depth updates to trades). */
  tradeRate: number;
  /** Trade frames per measured run. */
  frames: number;
  reps: number;
}

export interface BookBenchReport {
  symbols: number;
  books: number;
  depth: number;
  /** CPU per Binance diff-depth update (10 levels), ns. */
  binanceUpdateNs: number;
  /** CPU per Kraken book update (2 levels, checksum verified), ns. */
  krakenUpdateNs: number;
  /** Depth updates/s of `books` books at @100ms, and the share of one core they take. */
  updatesPerSecond: number;
  coreShare: number;
  /** Trade frames per CPU-second, books off and on (mixed in at the realistic ratio), and on/off. */
  tradeFpsOff: number;
  tradeFpsOn: number;
  ratio: number;
  /** Integrity failures seen while measuring: 0, or the generator and the book disagree. */
  failures: number;
}

/** The default config's bars, windows and indicators: the trade path as shipped. */
const cfg = {
  intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  windows: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }],
  indicators: DEFAULT_INDICATORS,
};
const control: FeedControl = { noteAlive: () => undefined, reconnect: () => undefined, resubscribeBook: () => undefined, fetchBookSnapshot: () => undefined };
const sym = (i: number) => `S${i}USDT`;

let seed = 7;
const rnd = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A feed, its ingest step and queue, with books on `books` of its symbols (none when 0). */
function rig(o: BookBenchOptions, books: number, venue: Adapter, names: (i: number) => string = sym) {
  const f = new FeedState('bench', Array.from({ length: o.symbols }, (_, i) => names(i)), cfg, Date.now());
  if (books > 0) f.configureBooks({ symbols: Array.from({ length: books }, (_, i) => names(i)), bands: [10, 50], depth: o.depth }, venue.book);
  const queue = new IngestQueue(1 << 16);
  const ingest = new Ingest(queue, createLogger({ level: 'error' }));
  const feed = (text: string, now: number) => {
    ingest.frame(f, venue, control, text, now, 0);
    queue.drain(applier, 1 << 16);
  };
  return { f, feed };
}

function tradeFrames(o: BookBenchOptions): string[] {
  const ids = new Array<number>(o.symbols).fill(1);
  const now = Date.now();
  return Array.from({ length: Math.min(o.frames, 50_000) }, (_, k) => {
    const i = k % o.symbols;
    const p = (100 + rnd()).toFixed(2);
    return `{"stream":"${sym(i).toLowerCase()}@trade","data":{"e":"trade","E":${now},"s":"${sym(i)}","t":${ids[i]!++},"p":"${p}","q":"0.01000000","T":${now},"m":true,"M":true}}`;
  });
}

/** Diff-depth frames for `books` symbols, round robin, each 10 levels near the mid, ids consecutive. */
function depthFrames(o: BookBenchOptions, n: number): { frames: string[]; first: number[] } {
  const last = Array.from({ length: o.books }, () => 1000);
  const first = last.map((x) => x + 1);
  const frames = Array.from({ length: n }, (_, k) => {
    const i = k % o.books;
    const U = last[i]! + 1;
    const u = U + 4;
    last[i] = u;
    const lv = (side: number) =>
      Array.from({ length: 5 }, () => {
        const off = Math.floor(rnd() * o.depth) + 1;
        const p = (side === BID ? 100 - off * 0.01 : 100 + off * 0.01).toFixed(2);
        return `["${p}","${rnd() < 0.2 ? '0.00000000' : rnd().toFixed(8)}"]`;
      }).join(',');
    return `{"stream":"${sym(i).toLowerCase()}@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"${sym(i)}","U":${U},"u":${u},"b":[${lv(BID)}],"a":[${lv(ASK)}]}}`;
  });
  return { frames, first };
}

/** Put every book in sync: the first update asks for a snapshot, this one bridges to it. */
function syncBooks(f: FeedState, o: BookBenchOptions, first: number[], names: (i: number) => string = sym): void {
  for (let i = 0; i < o.books; i++) {
    const bids: number[] = [];
    const asks: number[] = [];
    for (let l = 1; l <= o.depth; l++) {
      bids.push(100 - l * 0.01, 1);
      asks.push(100 + l * 0.01, 1);
    }
    const b = f.books.get(names(i))!;
    b.onEvent({ kind: 'book', symbol: names(i), snapshot: false, bids: [], asks: [], firstId: first[i]! - 1, lastId: first[i]! - 1 });
    const snap: BookEvent = { kind: 'book', symbol: names(i), snapshot: true, bids, asks, firstId: first[i]! - 1, lastId: first[i]! - 1 };
    b.onSnapshot(snap);
  }
}

/** Kraken book updates of 2 levels with the checksum a shadow book gives, after one snapshot per symbol. */
function krakenFrames(o: BookBenchOptions, n: number, names: (i: number) => string): { snapshots: string[]; frames: string[] } {
  const depth = 10;
  const shadows = Array.from({ length: o.books }, () => new Book(depth));
  const level = (p: number, q: number) => `{"price":${p.toFixed(1)},"qty":${q.toFixed(8)}}`;
  const snapshots = shadows.map((b, i) => {
    const bids: string[] = [];
    const asks: string[] = [];
    for (let l = 1; l <= depth; l++) {
      b.set(BID, 1000 - l / 10, 1);
      b.set(ASK, 1000 + l / 10, 1);
      bids.push(level(1000 - l / 10, 1));
      asks.push(level(1000 + l / 10, 1));
    }
    return `{"channel":"book","type":"snapshot","data":[{"symbol":"${names(i)}","bids":[${bids.join(',')}],"asks":[${asks.join(',')}],"checksum":${krakenChecksum(b, 1, 8)}}]}`;
  });
  const frames = Array.from({ length: n }, (_, k) => {
    const i = k % o.books;
    const b = shadows[i]!;
    // One level changed on each side, within the top 10 (a new size, never a removal: Kraken would
    // then send the level that comes into scope, which a shadow book cannot know).
    const pb = Math.round((1000 - (Math.floor(rnd() * depth) + 1) / 10) * 10) / 10;
    const pa = Math.round((1000 + (Math.floor(rnd() * depth) + 1) / 10) * 10) / 10;
    const qb = Math.round(rnd() * 1e8) / 1e8 + 0.5;
    const qa = Math.round(rnd() * 1e8) / 1e8 + 0.5;
    b.set(BID, pb, qb);
    b.set(ASK, pa, qa);
    return `{"channel":"book","type":"update","data":[{"symbol":"${names(i)}","bids":[${level(pb, qb)}],"asks":[${level(pa, qa)}],"checksum":${krakenChecksum(b, 1, 8)},"timestamp":"2026-03-02T10:00:00.000000Z"}]}`;
  });
  return { snapshots, frames };
}

function failures(f: FeedState): number {
  let n = 0;
  for (const b of f.books.values()) n += b.checksumFailures + b.sequenceBreaks;
  return n;
}

export function bookBench(o: BookBenchOptions): BookBenchReport {
  const updates = Math.max(o.books * 20, Math.min(o.frames, 100_000));
  const now = Date.now();
  let bad = 0;

  // Per-update cost, Binance diff depth.
  const bnNs: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    const { f, feed } = rig(o, o.books, binance);
    const { frames, first } = depthFrames(o, updates);
    syncBooks(f, o, first);
    const t0 = cpuMs();
    for (const fr of frames) feed(fr, now);
    bnNs.push(((cpuMs() - t0) * 1e6) / frames.length);
    bad += failures(f);
  }

  // Per-update cost, Kraken book with its checksum.
  const kName = (i: number) => `S${i}/USD`;
  const krNs: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    const { f, feed } = rig({ ...o, depth: 10 }, o.books, kraken, kName);
    const { snapshots, frames } = krakenFrames(o, updates, kName);
    for (const s of snapshots) feed(s, now);
    const t0 = cpuMs();
    for (const fr of frames) feed(fr, now);
    krNs.push(((cpuMs() - t0) * 1e6) / frames.length);
    bad += failures(f);
  }

  // Throughput with books off and on, alternating, same trade frames.
  const trades = tradeFrames(o);
  const updatesPerSecond = o.books * 10;
  const perTrade = updatesPerSecond / o.tradeRate;
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < o.reps; r++) {
    {
      const { feed } = rig(o, 0, binance);
      const t0 = cpuMs();
      for (let k = 0; k < o.frames; k++) feed(trades[k % trades.length]!, now);
      off.push(o.frames / ((cpuMs() - t0) / 1000));
    }
    {
      const { f, feed } = rig(o, o.books, binance);
      const { frames, first } = depthFrames(o, Math.ceil(o.frames * perTrade) + o.books);
      syncBooks(f, o, first);
      let owed = 0;
      let d = 0;
      const t0 = cpuMs();
      for (let k = 0; k < o.frames; k++) {
        feed(trades[k % trades.length]!, now);
        for (owed += perTrade; owed >= 1 && d < frames.length; owed--) feed(frames[d++]!, now);
      }
      on.push(o.frames / ((cpuMs() - t0) / 1000));
      bad += failures(f);
    }
  }
  const binanceUpdateNs = median(bnNs);
  const tradeFpsOff = median(off);
  const tradeFpsOn = median(on);
  return {
    symbols: o.symbols,
    books: o.books,
    depth: o.depth,
    binanceUpdateNs,
    krakenUpdateNs: median(krNs),
    updatesPerSecond,
    coreShare: (updatesPerSecond * binanceUpdateNs) / 1e9,
    tradeFpsOff,
    tradeFpsOn,
    ratio: tradeFpsOn / tradeFpsOff,
    failures: bad,
  };
}
