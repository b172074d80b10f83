import { test } from 'vitest';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GzipJoin } from '../../src/metrics/gzip.js';
import { RENDER_GIVE_WAY_TURNS } from '../../src/runtime/budgets.js';
import { oneMember, pieceFamily } from '../support/scrape.js';
import { keptOutputBytes, prepareLines, renderMarket, renderMarketChunks, streamMarket, type SelfStats } from '../../src/metrics/render.js';
import { FeedState } from '../../src/market/feed-state.js';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }, { label: '5m', ms: 300_000 }], windows: [{ label: '1m', ms: 60_000 }], indicators: DEFAULT_INDICATORS };
const self: SelfStats = {
  queueDepth: 0, queueCapacity: 100, loopLag: 0, loopLagMax: 0, loopUtil: 0, version: '1', nodeVersion: 'v20',
  reloadOk: 1, reloadTime: 1700000000, scrapeDuration: 0.01, logsSuppressed: {},
};
const symbols = Array.from({ length: 400 }, (_, i) => `S${i}`);

/** A seeded random stream: the same seed gives the same sequence of states. */
function seeded(seed = 7): () => number {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647) / 2147483647;
}

/** Drive a feed through `steps` rounds of trades and quotes. */
function drive(f: FeedState, from: number, steps: number, rnd = seeded()): void {
  for (let k = from; k < from + steps; k++)
    for (const s of f.symbols.values()) {
      // Sparse on purpose: some symbols change between two renders, some do not.
      if (rnd() < 0.6) s.applyTrade(100 + Math.round(rnd() * 1000) / 100, rnd(), 1_700_000_000_000 + k * 20_000);
      if (rnd() < 0.3) s.applyQuote(99 + rnd(), 101);
      if (rnd() < 0.05) s.seqCounts.gaps++;
    }
}

test('the chunks, joined, are the whole exposition; a large one comes in several', () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const chunks = [...renderMarketChunks(m, self)];
  assert.ok(chunks.length > 3, `${chunks.length} chunks`);
  assert.equal(Buffer.concat(chunks).toString(), renderMarket(m, self));
});

test('values remembered from an earlier render never go stale', () => {
  // Rendered after every step (warm caches) and only at the end (cold): the same text.
  const warm = new FeedState('sim', symbols, cfg);
  const cold = new FeedState('sim', symbols, cfg);
  const mw = new Map([['sim', warm]]);
  const rnd = seeded();
  for (let k = 0; k < 30; k += 3) {
    drive(warm, k, 3, rnd);
    renderMarket(mw, self);
  }
  drive(cold, 0, 30, seeded());
  // Stamped at construction (staleness counts from start): not what this test is about.
  cold.lastMessage = warm.lastMessage;
  assert.equal(renderMarket(mw, self), renderMarket(new Map([['sim', cold]]), self));
});

test('streamMarket writes the same text, waits on a full socket, and lets the event loop run between slices', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  let ranMeanwhile = false;
  setImmediate(() => (ranMeanwhile = true));
  const written: Buffer[] = [];
  let waits = 0;
  await streamMarket(
    m,
    self,
    (chunk) => {
      written.push(Buffer.from(chunk));
      // Every other chunk, pretend the socket is full for a moment.
      if (written.length % 2 === 0) return sleep(1).then(() => void waits++);
      return undefined;
    },
    { sliceMs: 0 },
  );
  assert.equal(Buffer.concat(written).toString(), renderMarket(m, self));
  assert.ok(waits > 0, 'backpressure promises were awaited');
  assert.ok(ranMeanwhile, 'other callbacks ran while the scrape was written');
});

/** Counts the event loop's turns: an immediate that sets itself again runs once in each check phase. */
function turnCounter(): { readonly n: number; stop(): void } {
  let n = 0;
  let running = true;
  const tick = () => {
    n++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get n() {
      return n;
    },
    stop: () => void (running = false),
  };
}

test('while ingest has work waiting, the render lets it have a few turns before each slice, and still ends', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  // Stands for ingest: work at every turn of the event loop, counted.
  const turns = turnCounter();
  /** Turns that passed between one slice's writes and the next's. */
  const gaps = async (backlog: () => boolean): Promise<number[]> => {
    const at: number[] = [];
    await streamMarket(m, self, () => void at.push(turns.n), { sliceMs: 0, backlog });
    return at.slice(1).map((t, i) => t - at[i]!).filter((d) => d > 0);
  };
  try {
    const busy = await gaps(() => true);
    const idle = await gaps(() => false);
    assert.ok(busy.length > 3 && idle.length > 3, `${busy.length} and ${idle.length} slices`);
    assert.ok(Math.min(...busy) >= 1 + RENDER_GIVE_WAY_TURNS, `backlogged: ${busy.join(' ')} turns between slices`);
    assert.ok(Math.max(...busy) <= 2 + RENDER_GIVE_WAY_TURNS, `backlogged, bounded: ${busy.join(' ')}`);
    assert.ok(Math.max(...idle) <= 2, `no backlog: ${idle.join(' ')} turns between slices`);
  } finally {
    turns.stop();
  }
});

test('a slice resumed outside the check phase (a drained socket, a deflate done) lets a whole turn pass before the next slice', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const turns = turnCounter();
  const resumed: number[] = [];
  const next: number[] = [];
  try {
    // Every write drains in the timers phase, as a socket's drain or a deflate resolves in the poll
    // phase: the slice goes on there, outside the check phase where the render's own yields land.
    await streamMarket(m, self, () => {
      next.push(turns.n);
      return new Promise<void>((r) => setTimeout(() => (resumed.push(turns.n), r()), 0));
    }, { sliceMs: 0 });
  } finally {
    turns.stop();
  }
  // The turns between a write resuming the render and its next slice's write.
  const between = resumed.slice(0, -1).map((t, i) => next[i + 1]! - t);
  assert.ok(between.length > 3, `${between.length} writes`);
  // One check phase is the turn the render resumed in; a whole turn more is the next one's.
  assert.ok(Math.min(...between) >= 2, `turns between a resumed slice and the next: ${between.join(' ')}`);
});

test('two scrapes at once: the second waits for the first, and state changing meanwhile never garbles either', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const rnd = seeded(11);
  let k = 30;
  // The market moves between every two slices of either scrape: lines the other would rewrite.
  let moving = true;
  const move = () => {
    drive(f, k++, 1, rnd);
    if (moving) setImmediate(move);
  };
  setImmediate(move);
  const into = (parts: Buffer[]) => (chunk: Buffer) => {
    parts.push(Buffer.from(chunk));
    return sleep(1);
  };
  const a: Buffer[] = [];
  const b: Buffer[] = [];
  try {
    await Promise.all([streamMarket(m, self, into(a), { sliceMs: 0 }), streamMarket(m, self, into(b), { sliceMs: 0 })]);
  } finally {
    moving = false;
  }
  for (const text of [Buffer.concat(a).toString(), Buffer.concat(b).toString()]) {
    const lines = text.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 1000);
    // Every sample sits under its own family's TYPE line, and is a whole line.
    let family = '';
    for (const l of lines) {
      const type = /^# TYPE (\S+) \S+$/.exec(l);
      if (type) family = type[1]!;
      else if (!l.startsWith('# HELP ')) {
        const m = /^([a-z_]+)(\{[^}]*\})? [-+0-9.eInfa]+$/.exec(l);
        assert.ok(m, `not a sample line: ${JSON.stringify(l)}`);
        assert.ok([family, `${family}_bucket`, `${family}_sum`, `${family}_count`].includes(m[1]!), `${m[1]} under # TYPE ${family}`);
      }
    }
  }
});

test('a render started while another is part-way fails loudly instead of garbling it', () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 3);
  const m = new Map([['sim', f]]);
  const first = renderMarketChunks(m, self);
  first.next();
  assert.throws(() => renderMarket(m, self), /another \/metrics render is in progress/);
  // Finished (or abandoned through return()), it lets the next one run.
  first.return(undefined);
  assert.ok(renderMarket(m, self).length > 0);
});

test('lines prepared at start, before any value exists, render what unprepared ones do', () => {
  const early = new FeedState('sim', symbols, cfg, 0);
  const late = new FeedState('sim', symbols, cfg, 0);
  prepareLines(new Map([['sim', early]]));
  drive(early, 0, 10);
  drive(late, 0, 10);
  assert.equal(renderMarket(new Map([['sim', early]]), self), renderMarket(new Map([['sim', late]]), self));
});

test('a scrape reuses the last one\'s buffer only once its bytes are sent, and a scrape meanwhile gets its own', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  /** A scrape whose client has not yet taken its bytes until `release` is called. */
  const scrape = async () => {
    const chunks: Buffer[] = [];
    let release!: () => void;
    const taken = new Promise<void>((r) => (release = r));
    await streamMarket(m, self, (c) => void chunks.push(c), { sliceMs: 0, sent: () => taken });
    return { chunks, release, text: () => Buffer.concat(chunks).toString() };
  };
  // The per-symbol families are one region of one buffer; the process families come apart.
  const memory = (s: { chunks: Buffer[] }) => s.chunks[0]!.buffer;
  const first = await scrape();
  const firstText = first.text();
  drive(f, 30, 5);
  const second = await scrape();
  assert.notEqual(memory(second), memory(first), 'the first scrape\'s bytes are still unsent');
  // What the first client has yet to receive is intact though the market moved and a scrape ran.
  assert.equal(first.text(), firstText);
  assert.notEqual(second.text(), firstText);
  first.release();
  second.release();
  await new Promise((r) => setImmediate(r));
  const third = await scrape();
  assert.equal(memory(third), memory(first), 'the kept buffer is lent again once its bytes are sent');
  assert.equal(third.text(), renderMarket(m, self));
  third.release();
});

test('a fast-lane scrape does not wait for a full scrape in progress, and neither garbles the other', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const fastGroups = new Set(['health', 'moves'] as const);
  // The full scrape's client takes nothing until let go: its render stays part-way.
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (letGo = resolve));
  const full: Buffer[] = [];
  let firstPiece!: () => void;
  const started = new Promise<void>((resolve) => (firstPiece = resolve));
  const fullDone = streamMarket(m, self, (chunk) => {
    full.push(Buffer.from(chunk));
    firstPiece();
    return held;
  }, { sliceMs: 0 });
  await started;
  await sleep(5);
  assert.equal(full.length, 1, 'the full scrape is held after its first piece');
  drive(f, 30, 2);
  const fast: Buffer[] = [];
  const fastDone = streamMarket(m, self, (chunk) => void fast.push(Buffer.from(chunk)), { sliceMs: 0, groups: fastGroups }).then(() => true);
  assert.ok(await Promise.race([fastDone, sleep(2000).then(() => false)]), 'the fast lane waited for the full scrape');
  letGo();
  await fullDone;
  const fastText = Buffer.concat(fast).toString();
  assert.equal(fastText, Buffer.concat([...renderMarketChunks(m, self, undefined, fastGroups)]).toString(), 'the fast lane as rendered on its own');
  assert.match(fastText, /^market_price\{exchange="sim",symbol="S0"\} /m);
  // The full scrape, read before the change, is a whole exposition: every line complete.
  const fullText = Buffer.concat(full).toString();
  assert.ok(fullText.endsWith('\n') && fullText.includes('# TYPE market_indicator gauge'));
  for (const l of fullText.split('\n')) if (l && !l.startsWith('#')) assert.match(l, /^[a-z_]+(\{[^}]*\})? [-+0-9.eInfa]+$/);
});

/** A gzipped scrape: the pieces written for the families (each deflated apart) and the text of the whole member. */
async function gzipScrape(m: Map<string, FeedState>, groups?: ReadonlySet<'health' | 'moves' | 'rest'>, runBytes?: number): Promise<{ pieces: Buffer[]; text: string }> {
  const join = new GzipJoin();
  const pieces: Buffer[] = [];
  await streamMarket(m, self, (chunk) => void pieces.push(chunk), { sliceMs: 0, gzip: join, ...(groups ? { groups } : {}), ...(runBytes ? { runBytes } : {}) });
  return { pieces, text: oneMember(Buffer.concat([join.start(), ...pieces, join.end()])) };
}

test('a gzipped scrape is one gzip member, deflated a segment at a time; a segment no symbol changed goes out as the piece made before', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const first = await gzipScrape(m);
  assert.equal(first.text, renderMarket(m, self));
  const byFamily = new Map(first.pieces.map((b) => [pieceFamily(b), b]));
  assert.ok(byFamily.has('market_indicator') && byFamily.has('market_bid_price'), [...byFamily.keys()].join(' '));
  // Quotes only: bid, ask and spread change; no bar closes, so bars and indicators do not.
  for (const s of f.symbols.values()) s.applyQuote(98 + Math.random(), 102);
  const second = await gzipScrape(m);
  assert.equal(second.text, renderMarket(m, self));
  const again = new Map(second.pieces.map((b) => [pieceFamily(b), b]));
  for (const fam of ['market_indicator', 'market_bar_close', 'market_price', 'market_instrument_info']) {
    assert.ok(byFamily.get(fam), `${fam} is a piece of its own`);
    assert.equal(again.get(fam), byFamily.get(fam), `${fam}: the same piece, not made again`);
  }
  assert.notEqual(again.get('market_bid_price'), byFamily.get('market_bid_price'), 'bid changed: its piece is made again');
  // A bar closes for every symbol: their pieces are made again, with the new values.
  drive(f, 200, 1);
  const third = await gzipScrape(m);
  assert.equal(third.text, renderMarket(m, self));
  const closes = new Map(third.pieces.map((b) => [pieceFamily(b), b])).get('market_bar_close');
  assert.ok(closes && closes !== byFamily.get('market_bar_close'), 'the bars closed: their piece is made again');
  // An instrument renamed: the info family's piece is made again, with the new name.
  f.symbols.values().next().value!.instrument = 'NEW/NAME';
  const fourth = await gzipScrape(m);
  assert.equal(fourth.text, renderMarket(m, self));
  assert.match(fourth.text, /instrument="NEW\/NAME"/);
  assert.notEqual(new Map(fourth.pieces.map((b) => [pieceFamily(b), b])).get('market_instrument_info'), byFamily.get('market_instrument_info'));
  // Every symbol trades at the start of a 5m bar, then a minute later: that closes its 1m bar
  // alone. The 1m lines' pieces are made again; the 5m lines' go out as they were.
  const t0 = 1_700_004_300_000;
  for (const s of f.symbols.values()) s.applyTrade(100, 1, t0);
  const fifth = await gzipScrape(m);
  for (const s of f.symbols.values()) s.applyTrade(101, 1, t0 + 60_000);
  const sixth = await gzipScrape(m);
  assert.equal(sixth.text, renderMarket(m, self));
  const [before, after] = [fifth, sixth].map((x) => new Map(x.pieces.map((b) => [pieceFamily(b), b])));
  for (const fam of ['market_bar_close', 'market_indicator']) {
    assert.notEqual(after!.get(fam), before!.get(fam), `${fam}: the 1m lines changed`);
    assert.ok(before!.get(`${fam} 5m`), `${fam}: the 5m lines are a piece of their own`);
    assert.equal(after!.get(`${fam} 5m`), before!.get(`${fam} 5m`), `${fam}: the 5m lines' piece goes out as it was`);
  }
});

test('kept gzip pieces never go stale: plain and gzipped scrapes of both lanes, reloads and abandoned renders, in any order', async () => {
  const rnd = seeded(5);
  // More than the renderer walks between two yields (RENDER_STEP): a render can be given up mid-walk.
  const few = symbols.slice(0, 100);
  let f = new FeedState('sim', few, cfg);
  let m = new Map([['sim', f]]);
  const lanes = [undefined, new Set(['rest'] as const), new Set(['health', 'moves'] as const), new Set(['moves'] as const)];
  let k = 0;
  for (let step = 0; step < 120; step++) {
    const r = rnd();
    if (r < 0.3) drive(f, (k += 1 + Math.floor(rnd() * 4)), 1, rnd);
    else if (r < 0.36) {
      // A reload: some symbols go, some come, the rest kept (their state with them).
      const next = new FeedState('sim', few.filter(() => rnd() < 0.8).concat(`N${step}`), cfg);
      for (const [name, s] of f.symbols) if (next.symbols.has(name)) next.symbols.set(name, s);
      f = next;
      m = new Map([['sim', f]]);
      prepareLines(m);
    } else if (r < 0.39) {
      // The config names another instrument for a symbol.
      const syms = [...f.symbols.values()];
      syms[Math.floor(rnd() * syms.length)]!.instrument = `I/${step}`;
    } else if (r < 0.45) {
      // A render given up part-way, after it changed the lines of a symbol it walks first: no
      // later render would see that change as a change.
      const first = f.symbols.values().next().value!;
      first.seqCounts.gaps++;
      first.applyQuote(90 + rnd(), 110);
      const part = renderMarketChunks(m, self, undefined, lanes[Math.floor(rnd() * lanes.length)]);
      part.next();
      part.return(undefined);
    } else {
      const groups = lanes[Math.floor(rnd() * lanes.length)];
      const plain = () => Buffer.concat([...renderMarketChunks(m, self, undefined, groups)]).toString('utf8');
      // Some gzipped scrapes copy their segments in as many runs as they may (runBytes 1).
      if (rnd() < 0.3) plain();
      else assert.equal((await gzipScrape(m, groups, rnd() < 0.5 ? 1 : undefined)).text, plain(), `step ${step}`);
    }
  }
});

test('gzipped, the segments are copied in runs, each deflated before the next is copied over it: the buffer kept is a run, not the exposition', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  const whole = Buffer.byteLength(renderMarket(m, self));
  for (let round = 0; round < 3; round++) {
    // Every family changes, so every segment is copied, over the run before it.
    drive(f, 40 + 10 * round, 3, seeded(round + 1));
    for (const s of f.symbols.values()) s.applyQuote(90 + round, 110 + round);
    const { pieces, text } = await gzipScrape(m, undefined, 1);
    assert.equal(text, renderMarket(m, self), `round ${round}`);
    assert.ok(pieces.length > 20, `${pieces.length} pieces`);
  }
  // A run is up to an eighth of the per-symbol text, or one segment (at most a family) where that
  // is more; the buffer has an eighth to spare (out-buffer.ts). One run would be the whole text.
  const largest = Math.max(...renderMarket(m, self).split(/(?=^# HELP )/m).map((fam) => Buffer.byteLength(fam)));
  const kept = keptOutputBytes();
  assert.ok(largest < whole / 2, `largest family ${largest} of ${whole} bytes`);
  assert.ok(kept > 0 && kept <= Math.ceil(1.125 * Math.max(whole / 8, largest)), `kept ${kept} bytes of a ${whole}-byte exposition (largest family ${largest})`);
  // Quotes only: three small families are copied. The buffer stays as it was, sized for the
  // scrapes that copy everything, rather than made again at each change of what changed.
  for (const s of f.symbols.values()) s.applyQuote(95, 105);
  assert.equal((await gzipScrape(m, undefined, 1)).text, renderMarket(m, self));
  assert.equal(keptOutputBytes(), kept);
});

test('a client gone during a gzipped scrape: the next scrape is whole, of the lines as they are then', async () => {
  const f = new FeedState('sim', symbols, cfg);
  drive(f, 0, 30);
  const m = new Map([['sim', f]]);
  for (let round = 0; round < 5; round++) {
    await assert.rejects(streamMarket(m, self, () => Promise.reject(new Error('client went away')), { sliceMs: 0, gzip: new GzipJoin() }), /client went away/);
    // Every family changes: a piece of the gone scrape's lines still kept would be stale.
    drive(f, 40 + 10 * round, 3, seeded(round + 1));
    for (const s of f.symbols.values()) s.applyQuote(90 + round, 110 + round);
    assert.equal((await gzipScrape(m)).text, renderMarket(m, self), `round ${round}`);
  }
});
