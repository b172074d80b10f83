import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ADAPTERS } from '../../src/feeds/index.js';
import {
  canonicalInstrument,
  DEFAULT_ASSET_ALIASES,
  instrumentOf,
  KNOWN_QUOTES,
  splitBybitLinear,
  splitConcatenated,
  splitOkx,
  splitSeparated,
} from '../../src/feeds/instrument.js';

/** The instrument a venue's adapter gives a symbol, with the built-in aliases and no override. */
const of = (venue: string, symbol: string) => instrumentOf(symbol, ADAPTERS[venue]!.instrumentOf, undefined, DEFAULT_ASSET_ALIASES);

test('one instrument across venues: five spellings, two instruments', () => {
  assert.equal(of('binance', 'BTCUSDT'), 'BTC/USDT');
  assert.equal(of('okx', 'BTC-USDT'), 'BTC/USDT');
  assert.equal(of('bybit', 'BTCUSDT'), 'BTC/USDT');
  assert.equal(of('kraken', 'XBT/USD'), 'BTC/USD');
  assert.equal(of('kraken', 'BTC/USD'), 'BTC/USD');
  assert.equal(of('coinbase', 'BTC-USD'), 'BTC/USD');
  assert.equal(of('kraken', 'XDG/EUR'), 'DOGE/EUR');
});

test('concatenated symbols take the longest known quote they end with', () => {
  assert.deepEqual(splitConcatenated('BTCFDUSD'), { base: 'BTC', quote: 'FDUSD' });
  assert.deepEqual(splitConcatenated('ETHUSDT'), { base: 'ETH', quote: 'USDT' });
  assert.deepEqual(splitConcatenated('ETHBTC'), { base: 'ETH', quote: 'BTC' });
  assert.deepEqual(splitConcatenated('1000SATSUSDT'), { base: '1000SATS', quote: 'USDT' });
  assert.deepEqual(splitConcatenated('BTCTUSD'), { base: 'BTC', quote: 'TUSD' });
  assert.equal(splitConcatenated('USDT'), undefined, 'a quote alone has no base');
  assert.equal(splitConcatenated('ABCXYZ'), undefined, 'no known quote');
  for (let i = 1; i < KNOWN_QUOTES.length; i++) assert.ok(KNOWN_QUOTES[i - 1]!.length >= KNOWN_QUOTES[i]!.length, 'longest first');
});

test('separated symbols need exactly two non-empty parts', () => {
  assert.deepEqual(splitSeparated('ETH-EUR', '-'), { base: 'ETH', quote: 'EUR' });
  assert.equal(splitSeparated('BTC-USD-X', '-'), undefined);
  assert.equal(splitSeparated('BTC-', '-'), undefined);
  assert.equal(splitSeparated('BTCUSD', '/'), undefined);
});

test('derivatives carry their settlement currency, so a perpetual is not the spot pair', () => {
  assert.deepEqual(splitOkx('BTC-USDT-SWAP'), { base: 'BTC', quote: 'USDT', settle: 'USDT' });
  assert.deepEqual(splitOkx('BTC-USD-SWAP'), { base: 'BTC', quote: 'USD', settle: 'BTC' }, 'inverse: settled in the base');
  assert.equal(splitOkx('BTC-USD-250328'), undefined, 'dated future: the config names it');
  assert.equal(splitOkx('BTC--USDT'), undefined);
  assert.equal(of('okx', 'BTC-USDT-SWAP'), 'BTC/USDT:USDT');
  assert.equal(of('bybit-linear', 'BTCUSDT'), 'BTC/USDT:USDT');
  assert.deepEqual(splitBybitLinear('BTCPERP'), { base: 'BTC', quote: 'USDC', settle: 'USDC' });
  assert.equal(splitBybitLinear('BTC-27DEC24'), undefined);
  assert.equal(splitBybitLinear('PERP'), undefined);
  assert.equal(of('binance-usdm', 'BTCUSDT'), 'BTC/USDT:USDT', 'the USD-M perpetual is not binance spot BTCUSDT');
  assert.equal(of('binance-usdm', 'ETHUSDC'), 'ETH/USDC:USDC');
  assert.equal(of('binance-usdm', 'BTCUSDT_250328'), 'BTCUSDT_250328', 'quarterly: the config names it');
});

test('aliases rename every part; an override wins; an unreadable symbol is its own instrument', () => {
  assert.equal(canonicalInstrument({ base: 'XBT', quote: 'USD', settle: 'XBT' }, DEFAULT_ASSET_ALIASES), 'BTC/USD:BTC');
  assert.equal(canonicalInstrument({ base: 'WBTC', quote: 'USDT' }, { ...DEFAULT_ASSET_ALIASES, WBTC: 'BTC' }), 'BTC/USDT');
  assert.equal(instrumentOf('BTC-USD-250328', ADAPTERS.okx!.instrumentOf, { 'BTC-USD-250328': 'BTC/USD:BTC-250328' }, {}), 'BTC/USD:BTC-250328');
  assert.equal(instrumentOf('BTCUSDT', ADAPTERS.binance!.instrumentOf, { BTCUSDT: 'BTC/USD' }, {}), 'BTC/USD');
  assert.equal(of('generic', 'NASDAQ:AAPL'), 'NASDAQ:AAPL');
  assert.equal(of('binance', 'ABCXYZ'), 'ABCXYZ');
});
