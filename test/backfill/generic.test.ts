/**
 * A generic feed's REST candles API, described in config (src/backfill/generic.ts): the URL its
 * template makes, the parse of the answers in test/fixtures/rest/generic/, and the runner against
 * two made-up vendor APIs on 127.0.0.1, one with object rows under a path and times in seconds
 * (Polygon/Finnhub-like), one answering a bare list of array rows newest first with an inclusive
 * end (exchange-like). Time is a fake clock the runner's waits advance.
 */
import { afterEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { genericRest, readGenericBackfill, type GenericBackfill } from '../../src/backfill/generic.js';
import type { ParseResult } from '../../src/backfill/rest.js';
import { Backfill } from '../../src/backfill/runner.js';
import { DEFAULT_CONNECTION, DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { createLogger } from '../../src/log.js';
import { FeedState } from '../../src/market/feed-state.js';
import { RestServer, type RestAnswer } from '../support/rest-server.js';
import { marketBar } from '../support/rest-venues.js';
import { arraysAnswer, objectsAnswer, objectsBackfill } from '../support/rest-vendor.js';

const MIN = 60_000;
const HOUR_MS = 60 * MIN;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/rest/generic/${name}.json`, import.meta.url), 'utf8');

/** A description as the config would hold it, through the same reader. */
function spec(keys: Record<string, unknown>): GenericBackfill {
  const { spec, problems } = readGenericBackfill(keys);
  assert.deepEqual(problems, []);
  return spec!;
}

/** The objects vendor (test/support/rest-vendor.ts): rows under result.bars, epoch seconds. */
const objectApi = (base: string, maxBars = 500) => spec(objectsBackfill(base, maxBars));

/** The arrays vendor: a bare list of [t, o, h, l, c, v] newest first, epoch ms. */
const arrayApi = (base: string, maxBars = 100) =>
  spec({
    url: `${base}/candles/{symbol}?interval={interval}&start={start}&end={end}&limit={limit}`,
    fields: { start: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 },
    intervals: { '1m': '1m', '5m': '5m' },
    maxBars,
    requestsPerMinute: 120,
  });

function bars(r: ParseResult) {
  assert.ok(r.ok, `expected bars, got ${JSON.stringify(r)}`);
  return r.bars;
}

describe('url: the template filled, each value URL-encoded', () => {
  test('seconds, the API\'s interval spelling, a limit up to maxBars', () => {
    const r = genericRest(objectApi('https://api.vendor.example'));
    const u = new URL(r.url('', 'AAPL', MIN, 1_700_000_040_000, 1_700_000_040_000 + 1000 * MIN, 0));
    assert.equal(u.origin + u.pathname, 'https://api.vendor.example/v1/candles');
    assert.deepEqual(Object.fromEntries(u.searchParams), { ticker: 'AAPL', res: '1', from: '1700000040', to: String(1_700_000_040 + 1000 * 60), n: '500' });
    assert.equal(new URL(r.url('', 'AAPL', 5 * MIN, 0, 10 * 5 * MIN, 0)).searchParams.get('n'), '10', 'a short range asks for its bars only');
  });
  test('a symbol with a slash or a space stays one path segment; ms by default', () => {
    const r = genericRest(arrayApi('http://127.0.0.1:1'));
    assert.equal(r.url('', 'BRK/B X', MIN, 0, 3 * MIN, 0), 'http://127.0.0.1:1/candles/BRK%2FB%20X?interval=1m&start=0&end=180000&limit=3');
  });
  test('pace and page size from the description; only the listed intervals are served', () => {
    const r = genericRest(arrayApi('http://h'));
    assert.deepEqual(r.pace, { weight: 1, budget: 120, windowMs: 60_000 });
    assert.equal(r.maxBars, 100);
    assert.equal(r.intervalCode(5 * MIN), '5m');
    assert.equal(r.intervalCode(HOUR_MS), undefined);
  });
});

describe('parse: the answer through rows and fields', () => {
  const CLOSES = [37005.5, 37015, 36985.2];
  test('object rows under a path, times in seconds', () => {
    const got = bars(genericRest(objectApi('http://h')).parse(fixture('object-rows'), MIN));
    assert.deepEqual(got.map((b) => b.close), CLOSES);
    assert.deepEqual(got[0], { start: 1_700_000_040_000, end: 1_700_000_100_000, open: 37000.1, high: 37010, low: 36990, close: 37005.5, volume: 12.345, trades: 0 });
  });
  test('a bare list of array rows, newest first and prices as strings: oldest first', () => {
    const got = bars(genericRest(arrayApi('http://h')).parse(fixture('array-rows'), MIN));
    assert.deepEqual(got.map((b) => b.close), CLOSES);
    assert.equal(got[2]!.volume, 15.5);
  });
  test('no volume field: volume 0', () => {
    const s = spec({ url: 'http://h/c?s={symbol}&i={interval}&f={start}', fields: { start: 0, open: 1, high: 2, low: 3, close: 4 }, intervals: { '1m': '1' }, maxBars: 10 });
    assert.deepEqual(bars(genericRest(s).parse(fixture('array-rows'), MIN)).map((b) => b.volume), [0, 0, 0]);
  });
  test('garbage, an error answer, a short row, a row off the bar boundary: each a reason, never a throw', () => {
    const obj = genericRest(objectApi('http://h'));
    const arr = genericRest(arrayApi('http://h'));
    const garbage = obj.parse('<html>502</html>', MIN);
    assert.ok(!garbage.ok && !garbage.inBand && garbage.error.startsWith('not JSON'), JSON.stringify(garbage));
    assert.deepEqual(obj.parse(fixture('error'), MIN), { ok: false, error: 'expected a list of rows at result.bars', inBand: false });
    assert.deepEqual(arr.parse(fixture('error'), MIN), { ok: false, error: 'expected a list of rows', inBand: false });
    assert.deepEqual(arr.parse(fixture('short-row'), MIN), { ok: false, error: 'row 1: bad price NaN', inBand: false });
    assert.deepEqual(arr.parse('[[1700000041000, 1, 1, 1, 1, 1]]', MIN), { ok: false, error: 'row 0: bar start 1700000041000 is not on a 60000ms boundary', inBand: false });
    assert.deepEqual(arr.parse('[7]', MIN), { ok: false, error: 'row 0: a row is neither a list nor a mapping', inBand: false });
  });
});

// ---- the runner against the two vendor APIs on 127.0.0.1 ----

const T0 = 1_700_000_040_000 + 30_000; // mid-minute
const quiet = createLogger({ write: () => {} });
const CFG = { intervals: [{ label: '1m', ms: MIN }], windows: [], indicators: DEFAULT_INDICATORS };
const lastClosedStart = (t: number) => Math.floor((t - 2_000) / MIN) * MIN - MIN;
const VENDORS = {
  object: { symbol: 'AAPL', make: objectApi, answer: objectsAnswer, path: '/v1/candles' },
  array: { symbol: 'BRK/B', make: arrayApi, answer: arraysAnswer, path: '/candles/BRK%2FB' },
} as const;

let servers: RestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function rig(vendor: keyof typeof VENDORS, depth: number, override?: (url: URL, n: number) => RestAnswer | undefined) {
  const v = VENDORS[vendor];
  const clock = { t: T0 };
  const server = await RestServer.start((url, n) => {
    const o = override?.(url, n);
    if (o) return o;
    assert.equal(url.pathname, v.path);
    return { body: v.answer(url, clock.t) };
  });
  servers.push(server);
  const state = new FeedState('vendor', [v.symbol], CFG, clock.t);
  const backfill = new Backfill({
    rest: genericRest(v.make(server.url)),
    baseUrl: '',
    depth,
    state,
    graceMs: () => 2_000,
    backoff: DEFAULT_CONNECTION.backoff,
    timeoutMs: 5_000,
    log: quiet,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    random: () => 0,
  });
  backfill.start();
  await backfill.idle;
  return { server, state, backfill, sym: state.symbols.get(v.symbol)! };
}

describe('the runner over a described API', () => {
  const CASES: [vendor: keyof typeof VENDORS, depth: number, requests: number][] = [
    ['object', 1200, 3],
    ['array', 250, 3],
  ];
  for (const [vendor, depth, requests] of CASES) {
    test(`${vendor} rows: ${depth} bars over ${requests} pages warm every native indicator`, async () => {
      const r = await rig(vendor, depth);
      assert.equal(r.server.requests.length, requests);
      assert.equal(r.state.backfill.bars, depth);
      assert.equal(r.state.backfill.applied, depth);
      assert.equal(r.state.backfill.state, 'done');
      assert.deepEqual(Object.values(r.state.backfill.errors), [0, 0, 0, 0, 0, 0]);
      const iv = r.sym.intervals[0]!;
      assert.deepEqual({ ...iv.lastBar!, trades: 0 }, { ...marketBar(lastClosedStart(T0), MIN), trades: 0 }, 'the last closed bucket, as the vendor sent it');
      r.sym.indicatorNames.forEach((name, i) => assert.ok(Number.isFinite(iv.values[i]), `${name} warm`));
      assert.ok(r.backfill.warm);
    });
  }

  test('garbage is malformed: counted, not retried, partial', async () => {
    const r = await rig('object', 200, () => ({ body: '<html>502 Bad Gateway</html>' }));
    assert.equal(r.state.backfill.errors.malformed, 1);
    assert.equal(r.server.requests.length, 1);
    assert.equal(r.state.backfill.state, 'partial');
  });

  test('a 200 error answer (no rows where the description says) is malformed too', async () => {
    const r = await rig('object', 200, () => ({ body: fixture('error') }));
    assert.equal(r.state.backfill.errors.malformed, 1);
    assert.equal(r.state.backfill.bars, 0);
  });

  test('429 with Retry-After: the runner\'s backoff, then the same page again', async () => {
    const r = await rig('array', 50, (_url, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: '{"error":"slow down"}' } : undefined));
    assert.equal(r.state.backfill.errors.rate_limited, 1);
    assert.equal(r.server.requests.length, 2);
    assert.equal(r.server.requests[0]!.search, r.server.requests[1]!.search);
    assert.equal(r.state.backfill.bars, 50);
  });
});
