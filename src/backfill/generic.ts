/**
 * A REST candles API described in config, for a feed whose venue has none built in (the generic
 * adapter): a URL template, where the rows are, which field of a row holds what, and how the API
 * spells each interval. Pure: the backfill keys read and checked into a GenericBackfill (one
 * problem per mistake, paths relative to the feed's `backfill`), and a RestVenue built from it.
 */
import { closest } from '../config/suggest.js';
import { parseDuration } from '../config/units.js';
import { get } from '../feeds/generic.js';
import { PATH_HINT, PATH_RE, type FieldPath } from '../feeds/generic-options.js';
import type { OptionProblem } from '../feeds/types.js';
import type { Bar } from '../market/bars.js';
import { json, makeBar, num, type ParseResult, type RestVenue } from './rest.js';

/** The keys that describe the API, beside `url` (then the template); only for a venue without a built-in one. */
export const GENERIC_BACKFILL_KEYS = ['rows', 'fields', 'timeUnit', 'intervals', 'maxBars', 'requestsPerMinute'] as const;

export const PLACEHOLDERS = ['symbol', 'interval', 'start', 'end', 'limit'] as const;
/** Without these every symbol, interval or page would get the same answer. */
const REQUIRED_PLACEHOLDERS = ['symbol', 'interval', 'start'] as const;
const FIELD_KEYS = ['start', 'open', 'high', 'low', 'close', 'volume'] as const;
const REQUIRED_FIELDS = ['start', 'open', 'high', 'low', 'close'] as const;
export const BACKFILL_TIME_UNITS = ['ms', 's'] as const;
const SCALE = { ms: 1, s: 1000 } as const;
export const DEFAULT_REQUESTS_PER_MINUTE = 60;
const MAX_BARS = 100_000;
const MAX_REQUESTS_PER_MINUTE = 6_000;
const FIELD_HINT = `an index into an array row (0, 1, ...) or ${PATH_HINT}`;

export interface GenericBackfill {
  /** The whole request URL with {symbol}, {interval}, {start} and optionally {end}, {limit}. */
  template: string;
  /** Where the answer keeps its list of rows; undefined: the answer is the list. */
  rows?: FieldPath;
  fields: { start: FieldPath; open: FieldPath; high: FieldPath; low: FieldPath; close: FieldPath; volume?: FieldPath };
  /** Of {start}/{end} and of the start field. */
  timeUnit: (typeof BACKFILL_TIME_UNITS)[number];
  /** [bar length ms, the API's spelling], one per interval it is asked for. */
  intervals: [ms: number, code: string][];
  maxBars: number;
  requestsPerMinute: number;
}

type Path = readonly (string | number)[];

function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // Whole, never cut: the caller hides substituted secrets (an API key in the template) in it.
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** The template's problems; the names are the placeholders it uses. */
function checkTemplate(v: unknown, fail: (message: string) => void): string | undefined {
  const example = 'a URL template like https://api.example.com/candles?symbol={symbol}&interval={interval}&from={start}';
  if (typeof v !== 'string' || v.trim() === '') return void fail(`expected ${example}, got ${got(v)}`);
  if (v.includes('{{')) return void fail('placeholders here take single braces, like {symbol} (double braces are the websocket subscribe template\'s)');
  const used = new Set<string>();
  let bad = false;
  for (const [, name] of v.matchAll(/\{([^{}]*)\}/g)) {
    if ((PLACEHOLDERS as readonly string[]).includes(name!)) used.add(name!);
    else {
      const guess = closest(name!, PLACEHOLDERS);
      fail(`unknown placeholder {${name}}; ${guess ? `did you mean {${guess}}?` : `expected ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`}`);
      bad = true;
    }
  }
  const missing = REQUIRED_PLACEHOLDERS.filter((p) => !used.has(p));
  if (missing.length > 0) {
    fail(`the template has no ${missing.map((p) => `{${p}}`).join(', ')}; expected {symbol}, {interval} and {start} in it`);
    bad = true;
  }
  if (bad) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(fill(v, { symbol: 'X', interval: '1', start: '0', end: '1', limit: '1' }));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return void fail(`expected ${example}, got ${got(v)}`);
  return v;
}

/** The template with each placeholder replaced by its URL-encoded value. */
function fill(template: string, values: Readonly<Record<(typeof PLACEHOLDERS)[number], string>>): string {
  return template.replace(/\{(symbol|interval|start|end|limit)\}/g, (_, k: keyof typeof values) => encodeURIComponent(values[k]));
}

/** A field given as an array index (a number) or a field path (whose numeric segments also index arrays). */
function fieldPath(v: unknown): FieldPath | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return [String(v)];
  if (typeof v === 'string' && PATH_RE.test(v)) return v.split('.');
  return undefined;
}

function count(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max ? v : undefined;
}

/**
 * Read the description from a feed's `backfill` mapping (its `url` is the template). `spec` is
 * set when there are no problems; which intervals must be listed is checked with the config's
 * intervals (validate.ts).
 */
export function readGenericBackfill(m: Readonly<Record<string, unknown>>): { spec?: GenericBackfill; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const fail = (path: Path, message: string): undefined => void problems.push({ path, message });
  const need = (key: string, what: string): boolean => Object.hasOwn(m, key) || !!fail([key], `missing; expected ${what}`);

  let template: string | undefined;
  if (need('url', 'a URL template with {symbol}, {interval} and {start} (this venue has no REST API of its own)'))
    template = checkTemplate(m.url, (message) => fail(['url'], message));

  let rows: FieldPath | undefined;
  if (Object.hasOwn(m, 'rows')) {
    if (typeof m.rows === 'string' && PATH_RE.test(m.rows)) rows = m.rows.split('.');
    else fail(['rows'], `expected ${PATH_HINT} to the list of rows (leave rows out when the answer is the list), got ${got(m.rows)}`);
  }

  let fields: GenericBackfill['fields'] | undefined;
  if (need('fields', 'a mapping of start, open, high, low, close (and volume) to row fields')) {
    const f = m.fields;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) fail(['fields'], `expected a mapping of start, open, high, low, close (and volume) to row fields, got ${got(f)}`);
    else {
      const rec = f as Record<string, unknown>;
      const out: Partial<Record<(typeof FIELD_KEYS)[number], FieldPath>> = {};
      for (const key of Object.keys(rec)) {
        if (!(FIELD_KEYS as readonly string[]).includes(key)) {
          const guess = closest(key, FIELD_KEYS);
          fail(['fields', key], `unknown key; ${guess ? `did you mean '${guess}'?` : `expected one of ${FIELD_KEYS.join(', ')}`}`);
          continue;
        }
        const p = fieldPath(rec[key]);
        if (p) out[key as (typeof FIELD_KEYS)[number]] = p;
        else fail(['fields', key], `expected ${FIELD_HINT}, got ${got(rec[key])}`);
      }
      for (const key of REQUIRED_FIELDS) if (!Object.hasOwn(rec, key)) fail(['fields', key], `missing; expected ${FIELD_HINT}`);
      if (REQUIRED_FIELDS.every((k) => out[k])) fields = out as GenericBackfill['fields'];
    }
  }

  let timeUnit: GenericBackfill['timeUnit'] = 'ms';
  if (Object.hasOwn(m, 'timeUnit')) {
    if ((BACKFILL_TIME_UNITS as readonly unknown[]).includes(m.timeUnit)) timeUnit = m.timeUnit as GenericBackfill['timeUnit'];
    else fail(['timeUnit'], `expected ms or s (epoch milliseconds or seconds), got ${got(m.timeUnit)}`);
  }

  let intervals: GenericBackfill['intervals'] | undefined;
  if (need('intervals', 'a mapping of each configured interval to the API\'s spelling of it, like {1m: "1m", 5m: "5m"}')) {
    const iv = m.intervals;
    if (typeof iv !== 'object' || iv === null || Array.isArray(iv) || Object.keys(iv).length === 0)
      fail(['intervals'], `expected a mapping of each configured interval to the API's spelling of it, like {1m: "1m", 5m: "5m"}, got ${got(iv)}`);
    else {
      const out: GenericBackfill['intervals'] = [];
      for (const [label, code] of Object.entries(iv as Record<string, unknown>)) {
        const ms = parseDuration(label);
        if (ms === undefined || ms <= 0) fail(['intervals', label], 'not an interval; expected a duration like 1m or 1h as the key');
        else if (out.some(([m2]) => m2 === ms)) fail(['intervals', label], 'the same interval is listed twice');
        else if ((typeof code === 'string' && code !== '') || (typeof code === 'number' && Number.isFinite(code))) out.push([ms, String(code)]);
        else fail(['intervals', label], `expected the API's spelling of this interval, like "1m" or 60, got ${got(code)}`);
      }
      if (out.length === Object.keys(iv).length) intervals = out.sort((a, b) => a[0] - b[0]);
    }
  }

  let maxBars: number | undefined;
  if (need('maxBars', 'the most bars one request returns (the API\'s limit)')) {
    maxBars = count(m.maxBars, 1, MAX_BARS);
    if (maxBars === undefined) fail(['maxBars'], `expected an integer from 1 to ${MAX_BARS} (the most bars one request returns), got ${got(m.maxBars)}`);
  }

  let requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE;
  if (Object.hasOwn(m, 'requestsPerMinute')) {
    const r = count(m.requestsPerMinute, 1, MAX_REQUESTS_PER_MINUTE);
    if (r === undefined) fail(['requestsPerMinute'], `expected an integer from 1 to ${MAX_REQUESTS_PER_MINUTE}, got ${got(m.requestsPerMinute)}`);
    else requestsPerMinute = r;
  }

  if (problems.length > 0 || !template || !fields || !intervals || maxBars === undefined) return { problems };
  const spec: GenericBackfill = { template, fields, timeUnit, intervals, maxBars, requestsPerMinute };
  if (rows) spec.rows = rows;
  return { spec, problems };
}

/** A row into a bar, or why it is not one. */
function rowBar(row: unknown, spec: GenericBackfill, intervalMs: number): Bar | string {
  if (typeof row !== 'object' || row === null) return 'a row is neither a list nor a mapping';
  const f = spec.fields;
  const start = num(get(row, f.start)) * SCALE[spec.timeUnit];
  const volume = f.volume ? num(get(row, f.volume)) : 0;
  return makeBar(start, intervalMs, num(get(row, f.open)), num(get(row, f.high)), num(get(row, f.low)), num(get(row, f.close)), volume, 0);
}

/** The RestVenue a description makes; `url` ignores the base: the template is the whole URL. */
export function genericRest(spec: GenericBackfill): RestVenue {
  const codes = new Map(spec.intervals);
  const time = (ms: number) => String(Math.floor(ms / SCALE[spec.timeUnit]));
  return {
    venue: 'generic',
    defaultBaseUrl: '',
    maxBars: spec.maxBars,
    pace: { weight: 1, budget: spec.requestsPerMinute, windowMs: 60_000 },
    intervalCode: (ms) => codes.get(ms),
    url(_base, symbol, intervalMs, from, to) {
      const limit = Math.min(spec.maxBars, Math.ceil((to - from) / intervalMs));
      return fill(spec.template, { symbol, interval: codes.get(intervalMs)!, start: time(from), end: time(to), limit: String(limit) });
    },
    parse(body, intervalMs): ParseResult {
      const j = json(body);
      if (!j.ok) return { ok: false, error: j.error, inBand: false };
      const list = spec.rows ? get(j.value, spec.rows) : j.value;
      if (!Array.isArray(list)) return { ok: false, error: spec.rows ? `expected a list of rows at ${spec.rows.join('.')}` : 'expected a list of rows', inBand: false };
      const bars: Bar[] = [];
      for (const [i, row] of list.entries()) {
        const b = rowBar(row, spec, intervalMs);
        if (typeof b === 'string') return { ok: false, error: `row ${i}: ${b}`, inBand: false };
        bars.push(b);
      }
      bars.sort((a, b) => a.start - b.start);
      return { ok: true, bars };
    },
  };
}
