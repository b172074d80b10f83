/** Small helpers every adapter uses to read untrusted JSON frames without throwing. */
import type { ErrorEvent, ErrorType, ReconnectReason } from './types.js';

/** A decoded JSON object; fields are checked before use. */
export type Obj = { readonly [k: string]: unknown };

const PREVIEW = 96;

/** Bounded text for log and error messages. */
export function preview(s: string): string {
  return s.length > PREVIEW ? `${s.slice(0, PREVIEW)}...` : s;
}

/** Untrusted JSON as bounded text: String() throws on {"toString":{}}, JSON.stringify cannot on parsed JSON. */
export function show(v: unknown): string {
  return preview(typeof v === 'string' ? v : (JSON.stringify(v) ?? 'nothing'));
}

export function err(type: ErrorType, message: string, reconnect?: ReconnectReason): ErrorEvent {
  return reconnect ? { kind: 'error', type, message, reconnect } : { kind: 'error', type, message };
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON.parse a frame that must be an object. Anything else comes back as the one-element error
 * list the adapter returns as it is: `const msg = jsonObject(f); if (Array.isArray(msg)) return msg;`
 */
export function jsonObject(frame: string): Obj | [ErrorEvent] {
  let msg: unknown;
  try {
    msg = JSON.parse(frame);
  } catch {
    return [err('malformed_frame', `not JSON: ${preview(frame)}`)];
  }
  return isObj(msg) ? msg : [err('unknown_message', `not a JSON object: ${preview(frame)}`)];
}

/** A venue's decimal string as a number; undefined when absent or empty (validity is checked later). */
export function decimal(v: unknown): number | undefined {
  return typeof v === 'string' && v !== '' ? +v : undefined;
}

/** A usable price: a finite number above zero. */
export function positive(x: unknown): x is number {
  return typeof x === 'number' && x > 0 && x < Infinity;
}

/**
 * Book levels as Binance, Bybit and OKX write them, `[["price","qty", ...], ...]` (extra fields
 * ignored), as flat [price, qty, ...]; undefined if any level is not a price > 0 and a qty >= 0.
 */
export function textLevels(v: unknown): number[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: number[] = [];
  for (const l of v) {
    if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') return undefined;
    const p = +l[0];
    const q = +l[1];
    if (!(p > 0 && p < Infinity && q >= 0 && q < Infinity)) return undefined;
    out.push(p, q);
  }
  return out;
}
