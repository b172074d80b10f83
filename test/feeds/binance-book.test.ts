import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { binance } from '../../src/feeds/binance.js';
import type { BookEvent } from '../../src/feeds/types.js';
import { adapterFixtures, errorCaseTests, fixtureCoverageTest, hostileFixturesTest } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('binance-book', binance);

describe('binance diff depth and REST snapshot', () => {
  test('subscribes <symbol>@depth@100ms with a SUBSCRIBE frame; sequence integrity', () => {
    assert.deepEqual(binance.book!.subscribeFrames(['BNBBTC'], 100).map((f) => JSON.parse(f)), [JSON.parse(fx.frame('depth-subscribe-request'))]);
    assert.equal(binance.book!.integrity, 'sequence');
  });

  test('the documented depthUpdate payload (raw and combined) is a book update with U and u', () => {
    assert.deepEqual(fx.one('depth-update'), { kind: 'book', symbol: 'BNBBTC', snapshot: false, bids: [0.0024, 10], asks: [0.0026, 100], firstId: 157, lastId: 160 });
    const c = fx.one('depth-update-combined-161') as BookEvent;
    assert.deepEqual([c.firstId, c.lastId, c.asks], [158, 162, [0.0027, 0]]);
    for (const n of ['depth-update-combined-163', 'depth-update-combined-gap']) assert.equal(fx.one(n).kind, 'book');
  });

  test('the documented GET /api/v3/depth body is a snapshot at lastUpdateId; the URL as documented', () => {
    const ev = binance.book!.parseSnapshot!('BNBBTC', fx.frame('depth-snapshot-rest'));
    assert.deepEqual(ev, { kind: 'book', symbol: 'BNBBTC', snapshot: true, bids: [4, 431], asks: [4.000002, 12], firstId: 1027024, lastId: 1027024 });
    assert.equal((binance.book!.parseSnapshot!('BNBBTC', fx.frame('depth-snapshot-160')) as BookEvent).lastId, 160);
    assert.equal(binance.book!.snapshotUrl!('https://api.binance.com/', 'BNBBTC', 100), 'https://api.binance.com/api/v3/depth?symbol=BNBBTC&limit=100');
    assert.equal(binance.book!.parseSnapshot!('BNBBTC', '{"code":-1121,"msg":"Invalid symbol."}').kind, 'error');
    assert.equal(binance.book!.parseSnapshot!('BNBBTC', 'not json').kind, 'error');
  });

  errorCaseTests(fx, [
    ['malformed-depth-missing-ids', 'malformed_frame'],
    ['malformed-depth-bad-level', 'invalid_price'],
  ]);
  hostileFixturesTest(fx);
});

fixtureCoverageTest(fx);
