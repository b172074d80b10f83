import { test } from 'vitest';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { DEFAULT_LISTEN } from '../src/config/defaults.js';
import { DEMO_FEED, DEMO_URL_UNSTARTED, demoConfig, startDemo } from '../src/demo.js';
import { ADAPTERS } from '../src/feeds/index.js';
import { createLogger } from '../src/log.js';
import { DEFAULT_SIMULATOR } from '../src/simulator/defaults.js';

test('demoConfig: one ordinary binance feed named simulator at the given url, every other key its default', () => {
  const c = demoConfig('ws://127.0.0.1:4567');
  assert.equal(c.feeds.length, 1);
  const f = c.feeds[0]!;
  assert.deepEqual(
    { name: f.name, venue: f.venue, url: f.url, symbols: f.symbols },
    { name: DEMO_FEED, venue: 'binance', url: 'ws://127.0.0.1:4567', symbols: DEFAULT_SIMULATOR.symbols },
  );
  assert.equal(DEMO_FEED, 'simulator', 'the exchange label dashboards and the compose tests read');
  assert.equal(c.listen, DEFAULT_LISTEN);
  assert.equal(c.source, undefined);
  assert.ok(Object.isFrozen(f.symbols));
  assert.equal(demoConfig().feeds[0]!.url, DEMO_URL_UNSTARTED);
});

test('startDemo: the simulator listens at the url the config names, speaks binance, and says where', async () => {
  const lines: string[] = [];
  const demo = await startDemo(createLogger({ write: (l) => lines.push(l) }));
  try {
    const url = demo.config.feeds[0]!.url!;
    assert.equal(url, demo.simulator.url);
    // test/containers/stack.ts reads the control port from this line.
    assert.ok(lines.some((l) => /msg="simulator started" url=ws:\/\/127\.0\.0\.1:\d+ symbols=5/.test(l)), lines.join('\n'));
    // What the binance adapter sends, answered with a trade the binance adapter parses.
    const adapter = ADAPTERS.binance!;
    const ws = new WebSocket(adapter.url(url, ['BTCUSDT'], ['trade']));
    const frame = await new Promise<string>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => adapter.subscribeFrames(['BTCUSDT'], ['trade']).forEach((f) => ws.send(f)));
      ws.on('message', (d: Buffer) => {
        const text = d.toString();
        if (adapter.parse(text).some((e) => e.kind === 'trade')) resolve(text);
      });
    });
    ws.close();
    assert.equal(adapter.parse(frame).find((e) => e.kind === 'trade')?.symbol, 'BTCUSDT');
  } finally {
    await demo.stop();
  }
});
