/**
 * What venues say of their own state, parsed from each venue's documented frames into
 * VenueStatusEvents. Pure: the adapters call in here from their router; market/venue-state.ts
 * decides how long each word holds and what market_venue_status shows.
 *
 * Sources (read 2026):
 * - Binance spot market streams, binance/binance-spot-api-docs web-socket-streams.md "Server
 *   Shutdown": `{"e":"serverShutdown","E":<ms>}` on a raw stream, wrapped as
 *   `{"stream":"!serverShutdown","data":{...}}` on a combined one; "please establish a new
 *   connection as quickly as possible". (The `{"event":{...}}` form is the WebSocket API's, a
 *   different endpoint this exporter does not use.)
 * - OKX v5 "Overview > WebSocket > Notification": `{"event":"notice","code":"64008","msg":"The
 *   connection will soon be closed for a service upgrade. Please reconnect.","connId":...}`, sent
 *   30 s before the push service is upgraded.
 * - Kraken spot WebSocket v2 "status" (docs.kraken.com/exchange/api-reference/spot-websocket-v2/
 *   status, and the same channel of the unified WebSocket): `{"channel":"status","type":"update",
 *   "data":[{"system":"online"|"cancel_only"|"maintenance"|"post_only",...}]}`, sent on connect
 *   and whenever the trading engine's state changes. Deployments with the maintenance-status
 *   integration add `upcoming_maintenance` and `emergency` arrays (both present or both absent,
 *   empty when nothing is to report); an `upcoming_maintenance` entry describes one window
 *   within 72 h (`expected_start_utc`, `expected_end_utc`, `phase`: announced, reminder_24h,
 *   approaching_30m, imminent_5m, final_warning_30s; `affected_services`: spot_ws, spot_trading,
 *   all, ...) and is removed once the window starts, when `system` itself changes.
 */
import { isObj, show, type Obj } from './frame.js';
import { parseRfc3339 } from './rfc3339.js';
import type { MarketEvent, VenueStatus, VenueStatusEvent } from './types.js';

const ENGINE_STATES: ReadonlySet<string> = new Set<VenueStatus>(['online', 'maintenance', 'cancel_only', 'post_only']);

/** Kraken services whose maintenance stops this exporter's data (a spot WebSocket feed). */
const KRAKEN_SPOT_SERVICES: ReadonlySet<string> = new Set(['spot_ws', 'spot_trading', 'all', 'unspecified']);

/** OKX's notice code for "the connection will soon be closed for a service upgrade". */
export const OKX_NOTICE_UPGRADE = '64008';

const restart = (message: string): VenueStatusEvent => ({ kind: 'venue_status', status: 'restart_announced', message });

/** Binance `serverShutdown` (raw or combined): the server is going; reconnect now. */
export function binanceServerShutdown(): MarketEvent[] {
  const message = 'binance serverShutdown: the server is about to close this connection';
  return [restart(message), { kind: 'notice', message, reconnect: 'venue_notice' }];
}

/** OKX `event: notice`: 64008 announces a restart (and asks for a reconnect); other codes are logged. */
export function okxNotice(msg: Obj): MarketEvent[] {
  const code = typeof msg.code === 'string' ? msg.code : show(msg.code);
  const message = `okx notice ${code}: ${show(msg.msg)}`;
  if (code !== OKX_NOTICE_UPGRADE) return [{ kind: 'notice', message }];
  return [restart(message), { kind: 'notice', message, reconnect: 'venue_notice' }];
}

/**
 * The earliest announced window affecting spot data, epoch ms: null when the list says none,
 * undefined when the frame has no list (or no usable start).
 */
function nextWindow(list: unknown): { start: number; phase: string } | null | undefined {
  if (!Array.isArray(list)) return undefined;
  let best: { start: number; phase: string } | null = null;
  for (const w of list) {
    if (!isObj(w)) continue;
    const services = Array.isArray(w.affected_services) ? w.affected_services : ['unspecified'];
    if (!services.some((s) => typeof s === 'string' && KRAKEN_SPOT_SERVICES.has(s))) continue;
    const start = typeof w.expected_start_utc === 'string' ? parseRfc3339(w.expected_start_utc) : NaN;
    if (start !== start) continue;
    if (best === null || start < best.start) best = { start, phase: typeof w.phase === 'string' ? w.phase : 'unspecified' };
  }
  return best;
}

/** Kraken v2 `status` channel data: one event per entry (there is one). */
export function krakenStatus(data: readonly unknown[]): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (const d of data) {
    if (!isObj(d)) continue;
    const system = d.system;
    if (typeof system !== 'string' || !ENGINE_STATES.has(system)) {
      out.push({ kind: 'error', type: 'unknown_message', message: `kraken status with unknown system ${show(system)}` });
      continue;
    }
    const ev: VenueStatusEvent = { kind: 'venue_status', status: system as VenueStatus, message: `kraken system status ${system}` };
    const next = nextWindow(d.upcoming_maintenance);
    if (next === null) ev.maintenanceStart = null;
    else if (next !== undefined) {
      ev.maintenanceStart = next.start;
      ev.message += `; maintenance from ${new Date(next.start).toISOString()} (${show(next.phase)})`;
    }
    out.push(ev);
  }
  return out;
}
