// A burst far beyond the ingest queue's capacity: the queue conflates per symbol instead of
// growing, every trade is still counted (trades, volume), a spike inside the burst still reaches
// the window high/low, the last price is the burst's last trade, another feed sharing the queue
// keeps exact counts, and the exporter keeps serving.
//
// The exporter applies up to a thousand events per event-loop turn as they arrive, so one trade
// per frame (Binance) rarely fills a 64-event queue; frames that carry 1 000 trades each (a
// Finnhub-style vendor through the generic adapter) fill it every time.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { fixtureJson } from '../support/venue-server.js';
import { FakeVenue, feedYaml, startExporter, trades, up, value, type RunningExporter } from './harness.js';
import type { Series } from '../support/scrape.js';

const CAPACITY = 64;
const SYMBOLS = Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(3, '0')}USDT`);
const conflated = (s: Series, exchange: string) => s.get(`market_ingest_conflated_total{exchange="${exchange}"}`) ?? NaN;
const depth = (s: Series) => s.get('market_ingest_queue_depth') ?? NaN;

type FinnhubTrade = { c: string[]; p: number; s: string; t: number; v: number };
const FINNHUB = fixtureJson<{ data: FinnhubTrade[]; type: string }>('generic', 'finnhub-trades');

/** A generic feed configured as docs/venues.md's Finnhub example. */
function vendorFeed(url: string): string {
  return [
    '  - name: vendor',
    '    venue: generic',
    `    url: ${url}/stream`,
    '    symbols: [TSLA, AAPL]',
    '    options:',
    `      subscribe: {template: '{"type":"subscribe","symbol":"{{symbol}}"}'}`,
    '      messages: data',
    '      fields: {symbol: s, price: p, size: v, time: t}',
    '      heartbeat: {path: type, value: ping}',
    '    connection: {pingInterval: 50ms, silenceTimeout: 1m, backoff: {initial: 20ms, max: 200ms, jitter: 0}}',
  ].join('\n');
}

describe('a burst far beyond the ingest queue', () => {
  let vendor: FakeVenue;
  let binance: FakeVenue;
  let exp: RunningExporter;
  beforeAll(async () => {
    vendor = await FakeVenue.start();
    binance = await FakeVenue.start();
    exp = await startExporter(
      [vendorFeed(vendor.url), feedYaml(binance.url, { symbols: SYMBOLS, streamsPerConnection: 10, connection: { silenceTimeout: '1m' } })],
      `limits: {queueCapacity: ${CAPACITY}}`,
    );
    await exp.until((s) => up(s, 'vendor') === 1 && up(s) === 1 && binance.open.filter((c) => c.streams.size === 10).length === 10, 'both feeds up, ten binance connections subscribed');
  });
  afterAll(async () => {
    await exp.stop();
    await vendor.close();
    await binance.close();
  });

  test('20 000 trades of one symbol in 20 frames: all counted, conflated, spike kept, last price wins, queue bounded', async () => {
    const labels = { exchange: 'vendor', symbol: 'TSLA' };
    const s0 = await exp.scrape();
    const n = 20_000;
    const t = Date.now();
    const price = (i: number) => (i === 7_000 ? 500 : i === 13_000 ? 1 : i === n - 1 ? 123.25 : 100 + (i % 10) / 100);
    const frames: string[] = [];
    for (let f = 0; f < n / 1000; f++) {
      const data = Array.from({ length: 1000 }, (_, k) => ({ ...FINNHUB.data[0]!, s: 'TSLA', p: price(f * 1000 + k), v: 0.5, t: t + f }));
      frames.push(JSON.stringify({ ...FINNHUB, data }));
    }
    vendor.sendBatch(frames);
    const depths: number[] = [];
    const s1 = await exp.until((s) => {
      depths.push(depth(s));
      return trades(s, 'TSLA', 'vendor') === trades(s0, 'TSLA', 'vendor') + n && s;
    }, 'every trade counted', 20_000);
    assert.ok(conflated(s1, 'vendor') > conflated(s0, 'vendor'), 'the queue was full and conflated');
    assert.equal(s1.get('market_ingest_queue_capacity'), CAPACITY);
    assert.ok(depths.every((d) => d <= CAPACITY + SYMBOLS.length + 2), `depth stayed bounded: max ${Math.max(...depths)}`);
    assert.equal(value(s1, 'market_traded_volume_total', labels), (value(s0, 'market_traded_volume_total', labels) ?? 0) + n * 0.5);
    assert.equal(value(s1, 'market_price', labels), 123.25, 'the last trade of the burst sets the price');
    assert.equal(value(s1, 'market_window_high_price', { ...labels, window: '1m' }), 500, 'the spike survived conflation');
    assert.equal(value(s1, 'market_window_low_price', { ...labels, window: '1m' }), 1, 'the dip survived conflation');
    // The vendor's pongs queue behind the burst: frames arriving must count as proof of life.
    assert.equal(s1.get('market_feed_reconnects_total{exchange="vendor",reason="ping_timeout"}'), 0, 'the burst did not look like a dead peer');
    await exp.until((s) => depth(s) === 0, 'the queue drained');
  });

  test('4 MB of frames on one connection take longer to read than three ping intervals: not a ping timeout', async () => {
    const sym = SYMBOLS[0]!;
    const s0 = await exp.scrape();
    const frames = Array.from({ length: 20_000 }, () => binance.tradeFrame(sym, {}).text);
    binance.sendBatch(frames, `${sym.toLowerCase()}@trade`);
    const s1 = await exp.until((s) => trades(s, sym) === trades(s0, sym) + frames.length && s, 'every trade counted', 20_000);
    // The venue's pong to our ping waits behind the frames; frames arriving prove it alive.
    assert.equal(s1.get('market_feed_reconnects_total{exchange="fake",reason="ping_timeout"}'), 0);
    assert.equal(value(s1, 'market_sequence_gaps_total', { exchange: 'fake', symbol: sym }), 0);
  });

  test("100 symbols x 100 trades over ten connections at once: every symbol exact, prices each symbol's last", async () => {
    const s0 = await exp.scrape();
    const frames: string[] = [];
    for (let round = 0; round < 100; round++) for (const [k, sym] of SYMBOLS.entries()) frames.push(binance.tradeFrame(sym, { price: `${k + 1}.${String(round).padStart(2, '0')}` }).text);
    // Each connection gets the frames of its own symbols, all ten at once.
    for (const c of binance.open) {
      c.socket.cork();
      for (const f of frames) if (c.streams.has(`${(JSON.parse(f) as { data: { s: string } }).data.s.toLowerCase()}@trade`)) c.ws.send(f);
      c.socket.uncork();
    }
    const s1 = await exp.until((s) => SYMBOLS.every((sym) => trades(s, sym) === trades(s0, sym) + 100) && s, 'every symbol counted', 20_000);
    for (const [k, sym] of SYMBOLS.entries()) assert.equal(value(s1, 'market_price', { exchange: 'fake', symbol: sym }), Number(`${k + 1}.99`), sym);
    assert.equal(value(s1, 'market_sequence_gaps_total', { exchange: 'fake', symbol: SYMBOLS[0]! }), 0);
    const res = await fetch(`${exp.url}/-/healthy`);
    assert.equal(res.status, 200, 'still serving');
  });
});
