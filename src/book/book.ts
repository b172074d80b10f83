/**
 * A compact price-level book for one symbol: each side a sorted pair of typed arrays (bids high to
 * low, asks low to high) holding at most `capacity` levels. An update is a binary search and one
 * copyWithin; nothing is allocated after construction, so thousands of books cost no garbage.
 * Derived values (top sizes, depth within bands, imbalance, spread) are read at scrape time.
 */

export const BID = 0;
export const ASK = 1;
export type Side = typeof BID | typeof ASK;

export class Book {
  readonly px: [Float64Array, Float64Array];
  readonly qty: [Float64Array, Float64Array];
  /** Levels held per side. */
  readonly len: [number, number] = [0, 0];

  constructor(readonly capacity: number) {
    this.px = [new Float64Array(capacity), new Float64Array(capacity)];
    this.qty = [new Float64Array(capacity), new Float64Array(capacity)];
  }

  clear(): void {
    this.len[BID] = 0;
    this.len[ASK] = 0;
  }

  /**
   * Set the level at `price` to `qty` (absolute, as venues send it); qty 0 removes it. A level
   * worse than the `capacity` best is not kept: venues stop updating levels out of the subscribed
   * depth, so holding them would only hold stale sizes.
   */
  set(side: Side, price: number, qty: number): void {
    const px = this.px[side];
    const q = this.qty[side];
    const n = this.len[side];
    // First index whose price is not better than `price` (bids descend, asks ascend).
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (side === BID ? px[mid]! > price : px[mid]! < price) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && px[lo] === price) {
      if (qty > 0) q[lo] = qty;
      else {
        px.copyWithin(lo, lo + 1, n);
        q.copyWithin(lo, lo + 1, n);
        this.len[side] = n - 1;
      }
      return;
    }
    // Removing a level the book does not hold is normal (Binance says so; truncation makes it so).
    if (qty <= 0 || lo >= this.capacity) return;
    const end = Math.min(n, this.capacity - 1);
    px.copyWithin(lo + 1, lo, end);
    q.copyWithin(lo + 1, lo, end);
    px[lo] = price;
    q[lo] = qty;
    this.len[side] = end + 1;
  }

  /** Keep only the best `depth` levels per side (Kraken: truncate to the subscribed depth). */
  truncate(depth: number): void {
    if (this.len[BID] > depth) this.len[BID] = depth;
    if (this.len[ASK] > depth) this.len[ASK] = depth;
  }

  get bestBid(): number {
    return this.len[BID] > 0 ? this.px[BID][0]! : NaN;
  }
  get bestAsk(): number {
    return this.len[ASK] > 0 ? this.px[ASK][0]! : NaN;
  }
  get bestBidSize(): number {
    return this.len[BID] > 0 ? this.qty[BID][0]! : NaN;
  }
  get bestAskSize(): number {
    return this.len[ASK] > 0 ? this.qty[ASK][0]! : NaN;
  }
  /** NaN unless both sides hold a level. */
  get mid(): number {
    return (this.bestBid + this.bestAsk) / 2;
  }
  /** Best ask minus best bid over the mid, in basis points. */
  get spreadBps(): number {
    return ((this.bestAsk - this.bestBid) / this.mid) * 1e4;
  }

  /** Base quantity resting on `side` within `bps` basis points of the mid (NaN without a mid). */
  depthWithin(side: Side, bps: number): number {
    const mid = this.mid;
    if (!(mid > 0)) return NaN;
    const px = this.px[side];
    const q = this.qty[side];
    const n = this.len[side];
    let sum = 0;
    if (side === BID) {
      const floor = mid * (1 - bps / 1e4);
      for (let i = 0; i < n && px[i]! >= floor; i++) sum += q[i]!;
    } else {
      const cap = mid * (1 + bps / 1e4);
      for (let i = 0; i < n && px[i]! <= cap; i++) sum += q[i]!;
    }
    return sum;
  }

  /** (bid depth - ask depth) / (bid depth + ask depth) within `bps` of the mid: -1 all asks, +1 all bids. */
  imbalance(bps: number): number {
    const b = this.depthWithin(BID, bps);
    const a = this.depthWithin(ASK, bps);
    return b + a > 0 ? (b - a) / (b + a) : NaN;
  }
}
