/**
 * A configurable adapter for JSON-over-WebSocket feeds that have none of their own (US stocks,
 * FX: Polygon/Massive, Alpaca, Finnhub and many vendors push trades this way). A feed's `options`
 * (generic-options.ts, docs/venues.md) say how to subscribe and where symbol, price, size, time
 * and sequence sit in a message; `configure(options)` builds the adapter for that feed.
 * Pure: frames in, events out.
 *
 * Decisions worth knowing:
 * - Trades only. Quotes and bars differ too much between vendors to describe with paths; a
 *   vendor with a quote-only feed can map its mid or last price as `price` without a `size`.
 * - With `filter`, messages that do not match are skipped silently (vendors interleave status,
 *   quote and bar messages); without it every message must be a trade, and one that is not is
 *   counted as `malformed_frame`. `heartbeat`, `pong` and `error` matchers are tried first.
 * - When `messages` names an array and a frame has none there, the frame is a control frame
 *   (status, ping): only the matchers apply to it, never the trade fields.
 * - `seq` only where the vendor's number is per symbol AND consecutive; Polygon's `q`, for one,
 *   is "increasing ... but will not always be sequential", so mapping it would count false gaps.
 * - `size` is optional: an FX tick without one is a trade of size 0 (price and time still count).
 * - Vendor errors (`error` matcher) are `venue_error` without a reconnect: most (bad key, plan
 *   limits) would only repeat, and a vendor that means to drop us closes the socket itself.
 */
import { ExporterError } from '../errors.js';
import { parseRfc3339 } from './rfc3339.js';
import { readGenericOptions, type FieldPath, type GenericSpec, type Matcher, type TimeUnit } from './generic-options.js';
import { err, preview, show } from './frame.js';
import type { Adapter, AppPing, MarketEvent, VenueLimits } from './types.js';

export const GENERIC_CHANNELS = ['trades'] as const;

/**
 * Vendors' limits vary; this ceiling only bounds a connection. Set the feed's own
 * `streamsPerConnection` to the vendor's limit (Polygon options: 1000 contracts per connection).
 */
export const GENERIC_LIMITS: VenueLimits = Object.freeze({ streamsPerConnection: 10_000 });

/** The value at `path` (object keys; numeric segments also index arrays). */
export function get(v: unknown, path: FieldPath): unknown {
  let cur = v;
  for (let i = 0; i < path.length; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[path[i]!];
  }
  return cur;
}

/** A JSON number, or a numeric string (many vendors quote their numbers); NaN otherwise. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return +v;
  return NaN;
}

const SCALE: Record<Exclude<TimeUnit, 'iso'>, number> = { ms: 1, s: 1000, us: 1e-3, ns: 1e-6 };

function epochMs(v: unknown, unit: TimeUnit): number {
  if (unit === 'iso') return typeof v === 'string' ? parseRfc3339(v) : NaN;
  return toNumber(v) * SCALE[unit];
}

function matches(m: Matcher, msg: unknown): boolean {
  if (!m.path || !m.values) return false;
  const v = get(msg, m.path);
  return (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && m.values.has(String(v));
}

const pathText = (p: FieldPath) => p.join('.');

/** JSON-escape text for use inside a JSON string of a template. */
const escape = (s: string) => JSON.stringify(s).slice(1, -1);

function subscribeFrames(spec: GenericSpec['subscribe'], symbols: readonly string[]): string[] {
  if (!spec || symbols.length === 0) return [];
  const frames = [...spec.before];
  const format = (s: string) => spec.format.replaceAll('{{symbol}}', s);
  if (spec.mode === 'each') {
    for (const s of symbols) frames.push(spec.template.replaceAll('{{symbol}}', escape(format(s))));
    return frames;
  }
  for (let i = 0; i < symbols.length; i += spec.perFrame) {
    const chunk = symbols.slice(i, i + spec.perFrame).map(format);
    const json = JSON.stringify(chunk);
    frames.push(
      spec.template
        // A quoted placeholder (a YAML mapping template) becomes the array itself.
        .replaceAll('"{{symbolsJson}}"', json)
        .replaceAll('{{symbolsJson}}', json)
        .replaceAll('{{symbols}}', escape(chunk.join(spec.separator))),
    );
  }
  return frames;
}

function createParser(spec: GenericSpec): (frame: string) => MarketEvent[] {
  const { fields } = spec;

  function trade(m: unknown): MarketEvent {
    const sym = get(m, fields.symbol);
    if (typeof sym !== 'string' && typeof sym !== 'number') return err('malformed_frame', `no symbol at ${pathText(fields.symbol)}`);
    const symbol = String(sym);
    const rawPrice = get(m, fields.price);
    if (rawPrice === undefined || rawPrice === null) return err('malformed_frame', `${symbol}: no price at ${pathText(fields.price)}`);
    const price = toNumber(rawPrice);
    let size = 0;
    if (fields.size) {
      const rawSize = get(m, fields.size);
      if (rawSize === undefined || rawSize === null) return err('malformed_frame', `${symbol}: no size at ${pathText(fields.size)}`);
      size = toNumber(rawSize);
    }
    // `!(x > 0 && x < Infinity)` rejects NaN, 0, negatives and Infinity in two comparisons.
    if (!(price > 0 && price < Infinity && size >= 0 && size < Infinity)) {
      return err('invalid_price', `${symbol}: price ${show(rawPrice)} size ${size}`);
    }
    const eventTime = epochMs(get(m, fields.time), fields.timeUnit);
    if (!(eventTime > 0 && eventTime < Infinity)) return err('invalid_timestamp', `${symbol}: no usable ${fields.timeUnit} time at ${pathText(fields.time)}`);
    const ev: MarketEvent = { kind: 'trade', symbol, price, size, eventTime };
    if (fields.seq) {
      const raw = get(m, fields.seq);
      if (raw !== undefined && raw !== null) {
        const seq = toNumber(raw);
        if (!Number.isSafeInteger(seq)) return err('malformed_frame', `${symbol}: sequence at ${pathText(fields.seq)} is not an integer`);
        ev.seq = seq;
      }
    }
    return ev;
  }

  /** heartbeat / pong / error matchers; undefined when none matches. */
  function control(m: unknown, frame: string): MarketEvent | undefined {
    if (spec.error && matches(spec.error, m)) {
      const text = spec.error.message ? get(m, spec.error.message) : undefined;
      return err('venue_error', `vendor error: ${text === undefined ? preview(frame) : show(text)}`);
    }
    if (spec.heartbeat && matches(spec.heartbeat, m)) {
      const sym = get(m, fields.symbol);
      return typeof sym === 'string' ? { kind: 'heartbeat', symbol: sym } : { kind: 'heartbeat' };
    }
    if (spec.pong && matches(spec.pong, m)) {
      const sentAt = spec.pong.sentAt ? toNumber(get(m, spec.pong.sentAt)) : NaN;
      return sentAt > 0 && sentAt < Infinity ? { kind: 'pong', sentAt } : { kind: 'pong' };
    }
    return undefined;
  }

  const textMatch = (m: Matcher | undefined, frame: string) => m?.text !== undefined && m.text === frame;

  return function parse(frame: string): MarketEvent[] {
    // Text keepalives are compared before paying for JSON.parse.
    if (textMatch(spec.pong, frame)) return [{ kind: 'pong' }];
    if (textMatch(spec.heartbeat, frame)) return [{ kind: 'heartbeat' }];
    if (textMatch(spec.error, frame)) return [err('venue_error', `vendor error: ${preview(frame)}`)];
    let root: unknown;
    try {
      root = JSON.parse(frame);
    } catch {
      return [err('malformed_frame', `not JSON: ${preview(frame)}`)];
    }
    let messages: unknown[];
    if (Array.isArray(root)) messages = root;
    else if (spec.messages) {
      const inner = get(root, spec.messages);
      if (!Array.isArray(inner)) {
        const c = control(root, frame);
        return c ? [c] : [];
      }
      messages = inner;
    } else messages = [root];
    const out: MarketEvent[] = [];
    for (const m of messages) {
      if (typeof m !== 'object' || m === null) {
        out.push(err('unknown_message', `message is not an object: ${preview(JSON.stringify(m) ?? '')}`));
        continue;
      }
      const c = control(m, frame);
      if (c) out.push(c);
      else if (!spec.filter || matches(spec.filter, m)) out.push(trade(m));
    }
    return out;
  };
}

/** What every generic feed's adapter shares: the vendor's URL is the feed's, no venue default. */
const BASE = {
  venue: 'generic',
  defaultUrl: '',
  limits: GENERIC_LIMITS,
  defaultChannels: GENERIC_CHANNELS,
  channels: GENERIC_CHANNELS,
  streamsFor: (symbols: readonly string[], channels: readonly string[]) => symbols.length * channels.length,
  url: (base: string) => base,
} as const;

/** The adapter of one generic feed, from its validated options. */
export function createGenericAdapter(spec: GenericSpec): Adapter {
  const ping = spec.ping;
  const appPing: AppPing | undefined = ping
    ? Object.freeze({ intervalMs: ping.intervalMs, frame: (now: number) => ping.frame.replaceAll('{{now}}', String(now)) })
    : undefined;
  return {
    ...BASE,
    subscribeFrames: (symbols) => subscribeFrames(spec.subscribe, symbols),
    parse: createParser(spec),
    appPing,
  };
}

/**
 * The `generic` venue as registered in ADAPTERS: it validates and builds per-feed adapters. Used
 * directly (without configure) it subscribes to nothing and reports every frame.
 */
export const generic: Adapter = {
  ...BASE,
  subscribeFrames: () => [],
  parse: () => [err('unknown_message', 'generic feed used without its options: the exporter must build it with configure()')],
  validateOptions: (options, feed) => readGenericOptions(options, feed).problems,
  configure(options) {
    // The URL was checked with the rest of the feed; here only the options matter.
    const { spec, problems } = readGenericOptions(options, { url: '' });
    if (!spec) {
      const lines = problems.map((p) => `${p.path.join('.')}: ${p.message}`);
      throw new ExporterError('CONFIG_INVALID', `generic feed options:\n${lines.join('\n')}`);
    }
    return createGenericAdapter(spec);
  },
};
