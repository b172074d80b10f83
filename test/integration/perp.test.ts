/**
 * The real exporter against local servers speaking each venue's perpetual frames (Binance USD-M
 * `markPriceUpdate`, Bybit linear `tickers` snapshot then delta, OKX `mark-price` and
 * `funding-rate`), read back from /metrics: mark, index, funding rate and next funding time per
 * symbol, and what happens to them when the feed goes down.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { liveVenue } from '../support/live-venue.js';
import { fixtureJson, type VenueProtocol } from '../support/venue-server.js';

/** Binance: `{"result":null,"id":N}` acknowledges each SUBSCRIBE. */
const binance: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as { method: string; id: number };
    return req.method === 'SUBSCRIBE' ? [JSON.stringify({ result: null, id: req.id })] : [];
  },
};

/** Bybit: a pong echoing req_id, a success answer per subscribe frame. */
const bybit: VenueProtocol = {
  reply(text) {
    const req = JSON.parse(text) as { op: string; req_id?: string };
    const base = { conn_id: 'cbd5ff5e-4e0f-4d8d-93ad-9d4a7d1c0e5c', req_id: req.req_id ?? '' };
    if (req.op === 'ping') return [JSON.stringify({ success: true, ret_msg: 'pong', ...base, op: 'ping' })];
    return req.op === 'subscribe' ? [JSON.stringify({ success: true, ret_msg: '', ...base, op: 'subscribe' })] : [];
  },
};

/** OKX: text pong, an ack per argument. */
const okx: VenueProtocol = {
  reply(text) {
    if (text === 'ping') return ['pong'];
    const req = JSON.parse(text) as { id: string; op: string; args: unknown[] };
    return req.op === 'subscribe' ? req.args.map((arg) => JSON.stringify({ id: req.id, event: 'subscribe', arg, connId: 'a4d3ae55' })) : [];
  },
};

describe('binance-usdm, live: markPriceUpdate frames become the perp gauges', () => {
  const live = liveVenue(binance, { venue: 'binance-usdm', symbols: ['BTCUSDT', 'ETHUSDT'] });
  const BTC = 'exchange="binance-usdm",symbol="BTCUSDT"';

  test('subscribes markPrice@1s and aggTrade on /stream; mark, index, funding and next funding on /metrics', async () => {
    const s = await live.venue.connection(1, (t) => t.includes('SUBSCRIBE'));
    assert.equal(s.path, '/stream');
    assert.deepEqual((JSON.parse(s.messages[0]!) as { params: string[] }).params, ['btcusdt@markPrice@1s', 'btcusdt@aggTrade', 'ethusdt@markPrice@1s', 'ethusdt@aggTrade']);
    await live.feedUp('feed up');
    const frame = fixtureJson<{ stream: string; data: Record<string, unknown> }>('binance-usdm', 'mark-price-combined');
    const before = Date.now() / 1000;
    live.venue.send(JSON.stringify({ ...frame, data: { ...frame.data, E: Date.now() } }));
    const m = await live.until((x) => x.has(`market_perp_mark_price{${BTC}}`) && x, 'mark price');
    assert.equal(m.get(`market_perp_mark_price{${BTC}}`), 11794.15);
    assert.equal(m.get(`market_perp_index_price{${BTC}}`), 11784.62659091);
    assert.equal(m.get(`market_perp_funding_rate{${BTC}}`), 0.00038167);
    assert.equal(m.get(`market_perp_next_funding_timestamp_seconds{${BTC}}`), 1562306400);
    const at = m.get(`market_perp_last_update_timestamp_seconds{${BTC}}`)!;
    assert.ok(at >= before - 1 && at <= Date.now() / 1000 + 1, `last update ${at}`);
    // The symbol that sent nothing has no perp series at all, rather than zeros.
    assert.equal(m.has('market_perp_mark_price{exchange="binance-usdm",symbol="ETHUSDT"}'), false);
    assert.equal(m.get('market_feed_errors_total{exchange="binance-usdm",type="invalid_price"}'), 0);
  });

  test('a bad mark price is counted and dropped; the gauges keep the last good value', async () => {
    live.venue.send(JSON.stringify(fixtureJson('binance-usdm', 'malformed-mark-nan-price')));
    const m = await live.until((x) => x.get('market_feed_errors_total{exchange="binance-usdm",type="invalid_price"}') === 1 && x, 'drop counted');
    assert.equal(m.get(`market_perp_mark_price{${BTC}}`), 11794.15);
  });

  test('a dropped connection: the values stay where they were and their timestamp stops until a frame comes', async () => {
    const a = (await live.scrape()).get(`market_perp_last_update_timestamp_seconds{${BTC}}`);
    assert.ok(a !== undefined);
    await live.dropAndReconnect(2, (t) => t.includes('SUBSCRIBE'));
    const m = await live.scrape();
    assert.equal(m.get(`market_perp_mark_price{${BTC}}`), 11794.15);
    assert.equal(m.get(`market_perp_last_update_timestamp_seconds{${BTC}}`), a, 'no update without a frame');
  });
});

describe('bybit-linear, live: tickers snapshot then deltas', () => {
  const live = liveVenue(bybit, { venue: 'bybit-linear', path: 'v5/public/linear', symbols: ['BTCUSDT'] });
  const BTC = 'exchange="bybit-linear",symbol="BTCUSDT"';

  test('the snapshot sets all four; a delta changes only what it carries', async () => {
    await live.feedUp('feed up');
    const snap = fixtureJson<Record<string, unknown>>('bybit', 'ticker-linear-snapshot');
    live.venue.send(JSON.stringify({ ...snap, ts: Date.now() }));
    const m = await live.until((x) => x.has(`market_perp_mark_price{${BTC}}`) && x, 'snapshot');
    assert.equal(m.get(`market_perp_mark_price{${BTC}}`), 66666.6);
    assert.equal(m.get(`market_perp_index_price{${BTC}}`), 115418.19);
    assert.equal(m.get(`market_perp_funding_rate{${BTC}}`), -0.005);
    assert.equal(m.get(`market_perp_next_funding_timestamp_seconds{${BTC}}`), 1760342400);
    assert.equal(m.get(`market_price{${BTC}}`), 66666.6, 'the quote beside it still sets the last price');

    const delta = fixtureJson<Record<string, unknown>>('bybit', 'ticker-linear-delta-funding');
    live.venue.send(JSON.stringify({ ...delta, ts: Date.now() }));
    const d = await live.until((x) => x.get(`market_perp_funding_rate{${BTC}}`) === 0.0001 && x, 'delta');
    assert.equal(d.get(`market_perp_mark_price{${BTC}}`), 66650.1);
    assert.equal(d.get(`market_perp_index_price{${BTC}}`), 66655.32);
    assert.equal(d.get(`market_perp_next_funding_timestamp_seconds{${BTC}}`), 1760342400, 'not in the delta: kept');
  });
});

describe('okx, live: mark-price and funding-rate channels of a swap', () => {
  const live = liveVenue(okx, { venue: 'okx', symbols: ['BTC-USDT-SWAP'], yaml: '    channels: [mark-price, funding-rate]' });
  const BTC = 'exchange="okx",symbol="BTC-USDT-SWAP"';

  test('subscribes both channels; mark and funding arrive apart and both show', async () => {
    const s = await live.venue.connection(1, (t) => t.includes('subscribe'));
    const args = (JSON.parse(s.messages.find((t) => t.includes('subscribe'))!) as { args: unknown[] }).args;
    assert.deepEqual(args, [
      { channel: 'mark-price', instId: 'BTC-USDT-SWAP' },
      { channel: 'funding-rate', instId: 'BTC-USDT-SWAP' },
    ]);
    await live.feedUp('feed up');
    live.venue.send(JSON.stringify(fixtureJson('okx', 'mark-price')), JSON.stringify(fixtureJson('okx', 'funding-rate')));
    const m = await live.until((x) => x.has(`market_perp_funding_rate{${BTC}}`) && x.has(`market_perp_mark_price{${BTC}}`) && x, 'mark and funding');
    assert.equal(m.get(`market_perp_mark_price{${BTC}}`), 42310.6);
    assert.equal(m.get(`market_perp_funding_rate{${BTC}}`), 0.0001875391284828);
    assert.equal(m.get(`market_perp_next_funding_timestamp_seconds{${BTC}}`), 1700726400);
    assert.equal(m.has(`market_perp_index_price{${BTC}}`), false, 'OKX index is not mapped');
  });
});
