/**
 * The simulator's HTTP control API: `POST /control/<knob>?param=...` and `GET /control/state`,
 * mapped onto the knob methods. Pure routing: no sockets, so it is tested without a server.
 *
 * | request                                           | effect                                          |
 * |---------------------------------------------------|-------------------------------------------------|
 * | GET  /control, GET /control/state                 | every knob and its parameters / current state   |
 * | POST /control/rate?value=N                        | N trades/s per configured symbol                |
 * | POST /control/burst?n=N                           | one trade for each of N symbols, same ms        |
 * | POST /control/burst?symbol=S&n=K                  | K trades of S in the same ms                    |
 * | POST /control/gap?symbol=S&n=N                    | S's next trade skips N ids (n defaults to 1)    |
 * | POST /control/duplicate?symbol=S                  | resend S's last trade frame                     |
 * | POST /control/malformed?kind=K[&symbol=S]         | one bad frame (json, truncated, binary, ...)    |
 * | POST /control/silence?on=true|false               | stop sending and stop answering pings           |
 * | POST /control/disconnect[?code=N]                 | close every client with N, or reset (no code)   |
 * | POST /control/shock?symbol=S&pct=P                | S's next trade moves the price by P percent     |
 * | POST /control/freeze?symbol=S[&noise=R]           | S trades on at one price (moved by at most R)   |
 * | POST /control/thaw?symbol=S                       | S's price walks again                           |
 * | POST /control/lag?ms=N                            | event times N ms in the past                    |
 * | POST /control/pause, POST /control/resume         | stop / restart the rate-driven flow             |
 * | POST /control/backfill?minutes=M[&step=S][&end=T] | trades stamped over the past M minutes          |
 *
 * `backfill` sends, for every configured symbol with a trade subscriber, one trade per S seconds
 * of event time (default 30) over (T - M minutes, T], T in epoch ms (default now), symbol by
 * symbol, oldest first, on the symbol's walk and id sequence: an exporter started now gets hours
 * of bars at once. It
 * answers when every frame is written (it waits for slow clients rather than dropping frames),
 * with `{"trades","sent","skipped",...}`; see Simulator.backfill.
 *
 * `symbol` defaults to the first configured symbol. Answers are JSON: `{"ok":true,"result":..,
 * "state":{..}}`, or `{"ok":false,"error":".."}` with 400 (bad parameter), 404 (no such knob) or
 * 405 (wrong method).
 */
import { MALFORMED_KINDS, isMalformedKind, type MalformedKind } from './market.js';

export interface SimulatorState {
  url: string;
  symbols: string[];
  ratePerSymbol: number;
  paused: boolean;
  silent: boolean;
  lagMs: number;
  seed: number;
  clients: number;
  /** Distinct streams at least one client is subscribed to. */
  streams: number;
  tradesGenerated: number;
  framesSent: number;
  /** Frames not sent because a client's send buffer was over its limit. */
  framesDropped: number;
  /** A backfill is being sent (the rate-driven flow waits for it). */
  backfilling: boolean;
  /** Times a backfill waited for a client to drain its send buffer (slow clients, cumulative). */
  backfillWaits: number;
}

/** What one backfill did. */
export interface BackfillResult {
  /** Symbols that got trades (configured ones with a trade subscriber). */
  symbols: number;
  /** Trades generated (ids used), all symbols together. */
  trades: number;
  /** Frames written to clients. */
  sent: number;
  /** Frames not written: the client closed, or stopped reading for too long (see the server). */
  skipped: number;
  /** Event time of the first and the last trade, epoch ms. */
  from: number;
  to: number;
  stepMs: number;
}

/** What the control API drives; Simulator implements it. */
export interface SimulatorKnobs {
  state(): SimulatorState;
  setRate(perSymbol: number): void;
  burst(n: number): number;
  burstSymbol(symbol: string, k: number): number;
  gap(symbol: string, n: number): void;
  duplicate(symbol: string): number;
  malformed(kind: MalformedKind, symbol?: string): number;
  silence(on: boolean): void;
  disconnect(code?: number): number;
  shock(symbol: string, pct: number): void;
  freeze(symbol: string, noise?: number): void;
  thaw(symbol: string): void;
  lag(ms: number): void;
  pause(): void;
  resume(): void;
  backfill(minutes: number, stepMs?: number, end?: number, opts?: { allowLate?: boolean }): Promise<BackfillResult>;
}

export interface ControlResponse {
  status: number;
  body: Record<string, unknown>;
}

class BadRequest extends Error {
  override name = 'BadRequest';
}

function num(q: URLSearchParams, key: string, opts: { int?: boolean; min?: number; max?: number; def?: number } = {}): number {
  const raw = q.get(key);
  if (raw === null || raw === '') {
    if (opts.def !== undefined) return opts.def;
    throw new BadRequest(`missing parameter ${key}`);
  }
  const v = Number(raw);
  if (!Number.isFinite(v) || (opts.int && !Number.isInteger(v))) throw new BadRequest(`${key} must be ${opts.int ? 'an integer' : 'a number'}, got ${raw}`);
  if (opts.min !== undefined && v < opts.min) throw new BadRequest(`${key} must be >= ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw new BadRequest(`${key} must be <= ${opts.max}`);
  return v;
}

function bool(q: URLSearchParams, key: string, def: boolean): boolean {
  const raw = q.get(key);
  if (raw === null || raw === '') return def;
  if (raw === 'true' || raw === '1' || raw === 'on') return true;
  if (raw === 'false' || raw === '0' || raw === 'off') return false;
  throw new BadRequest(`${key} must be true or false, got ${raw}`);
}

/** Largest burst one request may ask for: enough for a market-open snapshot, not an OOM. */
export const MAX_BURST = 100_000;
/** Longest backfill one request may ask for: a week. */
export const MAX_BACKFILL_MINUTES = 7 * 24 * 60;

/** What GET /control answers: every knob, how to call it, and each parameter. */
export interface KnobDoc {
  method: 'POST';
  effect: string;
  /** Parameter name → what it is; optional ones say their default. */
  params: Record<string, string>;
}

const SYMBOL_PARAM = 'a configured symbol, or one a client subscribed to (default: the first configured); anything else is 400';

export const KNOB_DOCS: Record<string, KnobDoc> = {
  rate: { method: 'POST', effect: 'set the rate-driven flow', params: { value: 'trades per second per configured symbol, 0 to 1000000 (0 stops the flow)' } },
  burst: {
    method: 'POST',
    effect: 'trades in the same millisecond: one for each of n symbols, or with symbol, n of that symbol',
    params: {
      n: `1 to ${MAX_BURST}; without symbol, at most the configured plus subscribed symbols (400 otherwise)`,
      symbol: `optional: ${SYMBOL_PARAM}`,
    },
  },
  gap: { method: 'POST', effect: "the symbol's next trade skips n ids", params: { symbol: SYMBOL_PARAM, n: 'ids to skip, an integer >= 1 (default 1)' } },
  duplicate: { method: 'POST', effect: "resend the symbol's last trade frame", params: { symbol: SYMBOL_PARAM } },
  malformed: {
    method: 'POST',
    effect: 'send one bad frame (json, truncated and binary to every client; the others to the symbol\'s subscribers)',
    params: { kind: `one of ${MALFORMED_KINDS.join(', ')}`, symbol: SYMBOL_PARAM },
  },
  silence: { method: 'POST', effect: 'stop (or restart) sending anything and answering pings', params: { on: 'true or false (default true)' } },
  disconnect: { method: 'POST', effect: 'close every client', params: { code: 'optional close code (1000-1014 except 1004-1006, or 3000-4999); without it, reset the TCP connections' } },
  shock: { method: 'POST', effect: "the symbol's next trade moves the price by pct percent", params: { symbol: SYMBOL_PARAM, pct: 'percent, -99.99 to 10000' } },
  freeze: {
    method: 'POST',
    effect: "the symbol's trades keep coming at its current price, each moved by at most noise of it, until thaw",
    params: { symbol: SYMBOL_PARAM, noise: 'a ratio from 0 to under 0.01 (default 0: one price)' },
  },
  thaw: { method: 'POST', effect: "the symbol's price walks again, from where it froze", params: { symbol: SYMBOL_PARAM } },
  lag: { method: 'POST', effect: 'stamp event and trade times ms in the past from now on', params: { ms: 'a number >= 0 (0 ends the lag)' } },
  pause: { method: 'POST', effect: 'stop the rate-driven flow', params: {} },
  resume: { method: 'POST', effect: 'restart the rate-driven flow', params: {} },
  backfill: {
    method: 'POST',
    effect: 'trades stamped over (end - minutes, end] for every configured symbol with a trade subscriber, symbol by symbol, oldest first; refused (400) when a connected client already has a later trade of a symbol, since all of it would arrive late for bars already open',
    params: {
      minutes: `history length, up to ${MAX_BACKFILL_MINUTES}`,
      step: 'seconds of event time between two trades of a symbol, 0.001 to 86400 (default 30)',
      end: 'epoch ms of the last trade (default now, minus any lag)',
      allowLate: 'true to send it anyway, to clients that already have later trades (default false)',
    },
  },
};

const KNOBS: Record<string, (k: SimulatorKnobs, q: URLSearchParams, symbol: () => string) => unknown> = {
  rate: (k, q) => k.setRate(num(q, 'value', { min: 0, max: 1_000_000 })),
  burst: (k, q, s) => {
    const n = num(q, 'n', { int: true, min: 1, max: MAX_BURST });
    return q.has('symbol') ? k.burstSymbol(s(), n) : k.burst(n);
  },
  gap: (k, q, s) => k.gap(s(), num(q, 'n', { int: true, min: 1, def: 1 })),
  duplicate: (k, _q, s) => k.duplicate(s()),
  malformed: (k, q, s) => {
    const kind = q.get('kind') ?? '';
    if (!isMalformedKind(kind)) throw new BadRequest(`kind must be one of ${MALFORMED_KINDS.join(', ')}`);
    return k.malformed(kind, s());
  },
  silence: (k, q) => k.silence(bool(q, 'on', true)),
  disconnect: (k, q) => k.disconnect(q.has('code') ? num(q, 'code', { int: true }) : undefined),
  shock: (k, q, s) => k.shock(s(), num(q, 'pct', { min: -99.99, max: 10_000 })),
  freeze: (k, q, s) => k.freeze(s(), num(q, 'noise', { min: 0, max: 0.009999, def: 0 })),
  thaw: (k, _q, s) => k.thaw(s()),
  lag: (k, q) => k.lag(num(q, 'ms', { min: 0 })),
  pause: (k) => k.pause(),
  resume: (k) => k.resume(),
  backfill: (k, q) =>
    k.backfill(
      num(q, 'minutes', { min: 0, max: MAX_BACKFILL_MINUTES }),
      num(q, 'step', { min: 0.001, max: 86_400, def: 30 }) * 1000,
      q.has('end') ? num(q, 'end', { int: true, min: 0 }) : undefined,
      { allowLate: bool(q, 'allowLate', false) },
    ),
};

/**
 * Route one control request. `path` is the URL path, `query` its search parameters. Resolves when
 * the knob is done (at once for all but backfill, which waits until its frames are written).
 */
export async function handleControl(knobs: SimulatorKnobs, method: string, path: string, query: URLSearchParams): Promise<ControlResponse> {
  const name = path.replace(/^\/control\/?/, '').replace(/\/$/, '');
  if (name === '' || name === 'state') {
    if (method !== 'GET') return { status: 405, body: { ok: false, error: 'use GET' } };
    return { status: 200, body: name === '' ? { ok: true, knobs: KNOB_DOCS } : { ok: true, state: knobs.state() } };
  }
  const knob = KNOBS[name];
  if (!knob) return { status: 404, body: { ok: false, error: `no knob ${name}; knobs: ${Object.keys(KNOBS).join(', ')}` } };
  if (method !== 'POST') return { status: 405, body: { ok: false, error: 'use POST' } };
  const symbol = () => (query.get('symbol') || knobs.state().symbols[0] || '').toUpperCase();
  try {
    const result = await knob(knobs, query, symbol);
    return { status: 200, body: { ok: true, ...(result === undefined ? {} : { result }), state: knobs.state() } };
  } catch (e) {
    // Knob methods throw RangeError for values they refuse (a close code ws cannot send).
    if (e instanceof BadRequest || e instanceof RangeError) return { status: 400, body: { ok: false, error: e.message } };
    throw e;
  }
}
