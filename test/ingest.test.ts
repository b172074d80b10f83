import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_INDICATORS } from '../src/config/defaults.js';
import { binance } from '../src/feeds/binance.js';
import type { Adapter, MarketEvent, ReconnectReason } from '../src/feeds/types.js';
import { applier, Ingest, MAX_TRADE_SIZE, type FeedControl } from '../src/ingest.js';
import { createLogger } from '../src/log.js';
import { FeedState } from '../src/market/feed-state.js';
import { IngestQueue } from '../src/market/queue.js';

const cfg = { intervals: [{ label: '1m', ms: 60_000 }], windows: [{ label: '1m', ms: 60_000 }], indicators: DEFAULT_INDICATORS };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/binance/${name}`, import.meta.url), 'utf8').trim();

function setup(adapter: Adapter = binance, capacity = 1000) {
  const lines: string[] = [];
  const queue = new IngestQueue(capacity);
  const ingest = new Ingest(queue, createLogger({ write: (l) => lines.push(l), burst: 2 }));
  const feed = new FeedState('binance', ['BTCUSDT', 'BNBUSDT'], cfg);
  const reconnects: ReconnectReason[] = [];
  let alive = 0;
  const control: FeedControl = { noteAlive: () => void alive++, reconnect: (_c, r) => void reconnects.push(r) };
  const frame = (text: string, at = 1721822400200) => ingest.frame(feed, adapter, control, text, at, 0);
  const drain = () => queue.drain(applier, 1e9);
  return { feed, frame, drain, lines, reconnects, queue, alive: () => alive };
}

test('a trade becomes price, volume, lag and a sequence position', () => {
  const { feed, frame, drain } = setup();
  frame(fixture('trade.json'));
  drain();
  const s = feed.symbols.get('BTCUSDT')!;
  assert.equal(s.price, 66123.45);
  assert.equal(s.volume, 0.0012);
  assert.equal(s.trades, 1);
  assert.equal(feed.messages, 1);
  assert.equal(feed.lag.count, 1);
  // Keyed by the trade time T (1721822400121): received at ...200 is 79 ms of lag.
  assert.ok(Math.abs(feed.lag.sum - 0.079) < 1e-9, `lag ${feed.lag.sum}`);
});

test('bad frames are counted by type, logged at a bounded rate, and never reach a gauge', () => {
  const { feed, frame, drain, lines } = setup();
  for (let i = 0; i < 50; i++) frame(fixture('malformed-not-json.json'));
  frame(fixture('malformed-nan-price.json'));
  frame(fixture('malformed-negative-price.json'));
  frame(fixture('malformed-truncated.json'));
  frame(fixture('unknown-event-kline.json'));
  drain();
  assert.equal(feed.errors.malformed_frame, 51);
  assert.equal(feed.errors.invalid_price, 2);
  assert.equal(feed.errors.unknown_message, 1);
  assert.ok(Number.isNaN(feed.symbols.get('BTCUSDT')!.price), 'no price from bad frames');
  assert.ok(lines.length <= 2 + 3, `log lines bounded by the rate limit, got ${lines.length}`);
});

test('a trade size past MAX_TRADE_SIZE is counted as invalid_price, so volume never reaches +Inf', () => {
  const { feed, frame, drain } = setup();
  const sized = (q: string) => fixture('trade.json').replace('"q":"0.00120000"', `"q":"${q}"`);
  frame(sized(String(MAX_TRADE_SIZE)));
  frame(sized('1e308'));
  frame(sized('1e308'));
  drain();
  const s = feed.symbols.get('BTCUSDT')!;
  assert.equal(feed.errors.invalid_price, 2);
  assert.equal(s.trades, 1);
  assert.equal(s.volume, MAX_TRADE_SIZE);
});

test('a symbol not in the config is counted and never becomes a series', () => {
  const { feed, frame, drain } = setup();
  const eth = fixture('trade.json').replace('"BTCUSDT"', '"ETHUSDT"');
  frame(eth);
  drain();
  assert.equal(feed.errors.unknown_symbol, 1);
  assert.equal(feed.symbols.has('ETHUSDT'), false);
  assert.equal(feed.symbols.size, 2);
});

test('trade ids drive gap, duplicate and out-of-order counters', () => {
  const { feed, frame } = setup();
  const withId = (t: number) => fixture('trade.json').replace('"t":3685421543', `"t":${t}`);
  for (const t of [100, 101, 105, 105, 103, 106]) frame(withId(t));
  const c = feed.symbols.get('BTCUSDT')!.seqCounts;
  assert.equal(c.gaps, 1);
  assert.equal(c.missed, 3);
  assert.equal(c.duplicates, 1);
  assert.equal(c.outOfOrder, 1);
});

test('bookTicker sets bid and ask; a venue shutdown notice asks for a reconnect and announces a restart', () => {
  const { feed, frame, drain, reconnects } = setup();
  frame(fixture('bookticker.json'));
  frame(fixture('server-shutdown.json'));
  drain();
  const s = feed.symbols.get('BNBUSDT')!;
  assert.equal(s.bid, 25.3519);
  assert.equal(s.ask, 25.3652);
  assert.deepEqual(reconnects, ['venue_notice']);
  assert.equal(feed.venue.state(1721822400200), 'restart_announced', 'as of the frame arrival');
});

test('an adapter that throws costs one counted frame, not the process', () => {
  const throwing: Adapter = { ...binance, parse: (): MarketEvent[] => { throw new Error('boom'); } };
  const { feed, frame } = setup(throwing);
  frame('{}');
  assert.equal(feed.errors.malformed_frame, 1);
});

test('a pong with echoed send time and venue time gives round trip and clock skew', () => {
  const pongs: Adapter = { ...binance, parse: () => [{ kind: 'pong', sentAt: 1000, serverTime: 1550 }] };
  const { feed, frame, alive } = setup(pongs);
  frame('pong', 1100);
  assert.equal(alive(), 1);
  assert.equal(feed.pingRtt, 0.1);
  assert.equal(feed.clockSkew, 0.5, 'venue stamped 1550 at our midpoint 1050');
});

test('past queue capacity a burst conflates per symbol and loses no volume', () => {
  const { feed, frame, drain, queue } = setup(binance, 10);
  let vol = 0;
  for (let i = 0; i < 500; i++) {
    frame(fixture('trade.json').replace('"t":3685421543', `"t":${i + 1}`).replace('"q":"0.00120000"', `"q":"${i + 1}"`));
    vol += i + 1;
  }
  assert.equal(feed.conflated, 490);
  assert.equal(queue.depth, 11);
  drain();
  const s = feed.symbols.get('BTCUSDT')!;
  assert.equal(s.volume, vol);
  assert.equal(s.trades, 500);
  assert.equal(s.seqCounts.gaps, 0, 'sequence is checked at arrival, so conflation makes no false gaps');
});

test('only trades and quotes refresh a connection\'s market data; acks, pongs and heartbeats do not', () => {
  const { feed, frame } = setup();
  feed.connectionsPlanned = 1;
  const t0 = feed.started;
  frame(fixture('trade.json'), t0 + 1000);
  assert.equal(feed.dataSilence(t0 + 1000), 0);
  // A subscription ack and an unparseable frame: frames, but not market data.
  frame(fixture('subscribe-result.json'), t0 + 20_000);
  frame(fixture('malformed-not-json.json'), t0 + 21_000);
  assert.equal(feed.lastMessage, t0 + 21_000, 'every frame still counts as a message');
  assert.equal(feed.dataSilence(t0 + 31_000), 30, 'silent since the trade');
});
