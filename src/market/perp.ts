/**
 * A perpetual swap's state beside its symbol: mark and index price, funding rate and the next
 * funding time, each as the venue last gave it. Plain fields the ingest step writes and the
 * renderer reads (src/metrics/families/perp.ts); NaN: never received, not exported.
 *
 * Venues send these in pieces (a Bybit ticker delta carries only what changed; OKX sends mark and
 * funding on separate channels), so each field keeps its last value until a new one arrives, as
 * market_price does. Whether they are current is `updatedAt`'s to say, not theirs: a feed that
 * goes down leaves them where they were and market_perp_last_update_timestamp_seconds stops.
 */
import type { MarkEvent } from '../feeds/types.js';

export class PerpState {
  mark = NaN;
  index = NaN;
  funding = NaN;
  /** Epoch ms. */
  nextFunding = NaN;
  /** Local receive time of the last mark event (ms). */
  updatedAt = NaN;

  apply(ev: MarkEvent, receivedAt: number): void {
    if (ev.markPrice !== undefined) this.mark = ev.markPrice;
    if (ev.indexPrice !== undefined) this.index = ev.indexPrice;
    if (ev.fundingRate !== undefined) this.funding = ev.fundingRate;
    if (ev.nextFundingTime !== undefined) this.nextFunding = ev.nextFundingTime;
    this.updatedAt = receivedAt;
  }
}

/** Whether a mark event's numbers can stand: prices above zero, a finite rate, a positive time. */
export function validMark(ev: MarkEvent): boolean {
  const price = (x: number | undefined) => x === undefined || (x > 0 && x < Infinity);
  const rate = ev.fundingRate;
  const time = ev.nextFundingTime;
  return (
    price(ev.markPrice) &&
    price(ev.indexPrice) &&
    (rate === undefined || (rate > -Infinity && rate < Infinity)) &&
    (time === undefined || (time > 0 && time < Infinity))
  );
}
