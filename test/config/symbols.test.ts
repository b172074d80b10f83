import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';

const feed = (venue: string, symbols: string) => `feeds:\n  - venue: ${venue}\n    symbols: [${symbols}]\n`;
const problems = (text: string): string => {
  try {
    parseConfig(text, 'c.yml');
    return '';
  } catch (e) {
    return (e as Error).message;
  }
};

test('a symbol spelled for another venue is refused, naming the venue and its spelling', () => {
  assert.equal(problems(feed('kraken', 'BTC/USD, BTCUSD')), 'c.yml: feeds[0].symbols[1]: "BTCUSD" is not how kraken spells a symbol: expected one like BTC/USD');
  assert.equal(problems(feed('okx', 'BTCUSDT')), 'c.yml: feeds[0].symbols[0]: "BTCUSDT" is not how okx spells a symbol: expected one like BTC-USDT');
  assert.equal(problems(feed('coinbase', 'BTC/USD')), 'c.yml: feeds[0].symbols[0]: "BTC/USD" is not how coinbase spells a symbol: expected one like BTC-USD');
  assert.equal(problems(feed('binance', 'btcusdt')), 'c.yml: feeds[0].symbols[0]: "btcusdt" is not how binance spells a symbol: expected one like BTCUSDT');
  assert.equal(problems(feed('bybit', 'BTC-USDT-SWAP')), 'c.yml: feeds[0].symbols[0]: "BTC-USDT-SWAP" is not how bybit spells a symbol: expected one like BTCUSDT');
  assert.equal(problems(feed('binance-usdm', 'BTC-USDT-SWAP')), 'c.yml: feeds[0].symbols[0]: "BTC-USDT-SWAP" is not how binance-usdm spells a symbol: expected one like BTCUSDT');
});

test('each venue accepts the spellings it uses', () => {
  for (const [venue, symbols] of [
    ['binance', 'BTCUSDT, 1000SATSUSDT'],
    ['bybit', 'BTCUSDT'],
    ['bybit-linear', 'BTCUSDT, BTC-27DEC24'],
    ['binance-usdm', 'BTCUSDT, BTCUSDT_240628'],
    ['coinbase', 'BTC-USD, ETH-EUR'],
    ['kraken', 'BTC/USD, XBT/EUR, 1INCH/USD'],
    ['okx', 'BTC-USDT, BTC-USDT-SWAP, BTC-USD-250328'],
  ]) assert.equal(problems(feed(venue!, symbols!)), '', `${venue}: ${symbols}`);
  assert.equal(problems(`feeds:\n  - venue: generic\n    url: wss://x.example/ws\n    symbols: [BINANCE:BTCUSDT]\n    options: {}\n`).includes('spells'), false, 'generic: any spelling');
});

test('instruments: an override per symbol of the feed, spelled BASE/QUOTE[:SETTLE]', () => {
  const cfg = (inst: string) => `feeds:\n  - venue: okx\n    symbols: [BTC-USDT, BTC-USD-250328]\n    instruments: ${inst}\n`;
  assert.equal(problems(cfg('{BTC-USD-250328: "BTC/USD:BTC"}')), '');
  assert.equal(parseConfig(cfg('{BTC-USD-250328: "BTC/USD:BTC"}'), 'c.yml').feeds[0]!.instruments?.['BTC-USD-250328'], 'BTC/USD:BTC');
  assert.equal(problems(cfg('{BTC-USDT-SWAP: BTC/USDT}')), `c.yml: feeds[0].instruments.BTC-USDT-SWAP: "BTC-USDT-SWAP" is not one of this feed's symbols; did you mean 'BTC-USDT'?`);
  assert.equal(
    problems(cfg('{BTC-USDT: btc-usdt}')),
    'c.yml: feeds[0].instruments.BTC-USDT: expected an instrument like BTC/USDT (BASE/QUOTE, upper case; a derivative adds :SETTLE, as in BTC/USDT:USDT or BTC/USD:BTC-250328), got "btc-usdt"',
  );
  assert.equal(problems(cfg('[BTC/USDT]')), 'c.yml: feeds[0].instruments: expected a mapping, got a list');
});

test('assetAliases: asset code to asset code, over the built-in table', () => {
  const cfg = (aliases: string) => `assetAliases: ${aliases}\n${feed('binance', 'WBTCUSDT')}`;
  assert.deepEqual(parseConfig(cfg('{WBTC: BTC}'), 'c.yml').assetAliases, { WBTC: 'BTC' });
  assert.equal(problems(cfg('{wbtc: BTC}')), 'c.yml: assetAliases.wbtc: "wbtc" is not an asset code like BTC (upper case letters, digits or dots)');
  assert.equal(problems(cfg('{WBTC: 1}')), 'c.yml: assetAliases.WBTC: expected an asset code like BTC (upper case letters, digits or dots), got 1');
});
