/** What one feed's backfill has done, as plain fields the renderer reads (metrics/families/backfill.ts). */

/** Where a feed's backfill stands. A closed set: the `state` label. */
export const BACKFILL_STATES = [
  'off', // backfill is not configured for the feed
  'running', // requests are queued or in flight
  'done', // every bar asked for in the last run was fetched (or nothing was missing)
  'partial', // the last run gave up on some (symbol, interval) after errors
] as const;
export type BackfillState = (typeof BACKFILL_STATES)[number];

/** Why a backfill request failed. A closed set: the `type` label. */
export const BACKFILL_ERRORS = [
  'http_4xx', // a client error other than 418/429 (unknown symbol, bad parameter)
  'http_5xx', // the venue failed
  'rate_limited', // 429, 418 (banned for ignoring 429), or the venue's in-band rate-limit code
  'malformed', // not JSON, or not the documented shape
  'venue_error', // a documented error answer with status 200 (OKX code, Bybit retCode, Kraken error)
  'network', // refused, reset, DNS, timeout; too many redirects, a body over the limit, an unknown encoding (feeds/rest-get.ts)
] as const;
export type BackfillError = (typeof BACKFILL_ERRORS)[number];

export class BackfillStats {
  state: BackfillState = 'off';
  /** Closed bars received from the venue in the requested range. */
  bars = 0;
  /** Bars that reached the indicators (those live trades had not already made). */
  applied = 0;
  readonly errors = Object.fromEntries(BACKFILL_ERRORS.map((t) => [t, 0])) as Record<BackfillError, number>;

  /** 1 for the current state, 0 for the others: one series per state, as Prometheus state sets go. */
  states(): Record<BackfillState, number> {
    return Object.fromEntries(BACKFILL_STATES.map((s) => [s, s === this.state ? 1 : 0])) as Record<BackfillState, number>;
  }
}
