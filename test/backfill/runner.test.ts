/**
 * The backfill runner against each venue's REST API served by a local HTTP server on 127.0.0.1
 * (the documented answer shapes, test/support/rest-venues.ts): pages, rate-limit answers with
 * Retry-After, bans, garbage, and the gap after a reconnect. Time is a fake clock that the
 * runner's waits advance, so nothing here waits for real.
 */
import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { REST_VENUES } from '../../src/backfill/index.js';
import { Backfill, IN_FLIGHT, MAX_ATTEMPTS } from '../../src/backfill/runner.js';
import { MAX_BODY_BYTES } from '../../src/feeds/rest-get.js';
import { DEFAULT_CONNECTION, DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { createLogger } from '../../src/log.js';
import { FeedState } from '../../src/market/feed-state.js';
import { RestServer, type RestAnswer } from '../support/rest-server.js';
import { marketBar, VENUE_HISTORY } from '../support/rest-venues.js';

const MIN = 60_000;
const T0 = 1_700_000_040_000 + 30_000; // mid-minute
const quiet = createLogger({ write: () => {} });
const CFG = { intervals: [{ label: '1m', ms: MIN }], windows: [], indicators: DEFAULT_INDICATORS };
const SYMBOL: Record<string, string> = { binance: 'BTCUSDT', coinbase: 'BTC-USD', kraken: 'BTC/USD', okx: 'BTC-USDT', bybit: 'BTCUSDT' };

let servers: RestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

interface Rig {
  server: RestServer;
  state: FeedState;
  backfill: Backfill;
  clock: { t: number };
  sleeps: number[];
}

/** A venue's REST server (answers overridable per request number) and a runner for one feed. */
async function rig(venue: string, opts: { depth?: number; symbols?: string[]; override?: (url: URL, n: number) => RestAnswer | undefined } = {}): Promise<Rig> {
  const clock = { t: T0 };
  const sleeps: number[] = [];
  const history = VENUE_HISTORY[venue.replace('-linear', '')]!;
  const server = await RestServer.start((url, n) => {
    const o = opts.override?.(url, n);
    if (o) return o;
    assert.ok(url.pathname.startsWith(history.path), `unexpected path ${url.pathname}`);
    return { body: history.answer(url, clock.t) };
  });
  servers.push(server);
  const state = new FeedState(venue, opts.symbols ?? [SYMBOL[venue]!], CFG, clock.t);
  const backfill = new Backfill({
    rest: REST_VENUES[venue]!,
    baseUrl: server.url,
    depth: opts.depth ?? 200,
    state,
    graceMs: () => 2_000,
    backoff: DEFAULT_CONNECTION.backoff,
    timeoutMs: 5_000,
    log: quiet,
    now: () => clock.t,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    random: () => 0,
  });
  return { server, state, backfill, clock, sleeps };
}

async function run(r: Rig): Promise<void> {
  r.backfill.start();
  await r.backfill.idle;
}

const lastClosedStart = (t: number) => Math.floor((t - 2_000) / MIN) * MIN - MIN;

describe('start: each venue, over pages, warms every native indicator', () => {
  // Depths past each venue's page size, so every venue pages (Kraken serves 720 at most, in one).
  const CASES: [venue: string, depth: number, pages: number][] = [
    ['binance', 1200, 2],
    ['coinbase', 350, 2],
    ['kraken', 800, 1],
    ['okx', 250, 3],
    ['bybit', 1200, 2],
    ['bybit-linear', 300, 1],
  ];
  for (const [venue, depth, pages] of CASES) {
    test(`${venue}: ${depth} bars in ${pages} request(s)`, async () => {
      const r = await rig(venue, { depth, symbols: [venue === 'bybit-linear' ? 'BTCUSDT' : SYMBOL[venue]!] });
      await run(r);
      const sym = [...r.state.symbols.values()][0]!;
      const iv = sym.intervals[0]!;
      const expected = Math.min(depth, REST_VENUES[venue]!.maxDepth ?? Infinity);
      assert.equal(r.server.requests.length, pages);
      assert.equal(r.state.backfill.bars, expected);
      assert.equal(r.state.backfill.applied, expected);
      assert.equal(r.state.backfill.state, 'done');
      assert.deepEqual(Object.values(r.state.backfill.errors), [0, 0, 0, 0, 0, 0]);
      const last = lastClosedStart(T0);
      assert.deepEqual({ ...iv.lastBar!, trades: 0 }, { ...marketBar(last, MIN), trades: 0 }, 'the last closed bucket, as the venue sent it');
      sym.indicatorNames.forEach((name, i) => assert.ok(Number.isFinite(iv.values[i]), `${name} warm`));
      assert.ok(r.backfill.warm);
    });
  }

  test('a bar live trades made is never replaced; bars before it are filled', async () => {
    const r = await rig('binance');
    const sym = r.state.symbols.get('BTCUSDT')!;
    // A live trade in the bucket the venue would also serve as closed (grace passed).
    const liveAt = lastClosedStart(T0) + 1_000;
    sym.applyTrade(42, 1, liveAt);
    await run(r);
    const iv = sym.intervals[0]!;
    assert.equal(iv.bars.current!.close, 42, 'the live bar is still open and live');
    assert.equal(iv.bars.current!.start, lastClosedStart(T0));
    assert.equal(iv.lastBar!.start, lastClosedStart(T0) - MIN, 'backfill stops before the live bar');
    assert.equal(r.state.backfill.bars, 200);
    assert.equal(r.state.backfill.applied, 199);
  });

  test('nothing when the indicators already have the last closed bar (start after a reload)', async () => {
    const r = await rig('binance');
    await run(r);
    r.backfill.start();
    await r.backfill.idle;
    assert.equal(r.server.requests.length, 1);
  });
});

describe('rate limits, bans and bad answers', () => {
  test('429 with Retry-After: waits at least that long, then the same page again', async () => {
    const r = await rig('binance', { override: (_u, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '7' }, body: '{"code":-1003,"msg":"Too many requests"}' } : undefined) });
    await run(r);
    assert.equal(r.state.backfill.errors.rate_limited, 1);
    assert.ok(Math.max(...r.sleeps) >= 7_000, `waited ${JSON.stringify(r.sleeps)}`);
    assert.equal(r.server.requests.length, 2);
    assert.equal(r.server.requests[1]!.search, r.server.requests[0]!.search);
    assert.equal(r.state.backfill.state, 'done');
    assert.equal(r.state.backfill.applied, 200);
  });

  test('418 (banned) without Retry-After: backs off harder than a plain error, then retries', async () => {
    const r = await rig('binance', { override: (_u, n) => (n === 1 ? { status: 418, body: '{"code":-1003,"msg":"banned"}' } : undefined) });
    await run(r);
    assert.equal(r.state.backfill.errors.rate_limited, 1);
    // Two steps up the ladder from the 500 ms initial backoff, as the sockets do.
    assert.ok(r.sleeps.includes(2_000), `waited ${JSON.stringify(r.sleeps)}`);
    assert.equal(r.state.backfill.state, 'done');
  });

  test('418 with a ban longer than the run may wait: gives up, partial, nothing asked after the ban', async () => {
    const symbols = Array.from({ length: 3 * IN_FLIGHT }, (_, i) => `S${i}USDT`);
    const r = await rig('binance', { symbols, override: () => ({ status: 418, headers: { 'retry-after': '3600' }, body: '{}' }) });
    await run(r);
    assert.ok(r.server.requests.length <= IN_FLIGHT, `only those already in flight: ${r.server.requests.length}`);
    assert.equal(r.state.backfill.state, 'partial');
    assert.equal(r.state.backfill.bars, 0);
  });

  test('garbage (not JSON) is malformed: counted, given up without retry, partial', async () => {
    const r = await rig('binance', { override: () => ({ body: '<html>502 Bad Gateway</html>' }) });
    await run(r);
    assert.equal(r.state.backfill.errors.malformed, 1);
    assert.equal(r.server.requests.length, 1);
    assert.equal(r.state.backfill.state, 'partial');
  });

  test('a 5xx is retried with backoff; a 4xx is not', async () => {
    const five = await rig('coinbase', { override: (_u, n) => (n === 1 ? { status: 503, body: '{"message":"unavailable"}' } : undefined) });
    await run(five);
    assert.equal(five.state.backfill.errors.http_5xx, 1);
    assert.equal(five.state.backfill.state, 'done');
    const four = await rig('binance', { override: () => ({ status: 400, body: '{"code":-1121,"msg":"Invalid symbol."}' }) });
    await run(four);
    assert.equal(four.state.backfill.errors.http_4xx, 1);
    assert.equal(four.server.requests.length, 1);
    assert.equal(four.state.backfill.state, 'partial');
  });

  test('in-band rate limits (OKX 50011, Bybit 10006) slow down and retry; other in-band errors do not', async () => {
    const okx = await rig('okx', { override: (_u, n) => (n === 1 ? { body: '{"msg":"Too Many Requests","code":"50011"}' } : undefined) });
    await run(okx);
    assert.equal(okx.state.backfill.errors.rate_limited, 1);
    assert.equal(okx.state.backfill.state, 'done');
    const bybit = await rig('bybit', { override: () => ({ body: '{"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1}' }) });
    await run(bybit);
    assert.equal(bybit.state.backfill.errors.venue_error, 1);
    assert.equal(bybit.server.requests.length, 1);
  });

  test('a refused connection is a network error, retried MAX_ATTEMPTS times', async () => {
    const r = await rig('kraken');
    await r.server.stop();
    servers = servers.filter((s) => s !== r.server);
    await run(r);
    assert.equal(r.state.backfill.errors.network, MAX_ATTEMPTS);
    assert.equal(r.state.backfill.state, 'partial');
  });

  test("a body over the REST client's limit is a network error, retried MAX_ATTEMPTS times, never held", async () => {
    const r = await rig('binance', { override: () => ({ body: ' '.repeat(MAX_BODY_BYTES + 1) }) });
    await run(r);
    assert.equal(r.state.backfill.errors.network, MAX_ATTEMPTS);
    assert.equal(r.state.backfill.state, 'partial');
  });

  test('a redirect is followed to the page, and a gzipped page is read as the venue sends it', async () => {
    const r = await rig('binance', {
      override: (url, n): RestAnswer => {
        if (n === 1) return { status: 307, headers: { location: `${url.pathname}${url.search}&moved=1` }, body: '' };
        const page = VENUE_HISTORY.binance!.answer(url, T0);
        return { headers: { 'content-encoding': 'gzip' }, body: gzipSync(page) };
      },
    });
    await run(r);
    assert.equal(r.state.backfill.state, 'done');
    assert.deepEqual(r.state.backfill.errors, { http_4xx: 0, http_5xx: 0, rate_limited: 0, malformed: 0, venue_error: 0, network: 0 });
    assert.equal(r.server.requests[1]!.searchParams.get('moved'), '1');
    assert.equal(r.state.backfill.bars, 200);
  });

  test('pacing: Kraken (about one call per second per IP) spaces two symbols by its budget', async () => {
    const r = await rig('kraken', { symbols: ['BTC/USD', 'ETH/USD'] });
    await run(r);
    assert.equal(r.server.requests.length, 2);
    assert.deepEqual(r.server.requests.map((u) => u.searchParams.get('pair')), ['XBTUSD', 'ETHUSD']);
    assert.ok(r.sleeps.reduce((a, b) => a + b, 0) >= 2_000, `waited ${JSON.stringify(r.sleeps)}`);
  });
});

describe('the gap after a reconnect', () => {
  test('bars closed during the hold wait; backfilled bars take the flat fills\' places; the live bar stays', async () => {
    const r = await rig('binance');
    await run(r);
    const sym = r.state.symbols.get('BTCUSDT')!;
    const iv = sym.intervals[0]!;
    const open = lastClosedStart(T0) + MIN;
    sym.applyTrade(42, 1, open + 1_000); // live, in the bucket open at start
    r.backfill.sessionEnded(['BTCUSDT']);
    assert.ok(iv.held, 'held');
    const fedBefore = iv.lastBar!.start;
    // Ten minutes away; the next trade closes the live bar and makes nine flat fills, all held.
    r.clock.t += 10 * MIN;
    sym.applyTrade(43, 1, open + 10 * MIN + 5_000);
    assert.equal(iv.held!.length, 10);
    assert.equal(iv.lastBar!.start, fedBefore, 'nothing reached the indicators during the hold');
    r.backfill.status(false);
    assert.equal(r.server.requests.length, 1, 'nothing fetched before the feed is up again');
    r.backfill.status(true);
    await r.backfill.idle;
    assert.equal(r.server.requests.length, 2);
    assert.equal(iv.held, undefined, 'released');
    assert.equal(iv.lastBar!.start, open + 9 * MIN);
    assert.deepEqual({ ...iv.lastBar!, trades: 0 }, { ...marketBar(open + 9 * MIN, MIN), trades: 0 }, 'the venue\'s bar, not a flat fill');
    assert.equal(r.state.backfill.applied, 200 + 9, 'nine fills replaced; the live bar was not');
    assert.equal(iv.bars.current!.close, 43);
  });

  test('stop releases every hold: the held bars reach the indicators as they were', async () => {
    const r = await rig('binance');
    await run(r);
    const sym = r.state.symbols.get('BTCUSDT')!;
    const iv = sym.intervals[0]!;
    const open = lastClosedStart(T0) + MIN;
    sym.applyTrade(42, 1, open + 1_000);
    r.backfill.sessionEnded(['BTCUSDT']);
    sym.applyTrade(43, 1, open + 3 * MIN + 1_000);
    await r.backfill.stop();
    assert.equal(iv.held, undefined);
    assert.equal(iv.lastBar!.start, open + 2 * MIN);
    assert.equal(iv.lastBar!.volume, 0, 'a flat fill: no backfill ran');
  });
});
