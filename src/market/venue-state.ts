/**
 * A feed's venue state as market_venue_status shows it: what the venue last said of itself, for
 * as long as that word can still be true. Pure: times are handed in (epoch ms).
 *
 * The rules (docs/metrics.md, docs/venues.md):
 * - An engine state from a status channel (Kraken `status`: online, maintenance, cancel_only,
 *   post_only) holds while any connection of the feed is open: the venue pushes every change, and
 *   sends its state again on every connect, so a reconnect refreshes it. With no connection open
 *   the venue cannot tell us of a change: the last state holds for CONTACT_HOLD_MS after the
 *   last connection closed (a maintenance that drops our sockets is still explained), then
 *   becomes `unknown`.
 * - `restart_announced` (Binance serverShutdown, OKX 64008) holds for NOTICE_HOLD_MS after the
 *   latest such notice. The feed reconnects at once; the hold covers the reconnect churn of an
 *   upgrade and ends by itself, because nothing ever says the restart is over.
 * - Precedence: an engine state other than online, then restart_announced, then online, then
 *   `unknown` (nothing said: venues without a status channel, or Kraken before its first status).
 * - The next announced maintenance window (Kraken `upcoming_maintenance`) follows the engine
 *   state's freshness; a status frame without the list leaves it as it was, one with an empty
 *   list clears it.
 */
import { VENUE_STATUSES, type VenueStatus, type VenueStatusEvent } from '../feeds/types.js';

/** The states market_venue_status shows: what venues say, plus `unknown`. */
export const VENUE_STATES = [...VENUE_STATUSES, 'unknown'] as const;
export type VenueStateName = (typeof VENUE_STATES)[number];

/** How long a channel-reported state outlives the last open connection. */
export const CONTACT_HOLD_MS = 60 * 60_000;
/** How long a restart notice holds. */
export const NOTICE_HOLD_MS = 2 * 60_000;

type EngineState = Exclude<VenueStatus, 'restart_announced'>;

export class VenueState {
  private engine: EngineState | undefined;
  private maintenanceStart = NaN;
  private noticeUntil = -Infinity;
  /** Connections open now; when none, since when (epoch ms). */
  private open = 0;
  private closedSince = -Infinity;

  /** The venue said something of its state at `now`. Returns true when what it said changes the shown state. */
  apply(ev: VenueStatusEvent, now: number): boolean {
    const before = this.state(now);
    if (ev.status === 'restart_announced') this.noticeUntil = now + NOTICE_HOLD_MS;
    else {
      this.engine = ev.status;
      if (ev.maintenanceStart === null) this.maintenanceStart = NaN;
      else if (ev.maintenanceStart !== undefined) this.maintenanceStart = ev.maintenanceStart;
    }
    return this.state(now) !== before;
  }

  /** The feed now has `open` connections open (the socket layer's count, at `now`). */
  contact(open: number, now: number): void {
    if (open === 0 && this.open > 0) this.closedSince = now;
    this.open = open;
  }

  /** The engine state, if it can still be true at `now`. */
  private engineAt(now: number): EngineState | undefined {
    if (this.engine === undefined) return undefined;
    return this.open > 0 || now - this.closedSince <= CONTACT_HOLD_MS ? this.engine : undefined;
  }

  state(now: number): VenueStateName {
    const engine = this.engineAt(now);
    if (engine !== undefined && engine !== 'online') return engine;
    if (now < this.noticeUntil) return 'restart_announced';
    return engine ?? 'unknown';
  }

  /** Start of the next announced maintenance window, epoch ms; NaN when none is known. */
  nextMaintenance(now: number): number {
    return this.engineAt(now) === undefined ? NaN : this.maintenanceStart;
  }
}
