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
