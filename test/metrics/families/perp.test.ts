import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { DEFAULT_INDICATORS } from '../../../src/config/defaults.js';
import { Ingest } from '../../../src/ingest.js';
import { createLogger } from '../../../src/log.js';
import { FeedState } from '../../../src/market/feed-state.js';
import { IngestQueue } from '../../../src/market/queue.js';
import { ADAPTERS } from '../../../src/feeds/index.js';
import { renderMarket, type SelfStats } from '../../../src/metrics/render.js';
import { parseExposition } from '../../support/scrape.js';
import { fixtureText } from '../../support/fixtures.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '5m', ms: 300_000 }], indicators: DEFAULT_INDICATORS };
const self = (basis: SelfStats['basis'] = []): SelfStats => ({
  queueDepth: 0, queueCapacity: 100, loopLag: 0, loopLagMax: 0, loopUtil: 0, version: '1', nodeVersion: 'v24.0.0',
  reloadOk: 1, reloadTime: 1, scrapeDuration: NaN, logsSuppressed: {}, basis,
});
const control = { noteAlive: () => {}, reconnect: () => {} };

/** Frames through the real ingest step into a feed's state, as a connection would hand them over. */
function ingest(f: FeedState, venue: string, ...frames: string[]): void {
  const i = new Ingest(new IngestQueue(100), createLogger({ level: 'error' }));
  for (const t of frames) i.frame(f, ADAPTERS[venue]!, control, t, 1_700_000_000_000, 0);
}

test('a mark frame sets every perp gauge of its symbol; other symbols have none', () => {
  const f = new FeedState('binance-usdm', ['BTCUSDT', 'ETHUSDT'], cfg);
  ingest(f, 'binance-usdm', fixtureText('binance-usdm', 'mark-price-combined'));
  const s = parseExposition(renderMarket(new Map([['binance-usdm', f]]), self()));
  const BTC = 'exchange="binance-usdm",symbol="BTCUSDT"';
  assert.equal(s.get(`market_perp_mark_price{${BTC}}`), 11794.15);
  assert.equal(s.get(`market_perp_index_price{${BTC}}`), 11784.62659091);
  assert.equal(s.get(`market_perp_funding_rate{${BTC}}`), 0.00038167);
  assert.equal(s.get(`market_perp_next_funding_timestamp_seconds{${BTC}}`), 1562306400);
  assert.equal(s.get(`market_perp_last_update_timestamp_seconds{${BTC}}`), 1_700_000_000);
  assert.equal(s.get(`market_symbol_last_update_timestamp_seconds{${BTC}}`), 1_700_000_000, 'a mark is market data for freshness');
  assert.equal([...s.keys()].filter((k) => k.startsWith('market_perp_') && k.includes('ETHUSDT')).length, 0);
});

test('a Bybit delta keeps the fields it does not carry; an invalid one is dropped and counted', () => {
  const f = new FeedState('bybit-linear', ['BTCUSDT'], cfg);
  ingest(f, 'bybit-linear', fixtureText('bybit', 'ticker-linear-snapshot'), fixtureText('bybit', 'ticker-linear-delta-funding'), fixtureText('bybit', 'malformed-ticker-bad-mark'));
  const p = f.symbols.get('BTCUSDT')!.perp!;
  assert.deepEqual([p.mark, p.index, p.funding, p.nextFunding], [66650.1, 66655.32, 0.0001, 1760342400000]);
  assert.equal(f.errors.invalid_price, 1);
  assert.equal(f.lag.count, 2, 'one lag observation per message: the snapshot (through its quote) and the delta');
});

test('a mark event for a symbol the config does not name makes no series (unknown_symbol)', () => {
  const f = new FeedState('binance-usdm', ['ETHUSDT'], cfg);
  ingest(f, 'binance-usdm', fixtureText('binance-usdm', 'mark-price-combined'));
  assert.equal(f.errors.unknown_symbol, 1);
  assert.ok(!renderMarket(new Map([['binance-usdm', f]]), self()).includes('market_perp_mark_price{'));
});

test('basis pairs from the config: one info series per perpetual this replica carries', () => {
  const config = parseConfig(
    [
      'feeds:',
      '  - {venue: binance-usdm, symbols: [BTCUSDT, ETHUSDT]}',
      '  - {venue: binance, symbols: [BTCUSDT, ETHUSDT]}',
      'basis:',
      '  - {perp: {feed: binance-usdm, symbol: BTCUSDT}, spot: {feed: binance, symbol: BTCUSDT}}',
      '  - {perp: {feed: binance-usdm, symbol: ETHUSDT}, spot: {feed: binance, symbol: ETHUSDT}}',
    ].join('\n'),
    'basis.yml',
  );
  assert.deepEqual(config.basis[0], { perp: { feed: 'binance-usdm', symbol: 'BTCUSDT' }, spot: { feed: 'binance', symbol: 'BTCUSDT' } });
  // This replica carries only BTCUSDT of the perpetual feed (its shard).
  const feeds = new Map([['binance-usdm', new FeedState('binance-usdm', ['BTCUSDT'], cfg)]]);
  const s = parseExposition(renderMarket(feeds, self(config.basis)));
  const info = [...s].filter(([k]) => k.startsWith('market_perp_spot_info'));
  assert.deepEqual(info, [['market_perp_spot_info{exchange="binance-usdm",symbol="BTCUSDT",spot_exchange="binance",spot_symbol="BTCUSDT"}', 1]]);
});

test('config: a perpetual feed on a spot endpoint is refused with the endpoint to use', () => {
  assert.throws(
    () => parseConfig('feeds:\n  - {venue: binance-usdm, url: "wss://stream.binance.com:9443", symbols: [BTCUSDT]}\n', 'p.yml'),
    /feeds\[0\]\.url: stream\.binance\.com is Binance spot, which has no mark price or funding; binance-usdm streams come from wss:\/\/fstream\.binance\.com\/market/,
  );
  assert.throws(
    () => parseConfig('feeds:\n  - {venue: bybit-linear, url: "wss://stream.bybit.com/v5/public/spot", symbols: [BTCUSDT]}\n', 'p.yml'),
    /feeds\[0\]\.url: \/v5\/public\/spot is not Bybit's linear category/,
  );
});
