/**
 * Turns a parsed YAML document into a Config: checks every key and value, fills the defaults from
 * defaults.ts, and collects every problem (one line each, "file: key.path: what was expected, got
 * what") instead of stopping at the first, so one run of --check-config shows them all.
 */
import type {
  BackfillConfig,
  BasisPair,
  FeedSymbol,
  BackoffConfig,
  BookConfig,
  Config,
  ConnectionConfig,
  ExtraIndicatorConfig,
  ExtraIndicatorsConfig,
  FeedConfig,
  IndicatorConfig,
  LimitsConfig,
  ShardConfig,
} from './types.js';
import {
  DEFAULT_BACKFILL_DEPTH,
  DEFAULT_BAR_CLOSE_GRACE_MS,
  MAX_BACKFILL_DEPTH,
  DEFAULT_CONNECTION,
  DEFAULT_EXTRA_INDICATORS,
  DEFAULT_INDICATORS,
  DEFAULT_INTERVALS,
  DEFAULT_LIMITS,
  DEFAULT_LISTEN,
  DEFAULT_LOG_LEVEL,
  DEFAULT_WINDOWS,
  DEFAULT_ENABLE_RELOAD_ENDPOINT,
  DEFAULT_SHARD,
  MAX_SHARDS,
} from './defaults.js';
import { formatDuration, parseDuration, parseSize } from './units.js';
import { parseListen } from './listen.js';
import { closest } from './suggest.js';
import { removedKey, removedVenue } from './removed.js';
import { EXTRA_INDICATORS } from '../indicators/extra.js';
import type { NativeIndicator, ParamDef } from '../indicators/kernel.js';
import { NATIVE_INDICATORS } from '../indicators/registry.js';
import type { OptionProblem, SymbolSpelling } from '../feeds/types.js';
import { ASSET_RE, INSTRUMENT_RE } from '../feeds/instrument.js';
import { GENERIC_BACKFILL_KEYS, readGenericBackfill } from '../backfill/generic.js';

const STATIC_KEYS = {
  '': [
    'listen',
    'logLevel',
    'enableReloadEndpoint',
    'connection',
    'feeds',
    'intervals',
    'windows',
    'barCloseGrace',
    'indicators',
    'extraIndicators',
    'limits',
    'shard',
    'basis',
    'assetAliases',
  ],
  connection: ['connectTimeout', 'pingInterval', 'maxMissedPings', 'silenceTimeout', 'backoff'],
  'connection.backoff': ['initial', 'max', 'multiplier', 'jitter', 'resetAfter'],
  'feeds[]': ['name', 'venue', 'symbols', 'url', 'channels', 'streamsPerConnection', 'connection', 'options', 'backfill', 'instruments', 'book'],
  'feeds[].backfill': ['enabled', 'depth', 'url', ...GENERIC_BACKFILL_KEYS],
  'feeds[].book': ['symbols', 'bands', 'depth', 'restUrl'],
  limits: ['queueCapacity', 'maxFrameBytes'],
  shard: ['index', 'count'],
  'basis[]': ['perp', 'spot'],
  'basis[].perp': ['feed', 'symbol'],
  'basis[].spot': ['feed', 'symbol'],
} as const satisfies Record<string, readonly string[]>;

/** Where an extra indicator runs, beside its parameters. */
const EXTRA_PLACE_KEYS = ['feeds', 'symbols'] as const;

/**
 * The keys each section accepts, by section path; docs and tests are checked against this. The
 * indicator sections come from the indicator registries (src/indicators/registry.ts, extra.ts).
 */
export const CONFIG_KEYS: typeof STATIC_KEYS & { indicators: readonly string[]; extraIndicators: readonly string[] } & Readonly<Record<string, readonly string[]>> = {
  ...STATIC_KEYS,
  indicators: NATIVE_INDICATORS.map((d) => d.key),
  ...Object.fromEntries(NATIVE_INDICATORS.map((d) => [`indicators.${d.key}`, ['enabled', ...Object.keys(d.params)]])),
  extraIndicators: ['maxInstances', ...EXTRA_INDICATORS.map((d) => d.key)],
  ...Object.fromEntries(EXTRA_INDICATORS.map((d) => [`extraIndicators.${d.key}`, [...Object.keys(d.params), ...EXTRA_PLACE_KEYS]])),
};

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** Venue symbols as venues spell them: BTCUSDT, BTC-USD, BTC/USD, tBTCUSD, BTC-USDT-SWAP. */
export const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
/** Feed names become the `exchange` label value. */
export const FEED_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** What validation needs to know about the venues; load.ts fills it from feeds/index.ts. */
export interface ValidateContext {
  /** Named in every message; "<built-in>" when undefined. */
  source?: string;
  venues: readonly string[];
  /** The channels a venue's adapter understands; undefined skips the check. */
  channelsOf(venue: string): readonly string[] | undefined;
  /** The venue's own streams-per-connection limit; undefined skips the check. */
  streamsLimitOf(venue: string): number | undefined;
  /** How the venue spells a symbol (Adapter.symbolSpelling); absent or undefined: any spelling. */
  symbolSpellingOf?(venue: string): SymbolSpelling | undefined;
  /** The venue's own checks of a feed's options (Adapter.validateOptions); absent: none. */
  optionsProblemsOf?(venue: string, options: Readonly<Record<string, unknown>>, feed: { url?: string }): readonly OptionProblem[];
  /** The bar lengths (ms) the venue's REST API serves for backfill; undefined: the venue has none. */
  backfillIntervalsOf?(venue: string): ((ms: number) => boolean) | undefined;
  /** The venue's book channel (Adapter.book); absent or undefined: the venue has none. */
  bookOf?(venue: string): { readonly depths?: readonly number[]; readonly integrity: string; readonly minFrameBytes?: number } | undefined;
  /** Hides substituted environment values in anything echoed from the file. */
  redact(text: string): string;
}

export interface ValidateResult {
  config: Config;
  /** Empty when the config is valid; otherwise `config` is not to be used. */
  problems: string[];
}

type Path = readonly (string | number)[];
type Rec = Record<string, unknown>;

const DURATION_HINT = 'a duration like 500ms, 30s, 5m, 1h or a number of milliseconds';

/** Collects problems and reads typed values; every reader returns undefined after reporting. */
class Checker {
  readonly problems: string[] = [];
  constructor(private readonly ctx: ValidateContext) {}

  path(path: Path): string {
    let out = '';
    for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
    return this.ctx.redact(out);
  }

  /** Hides substituted environment values in text echoed from the file. */
  redact(text: string): string {
    return this.ctx.redact(text);
  }

  fail(path: Path, message: string): undefined {
    const where = path.length === 0 ? '' : `${this.path(path)}: `;
    this.problems.push(`${this.ctx.source ?? '<built-in>'}: ${where}${message}`);
    return undefined;
  }

  /** The value as a message shows it after "got". */
  got(v: unknown): string {
    if (v === undefined) return 'nothing';
    if (v === null) return 'an empty value';
    if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
    if (typeof v === 'object') return Object.keys(v).length === 0 ? 'an empty mapping' : 'a mapping';
    const text = this.ctx.redact(String(v));
    const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    return typeof v === 'string' ? JSON.stringify(short) : short;
  }

  expected(path: Path, what: string, v: unknown, hint?: string): undefined {
    return this.fail(path, `expected ${what}, got ${this.got(v)}${hint ? `; ${hint}` : ''}`);
  }

  /** A mapping with only `keys`; an empty value (`key:` with nothing after it) counts as `{}`. */
  mapping(v: unknown, path: Path, keys: readonly string[], what = 'a mapping'): Rec | undefined {
    if (v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return this.expected(path, what, v);
    const rec = v as Rec;
    for (const key of Object.keys(rec)) {
      if (keys.includes(key)) continue;
      const gone = removedKey(this.path([...path, key]));
      if (gone) {
        this.fail([...path, key], gone);
        continue;
      }
      const guess = closest(key, keys);
      const hint = guess ? `did you mean '${guess}'?` : `expected one of ${keys.join(', ')}`;
      this.fail([...path, key], `unknown key; ${hint}`);
    }
    return rec;
  }

  /** A mapping whose keys are free-form (adapter options). */
  anyMapping(v: unknown, path: Path): Rec | undefined {
    if (v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return this.expected(path, 'a mapping', v);
    return v as Rec;
  }

  list(v: unknown, path: Path, what: string): unknown[] | undefined {
    return Array.isArray(v) ? v : this.expected(path, what, v);
  }

  str(v: unknown, path: Path, what = 'a string'): string | undefined {
    return typeof v === 'string' ? v : this.expected(path, what, v);
  }

  bool(v: unknown, path: Path): boolean | undefined {
    return typeof v === 'boolean' ? v : this.expected(path, 'true or false', v);
  }

  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    const guess = typeof v === 'string' ? closest(v, allowed) : undefined;
    return this.expected(path, `one of ${allowed.join(', ')}`, v, guess ? `did you mean '${guess}'?` : undefined);
  }

  int(v: unknown, path: Path, min: number, max = Number.MAX_SAFE_INTEGER, note = ''): number | undefined {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    return this.expected(path, `an integer ${range}${note}`, v);
  }

  /** A finite number in [min, max]; `minExclusive` makes the lower bound strict. */
  num(v: unknown, path: Path, min: number, max: number, minExclusive = false): number | undefined {
    const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
    if (ok) return v;
    let range = minExclusive ? `> ${min}` : `>= ${min}`;
    if (max !== Infinity) range = minExclusive ? `> ${min} and <= ${max}` : `from ${min} to ${max}`;
    return this.expected(path, `a number ${range}`, v);
  }

  /** Milliseconds from "30s" or a plain number of ms, at least `minMs`. */
  duration(v: unknown, path: Path, minMs = 0): number | undefined {
    const ms =
      typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'string' ? parseDuration(v.trim()) : undefined;
    if (ms === undefined || ms < 0) {
      const hint = typeof v === 'string' && /^\d+\.\d+/.test(v) ? 'use whole numbers (1500ms, not 1.5s)' : undefined;
      return this.expected(path, DURATION_HINT, v, hint);
    }
    if (ms < minMs) return this.expected(path, `a duration of at least ${formatDuration(minMs)}`, v);
    return ms;
  }

  size(v: unknown, path: Path, min: number): number | undefined {
    const bytes =
      typeof v === 'number' && Number.isSafeInteger(v) ? v : typeof v === 'string' ? parseSize(v.trim()) : undefined;
    if (bytes === undefined || bytes < min) {
      return this.expected(path, `a size of at least ${min} bytes like 65536, 64KiB or 1MiB`, v);
    }
    return bytes;
  }

  symbols(v: unknown, path: Path): string[] | undefined {
    const items = this.list(v, path, 'a list of symbols like [BTCUSDT, ETHUSDT]');
    if (!items) return undefined;
    if (items.length === 0) return this.expected(path, 'at least one symbol', v);
    const seen = new Map<string, number>();
    const out: string[] = [];
    items.forEach((item, i) => {
      if (typeof item !== 'string' || !SYMBOL_RE.test(item)) {
        this.expected([...path, i], 'a symbol like BTCUSDT or BTC-USD', item);
        return;
      }
      const first = seen.get(item);
      if (first !== undefined) {
        this.fail([...path, i], `duplicate symbol ${this.got(item)} (also at index ${first})`);
        return;
      }
      seen.set(item, i);
      out.push(item);
    });
    return out;
  }

  /** Bar intervals or windows: unique durations of at least a second, labelled canonically. */
  spans(v: unknown, path: Path): { label: string; ms: number }[] | undefined {
    const items = this.list(v, path, 'a list of durations like [1m, 5m]');
    if (!items) return undefined;
    const seen = new Map<number, number>();
    const out: { label: string; ms: number }[] = [];
    items.forEach((item, i) => {
      const ms = this.duration(item, [...path, i], 1_000);
      if (ms === undefined) return;
      const first = seen.get(ms);
      if (first !== undefined) {
        this.fail([...path, i], `duplicate ${formatDuration(ms)} (also at index ${first})`);
        return;
      }
      seen.set(ms, i);
      out.push({ label: formatDuration(ms), ms });
    });
    return out;
  }
}

/** Read `rec[key]` with `read`, or the default when the key is absent (or the value bad: it was reported). */
function field<T>(rec: Rec, key: string, dflt: T, read: (v: unknown) => T | undefined): T {
  if (!Object.hasOwn(rec, key)) return dflt;
  return read(rec[key]) ?? dflt;
}

function readBackoff(c: Checker, v: unknown, path: Path, base: BackoffConfig): BackoffConfig {
  const m = c.mapping(v, path, CONFIG_KEYS['connection.backoff']);
  if (!m) return base;
  const out: BackoffConfig = {
    initialMs: field(m, 'initial', base.initialMs, (x) => c.duration(x, [...path, 'initial'], 1)),
    maxMs: field(m, 'max', base.maxMs, (x) => c.duration(x, [...path, 'max'], 1)),
    multiplier: field(m, 'multiplier', base.multiplier, (x) => c.num(x, [...path, 'multiplier'], 1, 1_000)),
    jitter: field(m, 'jitter', base.jitter, (x) => c.num(x, [...path, 'jitter'], 0, 1)),
    resetAfterMs: field(m, 'resetAfter', base.resetAfterMs, (x) => c.duration(x, [...path, 'resetAfter'])),
  };
  // Report on the key this section set, so an override that clashes with an inherited value points at itself.
  if (out.maxMs < out.initialMs) {
    if (Object.hasOwn(m, 'max')) c.expected([...path, 'max'], `at least initial (${formatDuration(out.initialMs)})`, m.max);
    else if (Object.hasOwn(m, 'initial')) c.expected([...path, 'initial'], `at most max (${formatDuration(out.maxMs)})`, m.initial);
  }
  return out;
}

/** Connection settings over `base`: the defaults for the top level, the top level for a feed. */
function readConnection(c: Checker, v: unknown, path: Path, base: ConnectionConfig): ConnectionConfig {
  const m = c.mapping(v, path, CONFIG_KEYS.connection);
  if (!m) return base;
  return {
    connectTimeoutMs: field(m, 'connectTimeout', base.connectTimeoutMs, (x) => c.duration(x, [...path, 'connectTimeout'], 1)),
    pingIntervalMs: field(m, 'pingInterval', base.pingIntervalMs, (x) => c.duration(x, [...path, 'pingInterval'])),
    maxMissedPings: field(m, 'maxMissedPings', base.maxMissedPings, (x) => c.int(x, [...path, 'maxMissedPings'], 1, 100)),
    silenceTimeoutMs: field(m, 'silenceTimeout', base.silenceTimeoutMs, (x) => c.duration(x, [...path, 'silenceTimeout'], 1)),
    backoff: Object.hasOwn(m, 'backoff') ? readBackoff(c, m.backoff, [...path, 'backoff'], base.backoff) : { ...base.backoff },
  };
}

/** One parameter of an indicator, by its registry entry. */
function readParam(c: Checker, rec: Rec, key: string, d: ParamDef, path: Path): number {
  return field(rec, key, d.default, (x) =>
    d.integer ? c.int(x, [...path, key], d.min, d.max) : c.num(x, [...path, key], d.min, d.max, d.minExclusive),
  );
}

function readIndicators(c: Checker, v: unknown, path: Path): IndicatorConfig {
  const out = structuredClone(DEFAULT_INDICATORS) as unknown as Record<string, { enabled: boolean } & Record<string, number>>;
  const m = c.mapping(v, path, CONFIG_KEYS.indicators);
  if (!m) return out as unknown as IndicatorConfig;
  for (const d of NATIVE_INDICATORS) {
    if (!Object.hasOwn(m, d.key)) continue;
    const at = [...path, d.key];
    const s = c.mapping(m[d.key], at, CONFIG_KEYS[`indicators.${d.key}`] ?? []);
    if (!s) continue;
    const entry = out[d.key]!;
    entry.enabled = field(s, 'enabled', entry.enabled, (x) => c.bool(x, [...at, 'enabled']));
    const params = d.params as Readonly<Record<string, ParamDef>>;
    for (const [p, def] of Object.entries(params)) entry[p] = readParam(c, s, p, def, at);
    const check = d.check as NativeIndicator['check'];
    const bad = check?.(entry, (p) => Object.hasOwn(s, p));
    if (bad) c.expected([...at, bad.param], bad.expected, s[bad.param] ?? entry[bad.param]);
  }
  return out as unknown as IndicatorConfig;
}

function readNames(c: Checker, v: unknown, path: Path, what: string): string[] | undefined {
  const items = c.list(v, path, `a list of ${what}`);
  if (!items) return undefined;
  if (items.length === 0) return c.expected(path, `at least one of the ${what} (leave the key out for all)`, v);
  const out: string[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') c.expected([...path, i], `one of the ${what}`, item);
    else if (out.includes(item)) c.fail([...path, i], `duplicate ${c.got(item)}`);
    else out.push(item);
  });
  return out;
}

function readExtraIndicators(c: Checker, v: unknown, path: Path): ExtraIndicatorsConfig {
  const out: ExtraIndicatorsConfig = structuredClone(DEFAULT_EXTRA_INDICATORS);
  const m = c.mapping(v, path, CONFIG_KEYS.extraIndicators);
  if (!m) return out;
  out.maxInstances = field(m, 'maxInstances', out.maxInstances, (x) => c.int(x, [...path, 'maxInstances'], 0, 1_000_000));
  for (const d of EXTRA_INDICATORS) {
    if (!Object.hasOwn(m, d.key)) continue;
    const at = [...path, d.key];
    const s = c.mapping(m[d.key], at, CONFIG_KEYS[`extraIndicators.${d.key}`] ?? []);
    if (!s) continue;
    const entry: ExtraIndicatorConfig = { indicator: d.key, params: {} };
    for (const [p, def] of Object.entries(d.params)) entry.params[p] = readParam(c, s, p, def, at);
    if (Object.hasOwn(s, 'feeds')) entry.feeds = readNames(c, s.feeds, [...at, 'feeds'], 'feed names');
    if (Object.hasOwn(s, 'symbols')) entry.symbols = readNames(c, s.symbols, [...at, 'symbols'], 'symbols');
    out.indicators.push(entry);
  }
  return out;
}

/**
 * Extra indicators against the feeds: every named feed and symbol exists, and the instances they
 * make (before sharding: an upper bound for each replica) fit maxInstances.
 */
function checkExtraPlacement(c: Checker, extra: ExtraIndicatorsConfig, feeds: readonly FeedConfig[], intervals: number): void {
  const path = ['extraIndicators'];
  let instances = 0;
  for (const e of extra.indicators) {
    const at = [...path, e.indicator];
    const chosen = e.feeds === undefined ? feeds : feeds.filter((f) => e.feeds!.includes(f.name));
    e.feeds?.forEach((name, i) => {
      if (!feeds.some((f) => f.name === name)) c.fail([...at, 'feeds', i], `${c.got(name)} is not the name of a feed`);
    });
    e.symbols?.forEach((sym, i) => {
      if (!chosen.some((f) => f.symbols.includes(sym))) c.fail([...at, 'symbols', i], `${c.got(sym)} is not a symbol of ${e.feeds ? 'those feeds' : 'any feed'}`);
    });
    for (const f of chosen) instances += (e.symbols === undefined ? f.symbols.length : f.symbols.filter((s) => e.symbols!.includes(s)).length) * intervals;
  }
  if (instances > extra.maxInstances) {
    c.fail(
      [...path, 'maxInstances'],
      `the extra indicators need ${instances} instances (indicator x symbol x interval), more than ${extra.maxInstances}; ` +
        'name fewer feeds or symbols, or raise maxInstances (docs/config.md gives the memory each costs)',
    );
  }
}

/**
 * `basis:` pairs a perpetual with a spot instrument, each a configured feed and one of its
 * symbols: a name that matches nothing would make a basis series that never appears.
 */
function readBasis(c: Checker, v: unknown, path: Path, feeds: readonly FeedConfig[]): BasisPair[] {
  const items = c.list(v, path, 'a list of {perp: {feed, symbol}, spot: {feed, symbol}}');
  if (!items) return [];
  const out: BasisPair[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const at = [...path, i];
    const m = c.mapping(item, at, CONFIG_KEYS['basis[]'], 'a mapping with perp and spot');
    if (!m) return;
    const side = (key: 'perp' | 'spot'): FeedSymbol | undefined => {
      const p = [...at, key];
      if (!Object.hasOwn(m, key)) return c.fail(p, 'missing; expected {feed: <feed name>, symbol: <one of its symbols>}');
      const s = c.mapping(m[key], p, CONFIG_KEYS[`basis[].${key}`], 'a mapping with feed and symbol');
      if (!s) return undefined;
      const feed = c.str(s.feed, [...p, 'feed'], 'the name of a feed');
      const symbol = c.str(s.symbol, [...p, 'symbol'], 'a symbol of that feed');
      if (feed === undefined || symbol === undefined) return undefined;
      const f = feeds.find((x) => x.name === feed);
      if (!f) return c.fail([...p, 'feed'], `${c.got(feed)} is not the name of a feed (one of ${feeds.map((x) => x.name).join(', ')})`);
      if (!f.symbols.includes(symbol)) return c.fail([...p, 'symbol'], `${c.got(symbol)} is not a symbol of feed ${feed}`);
      return { feed, symbol };
    };
    const perp = side('perp');
    const spot = side('spot');
    if (!perp || !spot) return;
    if (perp.feed === spot.feed && perp.symbol === spot.symbol) return void c.fail([...at, 'spot'], 'names the perpetual itself; expected the spot instrument');
    const key = `${perp.feed}\u0000${perp.symbol}`;
    if (seen.has(key)) return void c.fail([...at, 'perp'], `${perp.symbol} on ${perp.feed} already has a spot instrument (one per perpetual)`);
    seen.add(key);
    out.push({ perp, spot });
  });
  return out;
}

function readLimits(c: Checker, v: unknown, path: Path): LimitsConfig {
  const m = c.mapping(v, path, CONFIG_KEYS.limits);
  if (!m) return { ...DEFAULT_LIMITS };
  return {
    queueCapacity: field(m, 'queueCapacity', DEFAULT_LIMITS.queueCapacity, (x) => c.int(x, [...path, 'queueCapacity'], 1)),
    maxFrameBytes: field(m, 'maxFrameBytes', DEFAULT_LIMITS.maxFrameBytes, (x) => c.size(x, [...path, 'maxFrameBytes'], 1)),
  };
}

function readShard(c: Checker, v: unknown, path: Path): ShardConfig {
  const m = c.mapping(v, path, CONFIG_KEYS.shard);
  if (!m) return { ...DEFAULT_SHARD };
  const count = field(m, 'count', DEFAULT_SHARD.count, (x) => c.int(x, [...path, 'count'], 1, MAX_SHARDS));
  // Checked against the count actually in force, so `index: 3` with `count: 3` names the index.
  const index = field(m, 'index', DEFAULT_SHARD.index, (x) => c.int(x, [...path, 'index'], 0, count - 1, ' (shard.count - 1)'));
  return { index, count };
}

function readUrl(c: Checker, v: unknown, path: Path): string | undefined {
  const what = 'a ws:// or wss:// URL';
  if (typeof v !== 'string') return c.expected(path, what, v);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return c.expected(path, what, v);
  }
  if ((url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.hostname === '') return c.expected(path, what, v);
  return v;
}

/**
 * `backfill: true | false | {enabled, depth, url, ...}`; undefined when off. A venue with a REST
 * API built in (`builtIn`) takes url as its base; one without (generic) may describe its API:
 * url is then a template and the GENERIC_BACKFILL_KEYS say how to read the answer.
 */
function readBackfill(c: Checker, v: unknown, path: Path, venue: string | undefined, builtIn: boolean): BackfillConfig | undefined {
  if (typeof v === 'boolean') return v ? { depth: DEFAULT_BACKFILL_DEPTH } : undefined;
  const m = c.mapping(v, path, CONFIG_KEYS['feeds[].backfill'], 'true, false or a mapping with enabled, depth and url');
  if (!m) return undefined;
  const enabled = field(m, 'enabled', true, (x) => c.bool(x, [...path, 'enabled']));
  const out: BackfillConfig = {
    depth: field(m, 'depth', DEFAULT_BACKFILL_DEPTH, (x) => c.int(x, [...path, 'depth'], 1, MAX_BACKFILL_DEPTH)),
  };
  const describes = GENERIC_BACKFILL_KEYS.filter((k) => Object.hasOwn(m, k));
  if (venue !== undefined && !builtIn && (describes.length > 0 || Object.hasOwn(m, 'url'))) {
    const { spec, problems } = readGenericBackfill(m);
    for (const p of problems) c.fail([...path, ...p.path], c.redact(p.message));
    // Off after a problem, so checkBackfill does not also say the venue has no API.
    if (!spec) return undefined;
    out.generic = spec;
    return enabled ? out : undefined;
  }
  if (venue !== undefined && builtIn)
    for (const k of describes) c.fail([...path, k], `only a venue without a REST API of its own (generic) describes one; ${venue}'s is built in, leave ${k} out`);
  if (Object.hasOwn(m, 'url')) {
    const what = 'an http:// or https:// URL (the venue\'s REST base, without a path)';
    const u = m.url;
    let ok = false;
    if (typeof u === 'string') {
      try {
        const url = new URL(u);
        ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.search === '' && url.hash === '';
      } catch {
        ok = false;
      }
    }
    if (ok) out.url = (u as string).replace(/\/+$/, '');
    else c.expected([...path, 'url'], what, u);
  }
  return enabled ? out : undefined;
}

/** A feed with backfill on: its venue has a REST candles API serving every configured interval. */
function checkBackfill(c: Checker, ctx: ValidateContext, feeds: readonly FeedConfig[], intervals: readonly { label: string; ms: number }[]): void {
  feeds.forEach((f, i) => {
    if (!f.backfill || f.venue === '') return;
    const serves = ctx.backfillIntervalsOf?.(f.venue);
    const at = ['feeds', i, 'backfill'];
    const generic = f.backfill.generic;
    if (generic) {
      const missing = intervals.filter((iv) => !generic.intervals.some(([ms]) => ms === iv.ms)).map((iv) => iv.label);
      if (missing.length > 0)
        c.fail([...at, 'intervals'], `no spelling for ${missing.join(', ')}; list every configured interval with the API's spelling of it, like {${missing[0]}: "${missing[0]}"}`);
      return;
    }
    if (!serves) {
      if (ctx.backfillIntervalsOf)
        c.fail(at, `venue ${f.venue} has no REST candles API to backfill from; describe one (url template, fields, intervals, maxBars: docs/config.md#backfill) or leave backfill out for this feed`);
      return;
    }
    const missing = intervals.filter((iv) => !serves(iv.ms)).map((iv) => iv.label);
    if (missing.length > 0)
      c.fail(at, `${f.venue} serves no ${missing.join(', ')} bars over REST; leave backfill out for this feed or use intervals the venue serves (docs/venues.md)`);
  });
}

/**
 * A venue whose first book frame is the whole book (Coinbase's `snapshot`, several MB for a liquid
 * product) needs frames that large let through; below that the snapshot is dropped as oversized on
 * every connect and the book never syncs, which is worse than refusing the config.
 */
function checkBookFrames(c: Checker, ctx: ValidateContext, feeds: readonly FeedConfig[], maxFrameBytes: number): void {
  feeds.forEach((f, i) => {
    if (!f.book || f.venue === '') return;
    const need = ctx.bookOf?.(f.venue)?.minFrameBytes;
    if (need === undefined || maxFrameBytes >= need) return;
    c.fail(
      ['feeds', i, 'book'],
      `${f.venue} books start with a snapshot of the whole book (several MB for a liquid product); set limits.maxFrameBytes to at least ${formatMiB(need)} (it is ${maxFrameBytes} bytes) or leave book out for this feed`,
    );
  });
}

function formatMiB(bytes: number): string {
  return bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)}MiB` : `${bytes} bytes`;
}

/** Bands a book may have: each is a few series per symbol. */
export const MAX_BOOK_BANDS = 4;
export const DEFAULT_BOOK_BANDS = [10, 50];
export const DEFAULT_BOOK_DEPTH = 25;
/** Levels a book may hold per side. */
export const MAX_BOOK_DEPTH = 1000;

function readBook(c: Checker, ctx: ValidateContext, v: unknown, path: Path, venue: string | undefined, feedSymbols: readonly string[]): BookConfig | undefined {
  const m = c.mapping(v, path, CONFIG_KEYS['feeds[].book'], 'a mapping with symbols (and bands, depth)');
  if (!m) return undefined;
  const support = venue === undefined ? undefined : ctx.bookOf?.(venue);
  if (venue !== undefined && ctx.bookOf && !support) return c.fail(path, `${venue} has no book channel in this exporter; remove book or use a venue that has one`);
  let symbols: string[] = [];
  if (!Object.hasOwn(m, 'symbols')) c.fail([...path, 'symbols'], "missing; expected a list of the feed's symbols to keep books for");
  else {
    symbols = c.symbols(m.symbols, [...path, 'symbols']) ?? [];
    symbols.forEach((s, i) => {
      if (!feedSymbols.includes(s)) c.fail([...path, 'symbols', i], `${c.got(s)} is not one of the feed's symbols; a book needs its symbol in the feed's symbols list`);
    });
  }
  let bands = DEFAULT_BOOK_BANDS;
  if (Object.hasOwn(m, 'bands')) {
    const items = c.list(m.bands, [...path, 'bands'], 'a list of distances from the mid in basis points, like [10, 50]');
    if (items) {
      if (items.length === 0 || items.length > MAX_BOOK_BANDS) c.expected([...path, 'bands'], `1 to ${MAX_BOOK_BANDS} bands`, m.bands);
      const out: number[] = [];
      items.forEach((b, i) => {
        const n = c.num(b, [...path, 'bands', i], 0, 10_000, true);
        if (n === undefined) return;
        const prev = out[out.length - 1];
        if (prev !== undefined && n <= prev) c.fail([...path, 'bands', i], `bands must ascend without repeats: ${n} after ${prev}`);
        out.push(n);
      });
      bands = out;
    }
  }
  let depth = DEFAULT_BOOK_DEPTH;
  if (Object.hasOwn(m, 'depth')) {
    const allowed = support?.depths;
    if (allowed) {
      if (typeof m.depth === 'number' && allowed.includes(m.depth)) depth = m.depth;
      else c.expected([...path, 'depth'], `one of ${allowed.join(', ')} (the depths ${venue} subscribes)`, m.depth);
    } else depth = c.int(m.depth, [...path, 'depth'], 1, MAX_BOOK_DEPTH) ?? depth;
  } else if (support?.depths && !support.depths.includes(depth)) depth = support.depths[0]!;
  const book: BookConfig = { symbols, bands, depth };
  if (Object.hasOwn(m, 'restUrl')) {
    if (support && support.integrity !== 'sequence') c.fail([...path, 'restUrl'], `${venue} books resync over the socket; restUrl applies only to venues that fetch REST snapshots (binance)`);
    const u = typeof m.restUrl === 'string' ? URL.parse(m.restUrl) : null;
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') c.expected([...path, 'restUrl'], 'an http:// or https:// URL', m.restUrl);
    else book.restUrl = m.restUrl as string;
  }
  return book;
}

function readChannels(c: Checker, v: unknown, path: Path, known: readonly string[] | undefined, venue?: string): string[] | undefined {
  const items = c.list(v, path, 'a list of channels');
  if (!items) return undefined;
  if (items.length === 0) return c.expected(path, 'at least one channel (leave channels out for the venue defaults)', v);
  const out: string[] = [];
  items.forEach((item, i) => {
    const at = [...path, i];
    if (typeof item !== 'string') return void c.expected(at, 'a channel name', item);
    if (known && !known.includes(item)) {
      const guess = closest(item, known);
      const hint = guess ? `did you mean '${guess}'?` : undefined;
      return void c.expected(at, `a ${venue} channel: one of ${known.join(', ')}`, item, hint);
    }
    if (out.includes(item)) return void c.fail(at, `duplicate channel ${c.got(item)}`);
    out.push(item);
  });
  return out;
}

const INSTRUMENT_HINT = 'an instrument like BTC/USDT (BASE/QUOTE, upper case; a derivative adds :SETTLE, as in BTC/USDT:USDT or BTC/USD:BTC-250328)';

/** A feed's `instruments`: symbol -> canonical instrument, for symbols of this feed only. */
function readInstruments(c: Checker, v: unknown, path: Path, symbols: readonly string[]): Record<string, string> | undefined {
  const m = c.anyMapping(v, path);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const [sym, inst] of Object.entries(m)) {
    const at = [...path, sym];
    if (!symbols.includes(sym)) {
      const guess = closest(sym, symbols);
      c.fail(at, `${c.got(sym)} is not one of this feed's symbols${guess ? `; did you mean '${guess}'?` : ''}`);
    } else if (typeof inst !== 'string' || !INSTRUMENT_RE.test(inst)) c.expected(at, INSTRUMENT_HINT, inst);
    else out[sym] = inst;
  }
  return out;
}

/** `assetAliases`: venue asset code -> the code instruments use (XBT: BTC), on top of the built-in table. */
function readAssetAliases(c: Checker, v: unknown, path: Path): Record<string, string> | undefined {
  const m = c.anyMapping(v, path);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const what = 'an asset code like BTC (upper case letters, digits or dots)';
  for (const [code, to] of Object.entries(m)) {
    const at = [...path, code];
    if (!ASSET_RE.test(code)) c.fail(at, `${c.got(code)} is not ${what}`);
    else if (typeof to !== 'string' || !ASSET_RE.test(to)) c.expected(at, what, to);
    else out[code] = to;
  }
  return out;
}

function readFeed(c: Checker, ctx: ValidateContext, v: unknown, path: Path, connection: ConnectionConfig): FeedConfig | undefined {
  const m = c.mapping(v, path, CONFIG_KEYS['feeds[]'], 'a mapping with venue and symbols');
  if (!m) return undefined;
  const venues = ctx.venues;
  const gone = removedVenue(m.venue);
  const venue = gone
    ? c.fail([...path, 'venue'], gone)
    : Object.hasOwn(m, 'venue')
      ? c.oneOf(m.venue, [...path, 'venue'], venues)
      : c.fail([...path, 'venue'], `missing; expected one of ${venues.join(', ')}`);

  let name = venue ?? '';
  if (Object.hasOwn(m, 'name')) {
    const n = c.str(m.name, [...path, 'name'], 'a name of letters, digits, _ . or -');
    if (n !== undefined && !FEED_NAME_RE.test(n)) c.expected([...path, 'name'], 'a name of letters, digits, _ . or -', n);
    else if (n !== undefined) name = n;
  }

  let symbols: string[] = [];
  if (Object.hasOwn(m, 'symbols')) {
    symbols = c.symbols(m.symbols, [...path, 'symbols']) ?? [];
    const spelling = venue === undefined ? undefined : ctx.symbolSpellingOf?.(venue);
    if (spelling && Array.isArray(m.symbols)) {
      // By index in the file, so the message points at the entry as written.
      m.symbols.forEach((s: unknown, i: number) => {
        if (typeof s === 'string' && SYMBOL_RE.test(s) && !spelling.pattern.test(s))
          c.fail([...path, 'symbols', i], `${c.got(s)} is not how ${venue} spells a symbol: expected one like ${spelling.example}`);
      });
    }
  }
  // A removed venue's message already says what to write, symbols included.
  else if (!gone) c.fail([...path, 'symbols'], 'missing; expected a list of symbols like [BTCUSDT]');

  const feed: FeedConfig = {
    name,
    venue: venue ?? '',
    symbols,
    connection: field(m, 'connection', structuredClone(connection), (x) => readConnection(c, x, [...path, 'connection'], connection)),
    options: field(m, 'options', {}, (x) => structuredClone(c.anyMapping(x, [...path, 'options']))),
  };
  if (Object.hasOwn(m, 'url')) feed.url = readUrl(c, m.url, [...path, 'url']);
  if (Object.hasOwn(m, 'backfill')) {
    const builtIn = venue === undefined || !ctx.backfillIntervalsOf || ctx.backfillIntervalsOf(venue) !== undefined;
    const b = readBackfill(c, m.backfill, [...path, 'backfill'], venue, builtIn);
    if (b) feed.backfill = b;
  }
  if (Object.hasOwn(m, 'channels')) {
    const known = venue === undefined ? undefined : ctx.channelsOf(venue);
    feed.channels = readChannels(c, m.channels, [...path, 'channels'], known, venue);
  }
  if (Object.hasOwn(m, 'streamsPerConnection')) {
    const limit = venue === undefined ? undefined : ctx.streamsLimitOf(venue);
    const note = limit === undefined ? '' : ` (${venue}'s own limit)`;
    feed.streamsPerConnection = c.int(m.streamsPerConnection, [...path, 'streamsPerConnection'], 1, limit, note);
  }
  if (Object.hasOwn(m, 'instruments')) feed.instruments = readInstruments(c, m.instruments, [...path, 'instruments'], symbols);
  if (Object.hasOwn(m, 'book')) {
    const book = readBook(c, ctx, m.book, [...path, 'book'], venue, symbols);
    if (book) feed.book = book;
  }
  if (venue !== undefined && ctx.optionsProblemsOf) {
    // The url as written: a malformed one was reported above and must not also read as missing.
    const url = Object.hasOwn(m, 'url') ? String(m.url) : undefined;
    for (const p of ctx.optionsProblemsOf(venue, feed.options, { url })) c.fail([...path, ...p.path], ctx.redact(p.message));
  }
  return feed;
}

/** Validate a parsed document and build the Config; `problems` is empty when it is valid. */
export function validateConfig(raw: unknown, ctx: ValidateContext): ValidateResult {
  const c = new Checker(ctx);
  const empty = raw === null || raw === undefined;
  if (empty) c.fail([], 'expected a mapping of settings with at least a feeds list, got an empty document');
  const mapped = empty ? undefined : c.mapping(raw, [], CONFIG_KEYS[''], 'a mapping of settings at the top level');
  const top: Rec = mapped ?? {};

  const connection = field(top, 'connection', structuredClone(DEFAULT_CONNECTION), (x) =>
    readConnection(c, x, ['connection'], DEFAULT_CONNECTION),
  );

  const feeds: FeedConfig[] = [];
  if (!Object.hasOwn(top, 'feeds')) {
    if (mapped) c.fail(['feeds'], 'missing; expected a list of feeds like [{venue: binance, symbols: [BTCUSDT]}]');
  } else {
    const items = c.list(top.feeds, ['feeds'], 'a list of feeds');
    if (items && items.length === 0) c.expected(['feeds'], 'at least one feed', top.feeds);
    items?.forEach((item, i) => {
      const f = readFeed(c, ctx, item, ['feeds', i], connection);
      if (f) feeds.push(f);
    });
  }

  const firstByName = new Map<string, number>();
  feeds.forEach((f, i) => {
    if (f.name === '') return;
    const first = firstByName.get(f.name);
    if (first === undefined) firstByName.set(f.name, i);
    else {
      const why = `feeds[${first}] has it too; give each feed of one venue its own name`;
      c.fail(['feeds', i, 'name'], `duplicate feed name ${c.got(f.name)} (${why})`);
    }
  });

  const config: Config = {
    listen: field(top, 'listen', DEFAULT_LISTEN, (x) => {
      const hint = 'host:port like 127.0.0.1:10790 or [::1]:10790, with a port from 0 to 65535';
      return typeof x === 'string' && parseListen(x) ? x : c.expected(['listen'], hint, x);
    }),
    feeds,
    intervals: field(top, 'intervals', spansOf(DEFAULT_INTERVALS), (x) => c.spans(x, ['intervals'])),
    windows: field(top, 'windows', spansOf(DEFAULT_WINDOWS), (x) => c.spans(x, ['windows'])),
    barCloseGraceMs: field(top, 'barCloseGrace', DEFAULT_BAR_CLOSE_GRACE_MS, (x) => c.duration(x, ['barCloseGrace'])),
    indicators: field(top, 'indicators', structuredClone(DEFAULT_INDICATORS), (x) => readIndicators(c, x, ['indicators'])),
    extraIndicators: field(top, 'extraIndicators', structuredClone(DEFAULT_EXTRA_INDICATORS), (x) =>
      readExtraIndicators(c, x, ['extraIndicators']),
    ),
    limits: field(top, 'limits', { ...DEFAULT_LIMITS }, (x) => readLimits(c, x, ['limits'])),
    shard: field(top, 'shard', { ...DEFAULT_SHARD }, (x) => readShard(c, x, ['shard'])),
    enableReloadEndpoint: field(top, 'enableReloadEndpoint', DEFAULT_ENABLE_RELOAD_ENDPOINT, (x) =>
      c.bool(x, ['enableReloadEndpoint']),
    ),
    logLevel: field(top, 'logLevel', DEFAULT_LOG_LEVEL, (x) => c.oneOf(x, ['logLevel'], LOG_LEVELS)),
    basis: [],
  };
  if (Object.hasOwn(top, 'assetAliases')) {
    const aliases = readAssetAliases(c, top.assetAliases, ['assetAliases']);
    if (aliases) config.assetAliases = aliases;
  }
  checkExtraPlacement(c, config.extraIndicators, config.feeds, config.intervals.length);
  checkBackfill(c, ctx, config.feeds, config.intervals);
  checkBookFrames(c, ctx, config.feeds, config.limits.maxFrameBytes);
  config.basis = field(top, 'basis', [], (x) => readBasis(c, x, ['basis'], config.feeds));
  if (ctx.source !== undefined) config.source = ctx.source;
  return { config, problems: c.problems };
}

function spansOf(labels: readonly string[]): { label: string; ms: number }[] {
  return labels.map((label) => {
    const ms = parseDuration(label);
    if (ms === undefined) throw new Error(`defaults.ts: bad duration ${label}`);
    return { label: formatDuration(ms), ms };
  });
}
