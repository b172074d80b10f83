/**
 * The `options` of a `venue: generic` feed: read, checked and turned into a GenericSpec, with one
 * problem per mistake (path relative to the feed, message in the config loader's "expected ...,
 * got ..." style). Pure; no I/O. docs/venues.md documents every key with examples.
 */
import { closest } from '../config/suggest.js';
import { parseDuration } from '../config/units.js';
import type { OptionProblem } from './types.js';

export const TIME_UNITS = ['ms', 's', 'us', 'ns', 'iso'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** A field path, split: `data.p` → ['data', 'p']; numeric segments index arrays. */
export type FieldPath = readonly string[];

/** Matches a message by a field's value, or a whole text frame. */
export interface Matcher {
  path?: FieldPath;
  /** The field's value, compared as a string (so `ev: T` and `code: 5` both work). */
  values?: ReadonlySet<string>;
  /** The whole frame, compared before JSON.parse (for `pong`-style text keepalives). */
  text?: string;
}

export interface GenericSpec {
  subscribe?: {
    /** Frames sent first on every connection, as they are (authentication). */
    before: readonly string[];
    /** JSON text with {{symbol}}, {{symbols}} or {{symbolsJson}}. */
    template: string;
    /** 'each': one frame per symbol ({{symbol}}); 'all': one frame for up to perFrame symbols. */
    mode: 'each' | 'all';
    /** How one symbol is written in a frame; `{{symbol}}` is the configured symbol. */
    format: string;
    separator: string;
    perFrame: number;
  };
  /** Where a frame keeps its array of messages; a top-level array is always unpacked. */
  messages?: FieldPath;
  filter?: Matcher;
  fields: {
    symbol: FieldPath;
    price: FieldPath;
    size?: FieldPath;
    time: FieldPath;
    timeUnit: TimeUnit;
    seq?: FieldPath;
  };
  heartbeat?: Matcher;
  pong?: Matcher & { sentAt?: FieldPath };
  error?: Matcher & { message?: FieldPath };
  ping?: { frame: string; intervalMs: number };
}

export const GENERIC_OPTION_KEYS = ['subscribe', 'messages', 'filter', 'fields', 'heartbeat', 'pong', 'error', 'ping'] as const;
const SUBSCRIBE_KEYS = ['before', 'template', 'format', 'separator', 'perFrame'];
const FIELD_KEYS = ['symbol', 'price', 'size', 'time', 'timeUnit', 'seq'];
const MATCH_KEYS = ['path', 'value'];
const PING_KEYS = ['frame', 'interval'];

/** A field path as written: dot-separated keys or array indexes. */
export const PATH_RE = /^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/;
export const PATH_HINT = 'a field path like p or data.price';
/** The app ping must leave room under the default 30 s silence timeout and not flood the vendor. */
const MIN_PING_MS = 100;

type Rec = Record<string, unknown>;

/** A key or value differing only in case is the likeliest meaning; then the config loader's guess. */
function suggest(word: string, candidates: readonly string[]): string | undefined {
  return candidates.find((c) => c.toLowerCase() === word.toLowerCase()) ?? closest(word, candidates);
}
type Path = readonly (string | number)[];

class Problems {
  readonly list: OptionProblem[] = [];

  fail(path: Path, message: string): undefined {
    this.list.push({ path, message });
    return undefined;
  }

  /** The value as a message shows it after "got"; short, and never a whole frame template. */
  got(v: unknown): string {
    if (v === undefined) return 'nothing';
    if (v === null) return 'an empty value';
    if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
    if (typeof v === 'object') return 'a mapping';
    const text = String(v);
    const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
    return typeof v === 'string' ? JSON.stringify(short) : short;
  }

  expected(path: Path, what: string, v: unknown): undefined {
    return this.fail(path, `expected ${what}, got ${this.got(v)}`);
  }

  mapping(v: unknown, path: Path, keys: readonly string[], what = 'a mapping'): Rec | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.expected(path, what, v);
    const rec = v as Rec;
    for (const key of Object.keys(rec)) {
      if (keys.includes(key)) continue;
      const guess = suggest(key, keys);
      this.fail([...path, key], `unknown key; ${guess ? `did you mean '${guess}'?` : `expected one of ${keys.join(', ')}`}`);
    }
    return rec;
  }

  path(v: unknown, path: Path): FieldPath | undefined {
    if (typeof v === 'string' && PATH_RE.test(v)) return v.split('.');
    return this.expected(path, PATH_HINT, v);
  }

  /** A frame given as text, or as a mapping that is sent as its JSON. */
  frame(v: unknown, path: Path): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return JSON.stringify(v);
    return this.expected(path, 'a frame: JSON text or a mapping', v);
  }

  matcher(v: unknown, path: Path, extra: readonly string[] = []): (Matcher & Rec) | undefined {
    const m = this.mapping(v, path, [...MATCH_KEYS, 'text', ...extra], 'a mapping with path and value (or text)');
    if (!m) return undefined;
    if (Object.hasOwn(m, 'text')) {
      if (Object.hasOwn(m, 'path') || Object.hasOwn(m, 'value')) return this.fail(path, 'give either text, or path and value, not both');
      if (typeof m.text !== 'string' || m.text === '') return this.expected([...path, 'text'], 'the exact text of the frame, like pong', m.text);
      return { ...m, text: m.text };
    }
    const p = Object.hasOwn(m, 'path') ? this.path(m.path, [...path, 'path']) : this.fail([...path, 'path'], `missing; expected ${PATH_HINT}`);
    const values = this.values(m.value, [...path, 'value']);
    return p && values ? { ...m, path: p, values } : undefined;
  }

  values(v: unknown, path: Path): ReadonlySet<string> | undefined {
    const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
    if (scalar(v)) return new Set([String(v)]);
    if (Array.isArray(v) && v.length > 0 && v.every(scalar)) return new Set(v.map(String));
    return this.expected(path, 'a value (string, number or true/false) or a list of them', v);
  }
}

const PLACEHOLDER_ONE = '{{symbol}}';
const PLACEHOLDERS_ALL = ['{{symbols}}', '{{symbolsJson}}'];

function readSubscribe(p: Problems, v: unknown, path: Path): GenericSpec['subscribe'] {
  const m = p.mapping(v, path, SUBSCRIBE_KEYS);
  if (!m) return undefined;
  const before: string[] = [];
  if (Object.hasOwn(m, 'before')) {
    if (!Array.isArray(m.before)) p.expected([...path, 'before'], 'a list of frames sent before subscribing', m.before);
    else m.before.forEach((f, i) => {
      const frame = p.frame(f, [...path, 'before', i]);
      if (frame !== undefined) before.push(frame);
    });
  }
  let template: string | undefined;
  if (!Object.hasOwn(m, 'template')) p.fail([...path, 'template'], 'missing; expected a frame with {{symbol}}, {{symbols}} or {{symbolsJson}}');
  else template = p.frame(m.template, [...path, 'template']);
  let mode: 'each' | 'all' = 'all';
  if (template !== undefined) {
    const one = template.includes(PLACEHOLDER_ONE);
    const all = PLACEHOLDERS_ALL.some((ph) => template!.includes(ph));
    if (one === all) {
      p.fail([...path, 'template'], one
        ? 'use {{symbol}} (one frame per symbol) or {{symbols}}/{{symbolsJson}} (one frame for many), not both'
        : 'expected {{symbol}}, {{symbols}} or {{symbolsJson}} in the frame');
      template = undefined;
    } else if (one) mode = 'each';
  }
  let format = PLACEHOLDER_ONE;
  if (Object.hasOwn(m, 'format')) {
    if (typeof m.format === 'string' && m.format.includes(PLACEHOLDER_ONE)) format = m.format;
    else p.expected([...path, 'format'], 'text containing {{symbol}}, like T.{{symbol}}', m.format);
  }
  let separator = ',';
  if (Object.hasOwn(m, 'separator')) {
    if (typeof m.separator === 'string') separator = m.separator;
    else p.expected([...path, 'separator'], 'the text between symbols in {{symbols}}, like ","', m.separator);
  }
  let perFrame = Number.MAX_SAFE_INTEGER;
  if (Object.hasOwn(m, 'perFrame')) {
    if (typeof m.perFrame === 'number' && Number.isSafeInteger(m.perFrame) && m.perFrame >= 1) perFrame = m.perFrame;
    else p.expected([...path, 'perFrame'], 'an integer >= 1 (symbols per subscribe frame)', m.perFrame);
  }
  return template === undefined ? undefined : { before, template, mode, format, separator, perFrame };
}

function readFields(p: Problems, v: unknown, path: Path): GenericSpec['fields'] | undefined {
  const m = p.mapping(v, path, FIELD_KEYS, 'a mapping of field paths (symbol, price, time, ...)');
  if (!m) return undefined;
  const need = (key: string): FieldPath | undefined =>
    Object.hasOwn(m, key) ? p.path(m[key], [...path, key]) : p.fail([...path, key], `missing; expected ${PATH_HINT}`);
  const may = (key: string): FieldPath | undefined => (Object.hasOwn(m, key) ? p.path(m[key], [...path, key]) : undefined);
  const symbol = need('symbol');
  const price = need('price');
  const time = need('time');
  let timeUnit: TimeUnit = 'ms';
  if (Object.hasOwn(m, 'timeUnit')) {
    const u = m.timeUnit;
    if (typeof u === 'string' && (TIME_UNITS as readonly string[]).includes(u)) timeUnit = u as TimeUnit;
    else {
      const guess = typeof u === 'string' ? suggest(u, TIME_UNITS) : undefined;
      p.fail([...path, 'timeUnit'], `expected one of ${TIME_UNITS.join(', ')}, got ${p.got(u)}${guess ? `; did you mean '${guess}'?` : ''}`);
    }
  }
  const size = may('size');
  const seq = may('seq');
  if (!symbol || !price || !time) return undefined;
  const out: GenericSpec['fields'] = { symbol, price, time, timeUnit };
  if (size) out.size = size;
  if (seq) out.seq = seq;
  return out;
}

function readPing(p: Problems, v: unknown, path: Path): GenericSpec['ping'] {
  const m = p.mapping(v, path, PING_KEYS, 'a mapping with frame and interval');
  if (!m) return undefined;
  const frame = Object.hasOwn(m, 'frame') ? p.frame(m.frame, [...path, 'frame']) : p.fail([...path, 'frame'], 'missing; expected the ping frame');
  let intervalMs: number | undefined;
  const iv = m.interval;
  const ms = typeof iv === 'number' && Number.isSafeInteger(iv) ? iv : typeof iv === 'string' ? parseDuration(iv.trim()) : undefined;
  if (ms !== undefined && ms >= MIN_PING_MS) intervalMs = ms;
  else p.expected([...path, 'interval'], `a duration of at least ${MIN_PING_MS}ms, like 20s`, iv);
  return frame !== undefined && intervalMs !== undefined ? { frame, intervalMs } : undefined;
}

/** Read a generic feed's options; `spec` is set when there are no problems. */
export function readGenericOptions(
  options: Readonly<Record<string, unknown>>,
  feed: { readonly url?: string } = {},
): { spec?: GenericSpec; problems: OptionProblem[] } {
  const p = new Problems();
  if (feed.url === undefined) p.fail(['url'], 'missing; a generic feed has no default endpoint, expected the vendor\'s ws:// or wss:// URL');
  const o: Path = ['options'];
  const m = p.mapping(options, o, GENERIC_OPTION_KEYS);
  if (!m) return { problems: p.list };
  const spec: Partial<GenericSpec> = {};
  if (Object.hasOwn(m, 'subscribe')) spec.subscribe = readSubscribe(p, m.subscribe, [...o, 'subscribe']);
  if (Object.hasOwn(m, 'messages')) spec.messages = p.path(m.messages, [...o, 'messages']);
  if (Object.hasOwn(m, 'filter')) spec.filter = p.matcher(m.filter, [...o, 'filter']);
  if (Object.hasOwn(m, 'fields')) spec.fields = readFields(p, m.fields, [...o, 'fields']);
  else p.fail([...o, 'fields'], 'missing; expected a mapping of field paths with at least symbol, price and time');
  if (Object.hasOwn(m, 'heartbeat')) spec.heartbeat = p.matcher(m.heartbeat, [...o, 'heartbeat']);
  if (Object.hasOwn(m, 'pong')) {
    const pong = p.matcher(m.pong, [...o, 'pong'], ['sentAt']);
    if (pong && Object.hasOwn(pong, 'sentAt')) pong.sentAt = p.path(pong.sentAt, [...o, 'pong', 'sentAt']);
    spec.pong = pong;
  }
  if (Object.hasOwn(m, 'error')) {
    const e = p.matcher(m.error, [...o, 'error'], ['message']);
    if (e && Object.hasOwn(e, 'message')) e.message = p.path(e.message, [...o, 'error', 'message']);
    spec.error = e;
  }
  if (Object.hasOwn(m, 'ping')) spec.ping = readPing(p, m.ping, [...o, 'ping']);
  if (p.list.length > 0) return { problems: p.list };
  return { spec: strip(spec as GenericSpec), problems: [] };
}

/** Keep only the keys the parser reads (matchers arrive with their raw YAML keys). */
function strip(spec: GenericSpec): GenericSpec {
  const matcher = <T extends Matcher>(m: T | undefined, extra: (keyof T)[] = []): T | undefined => {
    if (!m) return undefined;
    const out: Matcher = m.text !== undefined ? { text: m.text } : { path: m.path, values: m.values };
    for (const k of extra) if (m[k] !== undefined) (out as T)[k] = m[k];
    return out as T;
  };
  const out: GenericSpec = { fields: spec.fields };
  if (spec.subscribe) out.subscribe = spec.subscribe;
  if (spec.messages) out.messages = spec.messages;
  if (spec.filter) out.filter = matcher(spec.filter);
  if (spec.heartbeat) out.heartbeat = matcher(spec.heartbeat);
  if (spec.pong) out.pong = matcher(spec.pong, ['sentAt']);
  if (spec.error) out.error = matcher(spec.error, ['message']);
  if (spec.ping) out.ping = spec.ping;
  return out;
}
