/**
 * Each symbol's exposition lines, kept as bytes between scrapes.
 *
 * At 10k symbols /metrics is ~530k series and ~50 MB. Building that as strings costs ~1 µs a line
 * even when no value changed (template literals, then flattening and UTF-8 encoding 50 MB), so a
 * scrape took 700 ms of CPU with every value cached. Here each symbol keeps one byte arena holding
 * its lines, grouped by family (a "segment" per family, since the text format wants a family's
 * lines together). A scrape compares each series' number with the one its bytes were made from;
 * an unchanged segment is copied out as is, a changed value is overwritten in place (the rest of
 * its segment moved over if its printed length changed), and only a segment whose shape changed
 * (a series appeared or vanished) is written again from its pieces.
 *
 * Memory: each line reserves room for the longest printed number, ~100 bytes a series (~5 kB a
 * symbol with the default config), outside the JS heap so the collector never walks it.
 */
import type { SymbolState } from '../market/symbol.js';
import { scrapeGroupOf, type MetricDef } from './catalog.js';
import { BAR_FAMILIES, INDICATOR_FAMILIES, SYMBOL_FAMILIES, WINDOW_FAMILIES } from './families/symbol.js';
import { escapeLabelValue } from './text.js';
import { MAX_VALUE_BYTES, writeValue } from './value-bytes.js';

const NEWLINE = 10;
const copyBytes = Buffer.prototype.copy;

const defs = (t: Record<string, { def: MetricDef }>) => Object.values(t).map((f) => f.def);
/** One series per symbol each; readValues fills them in this order. */
const SCALARS: readonly MetricDef[] = defs(SYMBOL_FAMILIES);
/** One series per interval each, of the last closed bar: open, high, low, close, volume, end. */
const BARS: readonly MetricDef[] = defs(BAR_FAMILIES);
/** One series per window each: return, high, low. */
const WINDOWS: readonly MetricDef[] = defs(WINDOW_FAMILIES);
const INDICATOR = INDICATOR_FAMILIES.indicator.def;

/** The per-symbol families, in exposition order. */
export const FAMILIES: readonly MetricDef[] = [...SCALARS, ...BARS, ...WINDOWS, INDICATOR];

/**
 * The family of each segment: segment g of every symbol holds lines of SEGMENTS[g], and a
 * family's segments follow each other. A bar or indicator family has two: its lines of the
 * symbol's first interval, then those of the others. A close of the first interval alone (with
 * the default 1m and 5m, four closes in five) then changes only the first, and a gzipped scrape
 * deflates the other's lines no more than a family no symbol changed (render.ts): at 10k symbols
 * after a 1m close, ~19 MB of 5m lines (~1.9 kB a symbol) were deflated again for nothing.
 */
export const SEGMENTS: readonly MetricDef[] = FAMILIES.flatMap((def) => (BARS.includes(def) || def === INDICATOR ? [def, def] : [def]));

/**
 * Segments in the order they sit in a symbol's arena: the fast lane's first. A fast-lane scrape
 * (every second) touches five of 31 segments per symbol; side by side they share cache lines
 * rather than each costing a miss across a 5 kB arena.
 */
const ARENA_ORDER: readonly number[] = SEGMENTS.map((_, g) => g).sort((a, b) => rank(a) - rank(b) || a - b);
function rank(g: number): number {
  return scrapeGroupOf(SEGMENTS[g]!) === 'rest' ? 1 : 0;
}

const EVERY_SEGMENT: readonly number[] = SEGMENTS.map((_, g) => g);
/** Segments a read without bars fills: the scalars' and the windows'. */
const LIVE_SEGMENTS: readonly number[] = EVERY_SEGMENT.filter((g) => SCALARS.includes(SEGMENTS[g]!) || WINDOWS.includes(SEGMENTS[g]!));
/**
 * Segments a fast read fills: the fast lane's (every family of a scrape group other than `rest`:
 * four scalars and the windows' returns). readValues spells them out; its test checks they agree.
 */
const FAST_READ = new Set(EVERY_SEGMENT.filter((g) => scrapeGroupOf(SEGMENTS[g]!) !== 'rest'));

/**
 * Whether refreshing these segments needs every value read, or only a fast read's (readValues):
 * a fast-lane scrape needs no bar, indicator, window high and low, or scalar of the `rest` group.
 */
export function readsAll(only: readonly number[] | undefined): boolean {
  return !only || only.some((g) => !FAST_READ.has(g));
}

/**
 * The numbers read at a refresh, before they are compared with each line's: one array for every
 * symbol (a refresh is done with it before the next starts), sized for the symbol with most lines.
 */
let scratch = new Float64Array(0);
/** A changed value's text, before it is known to fit where the old one was. */
const text = new Uint8Array(MAX_VALUE_BYTES);

/** `exchange="…",symbol="…": the label text every series of the symbol starts with. */
export const symbolLabels = (s: SymbolState): string => `exchange="${escapeLabelValue(s.exchange)}",symbol="${escapeLabelValue(s.symbol)}"`;

/** How the series of symbols with one set of intervals and windows are laid out. */
interface Layout {
  /** Per line: `name{` and what follows the symbol's labels up to the value (`,interval="1m"} `). */
  readonly heads: readonly Buffer[];
  readonly tails: readonly Buffer[];
  /** Lines of segment g are firstLine[g] .. firstLine[g + 1] - 1. */
  readonly firstLine: Uint32Array;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const pieces = new Map<string, Buffer>();
/** Heads and tails are shared by every symbol: one Buffer per distinct text. */
const piece = (s: string): Buffer => {
  let b = pieces.get(s);
  if (!b) pieces.set(s, (b = bytes(s)));
  return b;
};

const layouts = new Map<string, Layout>();

function layoutOf(s: SymbolState): Layout {
  const ivs = s.intervals.map((iv) => iv.label);
  const wins = s.windows.map((w) => w.label);
  const names = s.indicatorNames;
  const key = `${ivs.join(',')}|${wins.join(',')}|${names.join(',')}`;
  let l = layouts.get(key);
  if (l) return l;
  const heads: Buffer[] = [];
  const tails: Buffer[] = [];
  const firstLine = new Uint32Array(SEGMENTS.length + 1);
  let g = 0;
  const add = (def: MetricDef, tail: string) => {
    heads.push(piece(`${def.name}{`));
    tails.push(piece(`${tail}} `));
  };
  const segment = (fill: () => void) => {
    firstLine[g] = heads.length;
    fill();
    firstLine[++g] = heads.length;
  };
  // In the order readValues reads: a family's two segments split its lines, in interval order.
  const split = (fill: (ivs: readonly string[]) => void) => {
    segment(() => fill(ivs.slice(0, 1)));
    segment(() => fill(ivs.slice(1)));
  };
  for (const def of SCALARS) segment(() => add(def, ''));
  for (const def of BARS) split((some) => some.forEach((iv) => add(def, `,interval="${iv}"`)));
  for (const def of WINDOWS) segment(() => wins.forEach((w) => add(def, `,window="${w}"`)));
  split((some) => some.forEach((iv) => names.forEach((n) => add(INDICATOR, `,interval="${iv}",indicator="${n}"`))));
  l = { heads, tails, firstLine };
  layouts.set(key, l);
  return l;
}

/**
 * Every series' number for one symbol, in layout order (NaN: the series is not exported). The
 * readers of src/metrics/families/symbol.ts spelled out field by field: calling them through the
 * table made this most of a scrape's cost. test/metrics/families.test.ts checks the two agree.
 * `all` false: a fast read (readsAll), of the fast lane's scalars and the windows' returns (the
 * FAST_READ segments). `bars` false: no bar or indicator. What the scratch array holds where a
 * read leaves out is not of this symbol, and no refresh reads it.
 */
export function readValues(s: SymbolState, v: Float64Array, all = true, bars = all): void {
  const q = s.seqCounts;
  // The fast lane's scalars first. The fast lane reads 10k symbols every second, cold in the CPU
  // cache, and each double field of the state is a box of its own to fetch: it reads no other.
  v[0] = s.price;
  v[8] = s.lastUpdate / 1000;
  v[9] = q.gaps;
  v[10] = q.missed;
  if (all) {
    v[1] = s.bid;
    v[2] = s.ask;
    v[3] = s.ask - s.bid;
    v[4] = s.volume;
    v[5] = s.trades;
    v[6] = s.lastTradeTime / 1000;
    v[7] = s.lateTrades;
    v[11] = q.duplicates;
    v[12] = q.outOfOrder;
  }
  let k = SCALARS.length;
  const ivs = s.intervals;
  const n = ivs.length;
  if (bars)
    for (let i = 0; i < n; i++) {
      const b = ivs[i]!.lastBar;
      const at = k + i;
      if (b === undefined) for (let f = 0; f < BARS.length; f++) v[at + f * n] = NaN;
      else {
        v[at] = b.open;
        v[at + n] = b.high;
        v[at + 2 * n] = b.low;
        v[at + 3 * n] = b.close;
        v[at + 4 * n] = b.volume;
        v[at + 5 * n] = b.end / 1000;
      }
    }
  k += BARS.length * n;
  const ws = s.windows;
  const m = ws.length;
  if (!all) {
    for (let i = 0; i < m; i++) v[k + i] = ws[i]!.window.returnRatio();
    return;
  }
  for (let i = 0; i < m; i++) {
    const st = ws[i]!.window.stats();
    v[k + i] = st === undefined ? NaN : st.returnRatio;
    v[k + m + i] = st === undefined ? NaN : st.high;
    v[k + 2 * m + i] = st === undefined ? NaN : st.low;
  }
  if (!bars) return;
  k += WINDOWS.length * m;
  for (let i = 0; i < n; i++) {
    const values = ivs[i]!.values;
    v.set(values, k);
    k += values.length;
  }
}

/** Same number, or both unset. */
const same = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

export class SymbolLines {
  /** The symbol these lines are of. */
  readonly state: SymbolState;
  /** The symbol's `barChanges` when a refresh of every segment last read its bars. */
  private barsSeen = -1;
  private readonly layout: Layout;
  private readonly labels: Buffer;
  private readonly arena: Uint8Array;
  /** The number each line's bytes were made from; NaN: the line is absent. */
  private readonly vals: Float64Array;
  private readonly valueAt: Uint32Array;
  private readonly valueLen: Uint8Array;
  private readonly segAt: Uint32Array;
  private readonly segLen: Uint32Array;
  /**
   * `segments`: only these segments get room in the arena (a fast-lane cache holds five of 31);
   * refresh and copy then only ever name those.
   */
  constructor(s: SymbolState, segments: readonly number[] = ARENA_ORDER) {
    this.state = s;
    this.layout = layoutOf(s);
    this.labels = bytes(symbolLabels(s));
    const { heads, tails, firstLine } = this.layout;
    const n = heads.length;
    const wanted = new Set(segments);
    const segAt = new Uint32Array(SEGMENTS.length);
    let size = 0;
    for (const g of ARENA_ORDER) {
      if (!wanted.has(g)) continue;
      segAt[g] = size;
      for (let k = firstLine[g]!; k < firstLine[g + 1]!; k++)
        size += heads[k]!.length + this.labels.length + tails[k]!.length + MAX_VALUE_BYTES + 1;
    }
    // Every array of the instance is a view of one ArrayBuffer of its own: each ArrayBuffer is
    // ~100 bytes of JS heap besides its bytes, and six of them for each of two lanes were 120k
    // objects at 10k symbols for the collector to walk. Its own, not a slice of Node's shared
    // pool (which would pin a whole 8 kB slab); Float64s first, so every view is aligned.
    const segs = SEGMENTS.length;
    const mem = new ArrayBuffer(8 * n + 4 * n + 8 * segs + n + size);
    this.vals = new Float64Array(mem, 0, n).fill(NaN);
    this.valueAt = new Uint32Array(mem, 8 * n, n);
    this.segAt = new Uint32Array(mem, 12 * n, segs);
    this.segAt.set(segAt);
    this.segLen = new Uint32Array(mem, 12 * n + 4 * segs, segs);
    this.valueLen = new Uint8Array(mem, 12 * n + 8 * segs, n);
    // A plain Uint8Array, so subarray() skips Buffer's species lookup.
    this.arena = new Uint8Array(mem, 13 * n + 8 * segs, size);
    if (scratch.length < n) scratch = new Float64Array(n);
  }

  /**
   * Read the symbol's numbers now and bring the segments' bytes up to date with them: every
   * segment, or only those in `only` (a fast-lane scrape: the others wait for the full scrape,
   * each segment being up to date on its own). `changed[g]` is set to 1 for every segment whose
   * bytes it changed (and left alone for the others): what a compressed copy of the segment
   * must be made again for (render.ts).
   */
  refresh(s: SymbolState, only?: readonly number[], all = readsAll(only), changed?: Uint8Array): void {
    const v = scratch;
    // A symbol's bars and indicators change only when its bars close: between closes, a refresh
    // of every segment leaves theirs as they are, most of its lines, unread. Only such a refresh
    // says what it saw: one of some segments may have left them behind. A fast read (the fast
    // lane's, every second) needs no bar: reading them was two objects more per interval to
    // fetch, cold in the CPU cache, for numbers no segment it writes holds.
    const bars = only !== undefined ? all : s.barChanges !== this.barsSeen;
    readValues(s, v, all, bars);
    const segments = only ?? (bars ? EVERY_SEGMENT : LIVE_SEGMENTS);
    if (only === undefined) this.barsSeen = s.barChanges;
    const first = this.layout.firstLine;
    for (let i = 0; i < segments.length; i++) {
      const g = segments[i]!;
      let rewrite = false;
      let wrote = false;
      for (let k = first[g]!; k < first[g + 1]!; k++) {
        const a = v[k]!;
        const b = this.vals[k]!;
        if (same(a, b)) continue;
        if (a !== a || b !== b) {
          rewrite = true;
          break;
        }
        const len = writeValue(text, 0, a);
        const at = this.valueAt[k]!;
        const was = this.valueLen[k]!;
        // A new length: the rest of the segment moves over by the difference (the segment has room
        // for every value at its longest), rather than every line of it being written again.
        if (len !== was) this.resize(g, k, at + was, len - was);
        for (let i = 0; i < len; i++) this.arena[at + i] = text[i]!;
        this.vals[k] = a;
        wrote = true;
      }
      if (rewrite) this.rewrite(g, v);
      if ((rewrite || wrote) && changed) changed[g] = 1;
    }
  }

  /** Segment g's length in bytes. */
  segmentLength(g: number): number {
    return this.segLen[g]!;
  }

  /** Copy segment g into `out` at `pos`; returns the position after it. */
  copySegment(g: number, out: Uint8Array, pos: number): number {
    const at = this.segAt[g]!;
    // ~230k of these per scrape at 10k symbols, most of one or two lines. Buffer#copy borrowed for
    // the plain Uint8Array arena: a native copy with no view allocated per call. Measured on 50k
    // copies of ~95 bytes (Node 22 / 24): 2-4 times faster than a byte loop, and a subarray() for
    // set() is an allocation each (a scrape's worth kept the collector busy).
    return pos + copyBytes.call(this.arena, out, pos, at, at + this.segLen[g]!);
  }

  /** Line k of segment g's value grows by `by` bytes (or shrinks): what follows it, from `from`, moves. */
  private resize(g: number, k: number, from: number, by: number): void {
    this.arena.copyWithin(from + by, from, this.segAt[g]! + this.segLen[g]!);
    for (let j = k + 1; j < this.layout.firstLine[g + 1]!; j++) this.valueAt[j] = this.valueAt[j]! + by;
    this.valueLen[k] = this.valueLen[k]! + by;
    this.segLen[g] = this.segLen[g]! + by;
  }

  /** Write segment g again from its pieces: its lines' presence changed. */
  private rewrite(g: number, v: Float64Array): void {
    const { heads, tails, firstLine } = this.layout;
    const a = this.arena;
    let pos = this.segAt[g]!;
    for (let k = firstLine[g]!; k < firstLine[g + 1]!; k++) {
      const x = v[k]!;
      this.vals[k] = x;
      if (x !== x) continue;
      pos = put(a, pos, heads[k]!);
      pos = put(a, pos, this.labels);
      pos = put(a, pos, tails[k]!);
      this.valueAt[k] = pos;
      const end = writeValue(a, pos, x);
      this.valueLen[k] = end - pos;
      pos = end;
      a[pos++] = NEWLINE;
    }
    this.segLen[g] = pos - this.segAt[g]!;
  }
}

/** TypedArray#set: Buffer#copy costs several times more per call for a few dozen bytes. */
function put(buf: Uint8Array, pos: number, src: Uint8Array): number {
  buf.set(src, pos);
  return pos + src.length;
}
