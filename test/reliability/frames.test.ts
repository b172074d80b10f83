// Exporter-level faults in the data itself: malformed, truncated, binary and oversized frames,
// NaN/Infinity/negative prices, unknown symbols, sequence gaps/duplicates, wildly out-of-order
// timestamps. Each bad frame is counted by type and changes nothing else: no reconnect for what
// the socket layer can survive, no new series, no price from a bad frame.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { fixtureText } from '../support/venue-server.js';
import { errors, FakeVenue, feedYaml, marketSeries, reconnects, startExporter, trades, up, value, type RunningExporter } from './harness.js';
import type { Series } from '../support/scrape.js';

const SYM = { exchange: 'fake', symbol: 'AAAUSDT' };
const price = (s: Series) => value(s, 'market_price', SYM);
const totalReconnects = (s: Series) => [...s].filter(([k]) => k.startsWith('market_feed_reconnects_total{exchange="fake"')).reduce((n, [, v]) => n + v, 0);

describe('bad frames on a live feed', () => {
  let venue: FakeVenue;
  let exp: RunningExporter;

  beforeAll(async () => {
    venue = await FakeVenue.start();
    // No flow: every frame in these tests is sent on purpose, so counts are exact.
    exp = await startExporter([feedYaml(venue.url, { connection: { silenceTimeout: '1m' } })], 'intervals: [1s]\nlimits: {maxFrameBytes: 4KiB}');
    await exp.until((s) => up(s) === 1 && venue.open.some((c) => c.streams.size === 2), 'the feed up and subscribed');
    venue.trade('AAAUSDT', { price: '100.5' });
    await exp.until((s) => price(s) === 100.5, 'a first price');
  });
  afterAll(async () => {
    await exp.stop();
    await venue.close();
  });

  /** Send `frames`, then a good trade at `marker`, and return the scrape that shows the marker applied. */
  async function sendThenMark(frames: (string | Buffer)[], marker: string): Promise<Series> {
    for (const f of frames) venue.send(f);
    venue.trade('AAAUSDT', { price: marker });
    return exp.until((s) => price(s) === Number(marker) && s, `the marker trade at ${marker}`);
  }

  const TRADE = (over: Parameters<FakeVenue['tradeFrame']>[1]) => venue.tradeFrame('AAAUSDT', over).text;

  const cases: [string, string, () => (string | Buffer)[], number][] = [
    ['not JSON (a proxy\'s HTML error page)', 'malformed_frame', () => ['<html><body>502 Bad Gateway</body></html>'], 1],
    ['truncated JSON (the Binance fixture)', 'malformed_frame', () => [fixtureText('binance', 'malformed-truncated')], 1],
    ['binary frames', 'malformed_frame', () => [Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]), Buffer.alloc(0)], 2],
    ['NaN price (fixture)', 'invalid_price', () => [fixtureText('binance', 'malformed-nan-price')], 1],
    ['Infinity, negative, zero and text prices', 'invalid_price', () => [TRADE({ price: '1e999' }), TRADE({ price: '-5' }), TRADE({ price: '0' }), TRADE({ price: 'Infinity' }), TRADE({ price: 'abc' })], 5],
    ['zero and NaN sizes', 'invalid_price', () => [TRADE({ qty: '0' }), TRADE({ qty: 'NaN' })], 2],
    ['a missing event time', 'invalid_timestamp', () => [fixtureText('binance', 'malformed-missing-time')], 1],
    ['valid JSON of an unknown type', 'unknown_message', () => ['{"stream":"aaausdt@kline_1m","data":{"e":"kline"}}', '[1,2,3]', 'null', '"text"'], 4],
  ];
  for (const [what, type, frames, n] of cases) {
    test(`${what}: ${n} x errors{type="${type}"}, no price from it, no reconnect`, async () => {
      const s0 = await exp.scrape();
      const marker = (101 + Math.random()).toFixed(4);
      const s1 = await sendThenMark(frames(), marker);
      assert.equal(errors(s1, type), errors(s0, type) + n);
      assert.equal(trades(s1, 'AAAUSDT'), trades(s0, 'AAAUSDT') + 1, 'only the marker trade counted');
      assert.equal(totalReconnects(s1), totalReconnects(s0), 'the connection stayed');
      assert.equal(up(s1), 1);
    });
  }

  test('a frame over limits.maxFrameBytes (4 KiB) is dropped as oversized_frame; the connection stays', async () => {
    const s0 = await exp.scrape();
    const big = TRADE({}).replace('"M":true', `"M":true,"pad":"${'x'.repeat(8 * 1024)}"`);
    const s1 = await sendThenMark([big], '102.25');
    assert.equal(errors(s1, 'oversized_frame'), errors(s0, 'oversized_frame') + 1);
    assert.equal(totalReconnects(s1), totalReconnects(s0));
  });

  test("a frame over ws's maxPayload ceiling (16 MiB) ends the connection (error), is counted, and the feed comes back", async () => {
    const s0 = await exp.scrape();
    venue.send('x'.repeat(16 * 1024 * 1024 + 1));
    const s1 = await exp.until((s) => reconnects(s, 'error') > reconnects(s0, 'error') && s, 'the reconnect');
    assert.equal(errors(s1, 'oversized_frame'), errors(s0, 'oversized_frame') + 1);
    await exp.until((s) => up(s) === 1 && venue.open.some((c) => c.streams.size === 2), 'resubscribed');
    await sendThenMark([], '102.5');
  });

  test('unknown symbols are counted and never become series, however many', async () => {
    const s0 = await exp.scrape();
    const frames = Array.from({ length: 500 }, (_, i) => venue.tradeFrame(`EVIL${i}USDT`, {}).text);
    frames.push(venue.tradeFrame('aaausdt', {}).text, venue.tradeFrame('AAAUSDT ', {}).text, venue.tradeFrame('AAAUSDT\n', {}).text);
    const s1 = await sendThenMark(frames, '102.75');
    assert.equal(errors(s1, 'unknown_symbol'), errors(s0, 'unknown_symbol') + 503);
    const symbols = new Set(marketSeries(s1).map((k) => /symbol="([^"]*)"/.exec(k)?.[1]).filter((x) => x !== undefined));
    assert.deepEqual([...symbols].sort(), ['AAAUSDT', 'BBBUSDT'], 'only configured symbols have series');
  });

  test('sequence gaps, duplicates and late ids are counted per symbol', async () => {
    const s0 = await exp.scrape();
    const seq = (s: Series, m: string) => value(s, `market_sequence_${m}_total`, SYM)!;
    const t1 = venue.trade('AAAUSDT', {});
    venue.trade('AAAUSDT', { id: t1.id + 5 }); // 4 missed
    venue.trade('AAAUSDT', { id: t1.id + 5 }); // duplicate
    venue.trade('AAAUSDT', { id: t1.id + 2 }); // late (fills part of the gap)
    const s1 = await sendThenMark([], '103');
    assert.equal(seq(s1, 'gaps'), seq(s0, 'gaps') + 1);
    assert.equal(seq(s1, 'missed'), seq(s0, 'missed') + 4);
    assert.equal(seq(s1, 'duplicates'), seq(s0, 'duplicates') + 1);
    assert.equal(seq(s1, 'out_of_order'), seq(s0, 'out_of_order') + 1);
  });

  test('a trade stamped far in the past is a late trade: bars and the last-trade time are not moved back', async () => {
    const s0 = await exp.scrape();
    const last0 = value(s0, 'market_last_trade_timestamp_seconds', SYM)!;
    venue.trade('AAAUSDT', { time: Date.UTC(1971, 0, 1) });
    const s1 = await sendThenMark([], '103.5');
    assert.ok(value(s1, 'market_last_trade_timestamp_seconds', SYM)! >= last0, 'the last-trade time never goes back');
    assert.ok(value(s1, 'market_bar_late_trades_total', SYM)! >= value(s0, 'market_bar_late_trades_total', SYM)! + 1, 'counted as late');
  });

  test(
    'a trade stamped far in the future must not freeze bars or the last-trade time',
    async () => {
      const future = Date.now() + 100 * 365 * 86_400_000;
      const s0 = await exp.scrape();
      venue.trade('AAAUSDT', { time: future });
      const s1 = await sendThenMark([], '104');
      assert.equal(errors(s1, 'invalid_timestamp'), errors(s0, 'invalid_timestamp') + 1, 'dropped and counted');
      // Bars of 1 s: within a few seconds of good trades, a bar ending near now must close.
      const s = await exp.until(
        (s) => {
          venue.trade('AAAUSDT', {});
          const end = value(s, 'market_bar_end_timestamp_seconds', { ...SYM, interval: '1s' });
          return end !== undefined && Math.abs(end - Date.now() / 1000) < 5 && s;
        },
        'a bar ending near now',
        3_000,
      );
      assert.ok(value(s, 'market_last_trade_timestamp_seconds', SYM)! < Date.now() / 1000 + 3600, 'last-trade time not in the far future');
    },
  );
});
