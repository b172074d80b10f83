// A burst far beyond the ingest queue's capacity: the queue conflates per symbol instead of
// growing, every trade is still counted (trades, volume), a spike inside the burst still reaches
// the window high/low, the last price is the burst's last trade, and the exporter keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeVenue, feedYaml, startExporter, trades, up, value, type RunningExporter } from './harness.js';
import type { Series } from '../support/scrape.js';

const CAPACITY = 64;
const SYMBOLS = Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(3, '0')}USDT`);
const conflated = (s: Series) => s.get('market_ingest_conflated_total{exchange="fake"}') ?? NaN;
const depth = (s: Series) => s.get('market_ingest_queue_depth') ?? NaN;

describe('a burst far beyond the ingest queue', () => {
  let venue: FakeVenue;
  let exp: RunningExporter;
  before(async () => {
    venue = await FakeVenue.start();
    exp = await startExporter([feedYaml(venue.url, { symbols: SYMBOLS, connection: { silenceTimeout: '1m' } })], `limits: {queueCapacity: ${CAPACITY}}`);
    await exp.until((s) => up(s) === 1 && venue.open.some((c) => c.streams.size === SYMBOLS.length), 'subscribed');
  });
  after(async () => {
    await exp.stop();
    await venue.close();
  });

  test('20 000 trades of one symbol in one write: all counted, spike kept, last price wins, queue bounded', async () => {
    const sym = SYMBOLS[0]!;
    const labels = { exchange: 'fake', symbol: sym };
    const s0 = await exp.scrape();
    const n = 20_000;
    const frames: string[] = [];
    for (let i = 0; i < n; i++) {
      const price = i === 7_000 ? '500' : i === 13_000 ? '1' : i === n - 1 ? '123.25' : (100 + (i % 10) / 100).toFixed(2);
      frames.push(venue.tradeFrame(sym, { price, qty: '0.5' }).text);
    }
    venue.sendBatch(frames);
    const depths: number[] = [];
    const s1 = await exp.until((s) => {
      depths.push(depth(s));
      return trades(s, sym) === trades(s0, sym) + n && s;
    }, 'every trade counted', 20_000);
    assert.ok(conflated(s1) > conflated(s0), 'the queue conflated instead of growing');
    assert.equal(s1.get('market_ingest_queue_capacity'), CAPACITY);
    assert.ok(depths.every((d) => d <= CAPACITY + SYMBOLS.length), `depth stayed bounded: max ${Math.max(...depths)}`);
    assert.equal(value(s1, 'market_traded_volume_total', labels), (value(s0, 'market_traded_volume_total', labels) ?? 0) + n * 0.5);
    assert.equal(value(s1, 'market_price', labels), 123.25, 'the last trade of the burst sets the price');
    assert.equal(value(s1, 'market_window_high_price', { ...labels, window: '1m' }), 500, 'the spike survived conflation');
    assert.equal(value(s1, 'market_window_low_price', { ...labels, window: '1m' }), 1, 'the dip survived conflation');
    assert.equal(value(s1, 'market_sequence_gaps_total', labels), 0);
    assert.equal(s1.get('market_ingest_dropped_total{exchange="fake"}') ?? 0, 0, 'conflated, not dropped');
    await exp.until((s) => depth(s) === 0, 'the queue drained');
  });

  test('100 symbols x 100 trades interleaved: every symbol counts exactly, prices are each symbol\'s last', async () => {
    const s0 = await exp.scrape();
    const frames: string[] = [];
    for (let round = 0; round < 100; round++) for (const [k, sym] of SYMBOLS.entries()) frames.push(venue.tradeFrame(sym, { price: `${k + 1}.${String(round).padStart(2, '0')}` }).text);
    venue.sendBatch(frames);
    const s1 = await exp.until((s) => SYMBOLS.every((sym) => trades(s, sym) === trades(s0, sym) + 100) && s, 'every symbol counted', 20_000);
    for (const [k, sym] of SYMBOLS.entries()) assert.equal(value(s1, 'market_price', { exchange: 'fake', symbol: sym }), Number(`${k + 1}.99`), sym);
    assert.ok(conflated(s1) > conflated(s0));
    const res = await fetch(`${exp.url}/-/healthy`);
    assert.equal(res.status, 200, 'still serving');
  });
});
