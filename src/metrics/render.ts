/**
 * Renders the exporter's own families as Prometheus text from plain state, walking the family
 * tables of src/metrics/families/ (definition and reader side by side). Unset gauges (NaN: no
 * trade yet, no indicator past warm-up) are left out rather than exported as NaN.
 *
 * Scale: 10k symbols are ~530k series (~50 MB). Two things keep that from stalling ingest:
 * - Each symbol keeps its lines as bytes (symbol-lines.ts) and a scrape rewrites only what
 *   changed, then copies bytes out: no string of the whole exposition is ever built.
 * - The bytes come out in chunks (renderMarketChunks), and streamMarket yields to the event loop
 *   every few milliseconds, so frames keep being ingested while a scrape is written.
 * - streamMarket copies them into one buffer kept from scrape to scrape (out-buffer.ts): a new
 *   50 MB one each time made V8 stop for full collections to free the old ones.
 * - Gzipped (as Prometheus asks), each segment (a family, or half of a bar or indicator family:
 *   symbol-lines.ts) is compressed apart (gzip.ts) and the piece kept until one of its lines
 *   changes: a segment no symbol changed is neither copied nor compressed. The others are copied
 *   a run of segments at a time, each run deflated before the next is copied over it, so the
 *   kept buffer holds a run rather than the whole exposition.
 * - Once a boundary's bars have closed, the service renders the full lane with nowhere to send it
 *   (render-ahead.ts), so the scrape after a close finds its bar and indicator lines done.
 * Every symbol is read once per scrape, before anything is written, so the per-symbol families
 * agree with each other; a scrape that spans several event-loop turns may still show a symbol
 * read early next to one read a few milliseconds later, as with any collector that runs while
 * the process works.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { FeedState } from '../market/feed-state.js';
import type { SymbolState } from '../market/symbol.js';
import { RENDER_GIVE_WAY_TURNS, RENDER_SLICE_MS, RENDER_STEP } from '../runtime/budgets.js';
import { SCRAPE_GROUP_NAMES, SCRAPE_GROUPS, scrapeGroupOf, type MetricDef, type ScrapeGroup } from './catalog.js';
import { FEED_FAMILIES, type FeedFamily, type InfoFamily, type SelfStats } from './families/feed.js';
import { PERP_FAMILIES } from './families/perp.js';
import { deflatePiece, type Deflated, type GzipJoin } from './gzip.js';
import { OutputBuffer, type Lease } from './out-buffer.js';
import { SymbolCache } from './symbol-cache.js';
import { readsAll, SEGMENTS, SymbolLines } from './symbol-lines.js';
import { escapeLabelValue, formatValue, header } from './text.js';

export type { SelfStats };

/** Output comes in pieces of about this many bytes. */
const CHUNK = 1 << 16;
/**
 * Gzipped, the segments a scrape copies are copied and deflated in runs of up to this many bytes
 * or 1/MAX_RUNS of the per-symbol text, whichever is more: the buffer kept from scrape to scrape
 * (out-buffer.ts) holds the largest run, not the whole exposition. A run is at least one segment,
 * and market_indicator's halves are a quarter of the exposition each, so with the default config
 * that buffer is 1.6 MB instead of 6.0 at 1k symbols, 16 MB instead of 61 at 10k. Each run walks
 * every symbol again, so runs are few: 5 at 1k, 7 at 10k, and never over 2 * MAX_RUNS + 1 (two
 * runs in a row hold more than the limit, or they would be one).
 */
const MIN_RUN_BYTES = 1 << 20;
const MAX_RUNS = 8;
const EMPTY = Buffer.alloc(0);
const fresh = (size: number): Buffer => Buffer.allocUnsafe(size);

const headers = new Map<MetricDef, Buffer>();
function headerBytes(def: MetricDef): Buffer {
  let b = headers.get(def);
  if (!b) headers.set(def, (b = Buffer.from(header(def), 'utf8')));
  return b;
}

/** What a scrape asks for: the scrape groups whose families it carries (catalog.ts). */
export type Selection = ReadonlySet<ScrapeGroup>;
export const ALL_GROUPS: Selection = new Set(Object.keys(SCRAPE_GROUPS) as ScrapeGroup[]);

/**
 * A cache of every symbol's lines with its output buffer and its scrapes in turn. The fast lane
 * (a scrape without `rest`) has its own, holding only its segments: with one cache, a fast-lane
 * scrape every second waited for any full scrape in progress (seconds at 10k symbols under
 * load), and each switch between the two re-made the kept output buffer at the other's size
 * (50 MB, then 5 MB: the churn out-buffer.ts exists to avoid). Its lines cost ~1 kB a symbol.
 */
class Lane {
  readonly linesOf = new SymbolCache<SymbolLines>();
  readonly output = new OutputBuffer();
  /** The scrape in progress: the next waits for it, since both would rewrite the same symbol lines. */
  scrapes: Promise<void> = Promise.resolve();
  rendering = false;
  /**
   * Each segment's text (its family's header if first, and every symbol's lines, in `order`) as
   * the last gzipped scrape deflated it; dropped as soon as a render changes one of those lines.
   */
  readonly deflated: (Deflated | undefined)[] = [];
  /** The symbols' lines, in the order the last render walked them. */
  order: readonly SymbolLines[] = [];

  constructor(private readonly segments?: readonly number[]) {}

  lines(s: SymbolState): SymbolLines {
    let c = this.linesOf.get(s);
    if (!c) this.linesOf.set(s, (c = new SymbolLines(s, this.segments)));
    return c;
  }
}

const segmentsOf = (want: Selection): number[] => SEGMENTS.flatMap((def, g) => (want.has(scrapeGroupOf(def)) ? [g] : []));
const FULL_LANE = new Lane();
const FAST_LANE = new Lane(segmentsOf(new Set(SCRAPE_GROUP_NAMES.filter((g) => g !== 'rest'))));
const laneOf = (want: Selection): Lane => (want.has('rest') ? FULL_LANE : FAST_LANE);

const feedFamilies: readonly FeedFamily[] = [...Object.values(FEED_FAMILIES), ...Object.values(PERP_FAMILIES)];

/** The text of one per-feed or process family, header included. */
function feedFamily(fam: Exclude<FeedFamily, InfoFamily>, feeds: readonly FeedState[], self: SelfStats, now: number): string {
  const name = fam.def.name;
  let out = header(fam.def);
  switch (fam.kind) {
    case 'feed':
      for (const f of feeds) {
        const v = fam.read(f, now);
        if (v === v) out += `${name}{exchange="${escapeLabelValue(f.name)}"} ${formatValue(v)}\n`;
      }
      return out;
    case 'labelled':
      for (const f of feeds) {
        const ex = escapeLabelValue(f.name);
        for (const [k, v] of Object.entries(fam.read(f, now))) out += `${name}{exchange="${ex}",${fam.label}="${k}"} ${formatValue(v)}\n`;
      }
      return out;
    case 'histogram':
      for (const f of feeds) {
        const h = fam.read(f);
        const ex = `exchange="${escapeLabelValue(f.name)}"`;
        let cum = 0;
        for (let i = 0; i < h.bounds.length; i++) {
          cum += h.counts[i]!;
          out += `${name}_bucket{${ex},le="${formatValue(h.bounds[i]!)}"} ${cum}\n`;
        }
        out += `${name}_bucket{${ex},le="+Inf"} ${h.count}\n${name}_sum{${ex}} ${formatValue(h.sum)}\n${name}_count{${ex}} ${h.count}\n`;
      }
      return out;
    case 'process': {
      const v = fam.read(self);
      return v === v ? `${out}${name} ${formatValue(v)}\n` : out;
    }
    case 'series':
      for (const [labels, v] of fam.series(feeds, self)) out += `${name}{${labels}} ${formatValue(v)}\n`;
      return out;
  }
}

/**
 * An info family's text (feed.ts), kept with its deflated piece until a symbol or its key
 * changes (a reload): market_instrument_info is a line per symbol that each scrape built as a
 * string, encoded and deflated again; the encoding alone was ~7 ms of a gzipped scrape of 10k
 * symbols (docs/performance.md, fourteenth round).
 */
class InfoText {
  private states: SymbolState[] = [];
  private keys: string[] = [];
  /** The text, and its piece once deflated; replaced, never changed, when the text changes. */
  private piece: { readonly bytes: Buffer; deflated?: Deflated } = { bytes: EMPTY };

  constructor(private readonly fam: InfoFamily) {}

  segment(feeds: readonly FeedState[]): Segment {
    const { fam, states, keys } = this;
    let n = 0;
    let same = true;
    for (const f of feeds)
      for (const s of f.symbols.values()) {
        if (same && (states[n] !== s || keys[n] !== fam.key(s))) same = false;
        n++;
      }
    if (!same || n !== states.length || this.piece.bytes.length === 0) {
      this.states = [];
      this.keys = [];
      let text = header(fam.def);
      for (const f of feeds)
        for (const s of f.symbols.values()) {
          this.states.push(s);
          this.keys.push(fam.key(s));
          text += `${fam.def.name}{${fam.labels(s)}} 1\n`;
        }
      this.piece = { bytes: Buffer.from(text, 'utf8') };
    }
    const p = this.piece;
    return { bytes: p.bytes, deflated: p.deflated, keep: (d) => (p.deflated = d) };
  }
}
const infoTexts = new Map<InfoFamily, InfoText>();
function infoText(fam: InfoFamily): InfoText {
  let t = infoTexts.get(fam);
  if (!t) infoTexts.set(fam, (t = new InfoText(fam)));
  return t;
}

/**
 * Make every symbol's byte arena now rather than at the first scrape: at start (and after a
 * reload) the heap is small and no frame is waiting, where at the first scrape 10k symbols' 67 MB
 * of new arenas set off a full collection of a heap by then hundreds of MB large.
 */
export function prepareLines(feedMap: ReadonlyMap<string, FeedState>): void {
  let met = 0;
  for (const f of feedMap.values())
    for (const s of f.symbols.values()) {
      FULL_LANE.lines(s);
      FAST_LANE.lines(s);
      met++;
    }
  // After a reload: the lines of the symbols it removed or made afresh go now, not at a scrape.
  for (const lane of [FULL_LANE, FAST_LANE]) lane.linesOf.prune(feedMap.values(), met);
}

/**
 * A segment's text: every symbol's lines of a family or half of one (symbol-lines.ts), after the
 * family's header if it is the first; or an info family's. `deflated`: the same, kept deflated;
 * `keep`: where a piece deflated from `bytes` is kept.
 */
interface Segment {
  readonly bytes: Buffer;
  readonly deflated: Deflated | undefined;
  keep(d: Deflated): void;
}
type Piece = Buffer | Segment;

/** The chunks of a render: what renderMarketChunks gives. */
function* chunked(pieces: Iterable<Piece>): Generator<Buffer, void, undefined> {
  for (const p of pieces) {
    if (p instanceof Uint8Array) yield p;
    else for (let pos = 0; pos < p.bytes.length; pos += CHUNK) yield p.bytes.subarray(pos, Math.min(p.bytes.length, pos + CHUNK));
  }
}

/**
 * The bytes of every market_* family, in pieces of about 64 kB. The per-symbol families are made
 * in two passes over the symbols: the first reads each symbol once and brings its lines up to
 * date, adding up each family's size; the second copies every symbol's lines into one buffer of
 * exactly that size, into each family's region. Both walk symbol by symbol, while a symbol's
 * bytes are in the CPU cache (walking 10k symbols once per family was twice as slow), and one
 * allocation per scrape instead of hundreds keeps 50 MB of short-lived buffers from triggering
 * full collections. `alloc` gives that buffer (streamMarket's is reused from scrape to scrape,
 * out-buffer.ts). Then the per-feed and process families. An empty piece is a point where the
 * caller may yield; the symbol lines must not be refreshed by anyone else until the generator is
 * done (streamMarket serialises scrapes).
 */
export function renderMarketChunks(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  alloc: (size: number) => Buffer = fresh,
  want: Selection = ALL_GROUPS,
): Generator<Buffer, void, undefined> {
  return chunked(renderPieces(feedMap, self, alloc, want, undefined));
}

/**
 * A render in pieces: the per-symbol segments, then the per-feed and process families (an info
 * family as a segment of its own, the others as bytes).
 * `gzipRun`, set for a gzipped render: a segment whose kept piece is still good is not copied (its
 * bytes are empty), and the others are copied in runs of up to `gzipRun` bytes (MIN_RUN_BYTES) or
 * 1/MAX_RUNS of the text, each over the last: the caller must be done with a piece's bytes before
 * it asks for the next piece. Unset, a plain render: every segment copied, into one buffer.
 */
function* renderPieces(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  alloc: (size: number) => Buffer,
  want: Selection,
  gzipRun: number | undefined,
): Generator<Piece, void, undefined> {
  // Two renders of one lane interleaved would rewrite each other's symbol lines between their
  // two passes: fail loudly rather than send a garbled exposition.
  const lane = laneOf(want);
  if (lane.rendering) throw new Error('another /metrics render is in progress (streamMarket waits for it)');
  lane.rendering = true;
  try {
    yield* render(feedMap, self, alloc, want, lane, gzipRun);
  } finally {
    lane.rendering = false;
  }
}

function* render(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  alloc: (size: number) => Buffer,
  want: Selection,
  lane: Lane,
  gzipRun: number | undefined,
): Generator<Piece, void, undefined> {
  const gzip = gzipRun !== undefined;
  const feeds = [...feedMap.values()];
  const now = Date.now();

  // Only the segments (families) this scrape asked for: a fast-lane scrape copies a few of them.
  const segments = segmentsOf(want);
  const lines: SymbolLines[] = [];
  // A family's header goes before its first segment.
  const heads = segments.map((g, k) => (k > 0 && SEGMENTS[segments[k - 1]!] === SEGMENTS[g] ? EMPTY : headerBytes(SEGMENTS[g]!)));
  const sizes = heads.map((h) => h.length);
  const only = segments.length === SEGMENTS.length ? undefined : segments;
  const readAll = readsAll(only);
  if (segments.length > 0) {
    const changed = new Uint8Array(SEGMENTS.length);
    const before = lane.order;
    let sameOrder = true;
    let walked = false;
    try {
      for (const f of feeds)
        for (const s of f.symbols.values()) {
          // The last walk's lines at this place, when of this symbol: at 10k symbols a lookup by
          // symbol each, cold in the CPU cache, was ~3 ms of a 1 s fast-lane scrape.
          const last = before[lines.length];
          const c = last !== undefined && last.state === s ? last : lane.lines(s);
          c.refresh(s, only, readAll, changed);
          for (let k = 0; k < segments.length; k++) sizes[k]! += c.segmentLength(segments[k]!);
          if (last !== c) sameOrder = false;
          if (lines.push(c) % RENDER_STEP === 0) yield EMPTY;
        }
      lane.linesOf.prune(feeds, lines.length);
      walked = true;
    } finally {
      // Before anything else can happen: a piece is good only for the lines it was made from.
      // A walk cut short (its consumer stopped part-way) leaves no order to compare the next
      // one with: every piece goes.
      if (walked && sameOrder && lines.length === before.length) changed.forEach((x, g) => x && (lane.deflated[g] = undefined));
      else lane.deflated.length = 0;
      lane.order = walked ? lines : [];
    }
  }
  // A kept piece stands for its segment: those are not copied.
  const copy = segments.map((g) => !gzip || lane.deflated[g] === undefined);
  const total = sizes.reduce((a, b) => a + b, 0);
  const limit = gzip ? Math.max(gzipRun, Math.ceil(total / MAX_RUNS)) : Infinity;
  const runs = runsOf(sizes, copy, limit);
  // Room for the largest run any scrape of these segments could make, not this one's: a buffer
  // sized by what changed would be re-made whenever that differs (the bars close once a minute),
  // the churn out-buffer.ts exists to avoid.
  const all = alloc(Math.min(total, Math.max(limit, ...sizes)));
  const at = new Array<number>(heads.length);
  for (const { from, to } of runs) {
    let pos = 0;
    for (let k = from; k < to; k++)
      if (copy[k]) {
        all.set(heads[k]!, pos);
        at[k] = pos + heads[k]!.length;
        pos += sizes[k]!;
      }
    if (pos > 0)
      for (let i = 0; i < lines.length; i++) {
        const c = lines[i]!;
        for (let k = from; k < to; k++) if (copy[k]) at[k] = c.copySegment(segments[k]!, all, at[k]!);
        if ((i + 1) % RENDER_STEP === 0) yield EMPTY;
      }
    // Gzipped, each piece is deflated before the generator goes on (stream), so the next run may
    // be copied over this one.
    for (let k = from; k < to; k++) {
      const g = segments[k]!;
      // A second segment with no lines (a symbol with one interval): nothing to send or deflate.
      if (sizes[k] === 0) continue;
      const bytes = copy[k] ? all.subarray(at[k]! - sizes[k]!, at[k]!) : EMPTY;
      yield { bytes, deflated: copy[k] ? undefined : lane.deflated[g], keep: (d) => (lane.deflated[g] = d) };
    }
  }

  let text = '';
  for (const fam of feedFamilies) {
    if (!want.has(scrapeGroupOf(fam.def))) continue;
    if (fam.kind !== 'info') text += feedFamily(fam, feeds, self, now);
    else {
      if (text.length > 0) yield Buffer.from(text, 'utf8');
      text = '';
      yield infoText(fam).segment(feeds);
    }
  }
  yield Buffer.from(text, 'utf8');
}

/** Bytes a lane's output buffer keeps between scrapes (out-buffer.ts); 0 before its first. */
export function keptOutputBytes(groups: Selection = ALL_GROUPS): number {
  return laneOf(groups).output.size;
}

/** Consecutive runs of segments whose copied bytes stay within `limit`; a run holds at least one segment. */
function runsOf(sizes: readonly number[], copy: readonly boolean[], limit: number): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  let from = 0;
  let bytes = 0;
  for (let k = 0; k < sizes.length; k++) {
    const n = copy[k] ? sizes[k]! : 0;
    if (k > from && bytes + n > limit) {
      runs.push({ from, to: k });
      from = k;
      bytes = 0;
    }
    bytes += n;
  }
  if (sizes.length > from) runs.push({ from, to: sizes.length });
  return runs;
}

/**
 * The text of every market_* family, in one string, synchronously (tests and tools): never while a
 * streamMarket is in progress, which it would not wait for.
 */
export function renderMarket(feedMap: ReadonlyMap<string, FeedState>, self: SelfStats): string {
  return Buffer.concat([...renderMarketChunks(feedMap, self)]).toString('utf8');
}

export interface StreamOptions {
  /** Work between two yields to the event loop, in ms (default RENDER_SLICE_MS). */
  sliceMs?: number;
  /**
   * Resolves once every chunk written has left the process (or the client is gone). The chunks
   * are views of a buffer the next scrape reuses: it is not reused before this resolves. Without
   * it, the buffer may be reused as soon as streamMarket is done: copy a chunk to keep it.
   */
  sent?: () => Promise<void>;
  /** The scrape groups to write (default: all). */
  groups?: Selection;
  /**
   * Write the families as pieces of this gzip member (gzip.ts) rather than as text; the caller
   * writes its start before and its end after.
   */
  gzip?: GzipJoin;
  /** Whether ingest has work waiting: the render then lets up to RENDER_GIVE_WAY_TURNS turns pass before its next slice. */
  backlog?: () => boolean;
  /** Gzipped, the least limit on a run of copied segments' bytes (default MIN_RUN_BYTES; tests make it small). */
  runBytes?: number;
}

/**
 * Write every market_* family through `write`, yielding to the event loop whenever `sliceMs` of
 * work has passed, so ingest never waits on a large scrape for longer than a slice. `write` may
 * return a promise (backpressure); it is awaited.
 */
export async function streamMarket(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  write: (chunk: Buffer) => void | Promise<void>,
  { sliceMs = RENDER_SLICE_MS, sent, groups = ALL_GROUPS, gzip, backlog, runBytes = MIN_RUN_BYTES }: StreamOptions = {},
): Promise<void> {
  const lane = laneOf(groups);
  const previous = lane.scrapes;
  let done!: () => void;
  lane.scrapes = new Promise<void>((resolve) => (done = resolve));
  await previous;
  let lease: Lease | undefined;
  const alloc = (size: number) => (lease = lane.output.take(size)).buf;
  try {
    await stream(feedMap, self, write, sliceMs, alloc, groups, gzip, backlog, runBytes);
  } finally {
    done();
    // The next scrape need not wait for a slow client: it gets a buffer of its own meanwhile.
    const l = lease;
    if (l && sent) void sent().then(l.release, l.release);
    else l?.release();
  }
}

/** `gzip`: the member the pieces are written for. */
async function stream(
  feedMap: ReadonlyMap<string, FeedState>,
  self: SelfStats,
  write: (chunk: Buffer) => void | Promise<void>,
  sliceMs: number,
  alloc: (size: number) => Buffer,
  groups: Selection,
  gzip: GzipJoin | undefined,
  backlog: (() => boolean) | undefined,
  runBytes: number,
): Promise<void> {
  const pieces = renderPieces(feedMap, self, alloc, groups, gzip ? runBytes : undefined);
  let sliceStart = performance.now();
  // Whether this slice may be running outside the event loop's check phase: the request, a
  // deflate done on the pool and a drained socket resume it in the poll phase, and an immediate
  // set there runs in the same turn's check phase. Its next slice would then follow at once,
  // before the turn's reads: two slices back to back, a third of the event-loop gaps over 15 ms at
  // 10k symbols (docs/performance.md, twenty-eighth round).
  let offTurn = true;
  for (const chunk of gzip ? pieces : chunked(pieces)) {
    // One piece deflated at a time, as one zlib stream would: with more at once, on two cores
    // shared with ingest and the load, more live frames waited over 100 ms (docs/performance.md,
    // twelfth round). Nothing renders this lane until the scrape is done (streamMarket), so a
    // piece made here is of its lines as they stay until then.
    let out: Buffer;
    if (!gzip) out = chunk as Buffer;
    else if (chunk instanceof Uint8Array) {
      out = chunk.length === 0 ? chunk : gzip.add(await deflatePiece(chunk));
      offTurn ||= chunk.length > 0;
    } else {
      let d = chunk.deflated;
      if (d === undefined) {
        chunk.keep((d = await deflatePiece(chunk.bytes)));
        offTurn = true;
      }
      out = gzip.add(d);
    }
    if (out.length > 0) {
      const pending = write(out);
      if (pending) {
        await pending;
        offTurn = true;
      }
    }
    if (performance.now() - sliceStart >= sliceMs) {
      await yieldToLoop();
      // From the check phase, this one waits for the next turn's: its timers and reads go first.
      if (offTurn) await yieldToLoop();
      offTurn = false;
      for (let n = 0; n < RENDER_GIVE_WAY_TURNS && backlog?.(); n++) await yieldToLoop();
      sliceStart = performance.now();
    }
  }
}
