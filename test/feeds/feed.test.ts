import { test, describe, afterAll, vi } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Feed, type FeedStatus } from '../../src/feeds/feed.js';
import type { ErrorType, ReconnectReason } from '../../src/feeds/types.js';
import type { FeedConfig } from '../../src/config/types.js';
import { binance } from '../../src/feeds/binance.js';
import { createLogger } from '../../src/log.js';
import { createEchoAdapter, type EchoAdapterOptions, type EchoSubscribe } from '../support/echo-adapter.js';
import { TestWsServer, type ServerSocket } from '../support/ws-test-server.js';
import { waitFor } from '../support/wait-for.js';

const TRADE = readFileSync(new URL('../fixtures/echo/trade.json', import.meta.url), 'utf8').trim();

interface Recorder {
  statuses: FeedStatus[];
  reconnects: { reason: ReconnectReason; detail: string }[];
  frames: { text: string; conn: number }[];
  drops: ErrorType[];
  rtts: number[];
}

const live: Feed[] = [];
afterAll(async () => {
  await Promise.all(live.map((f) => f.stop()));
});

function feedConfig(url: string, over: Partial<FeedConfig> = {}): FeedConfig {
  return {
    name: 'echo-test',
    venue: 'echo',
    symbols: ['S0', 'S1', 'S2', 'S3', 'S4'],
    url,
    connection: {
      connectTimeoutMs: 2_000,
      pingIntervalMs: 0,
      maxMissedPings: 2,
      silenceTimeoutMs: 0,
      backoff: { initialMs: 10, maxMs: 100, multiplier: 2, jitter: 0, resetAfterMs: 60_000 },
    },
    options: {},
    ...over,
  };
}

function makeFeed(config: FeedConfig, adapterOpts: EchoAdapterOptions = {}): { feed: Feed; rec: Recorder } {
  const rec: Recorder = { statuses: [], reconnects: [], frames: [], drops: [], rtts: [] };
  const feed = new Feed({
    config,
    adapter: createEchoAdapter(adapterOpts),
    maxFrameBytes: 1_000,
    log: createLogger({ write: () => {} }),
    random: () => 0,
    handlers: {
      onFrame: (text, _at, conn) => rec.frames.push({ text, conn }),
      onStatus: (s) => rec.statuses.push(s),
      onReconnect: (reason, detail) => rec.reconnects.push({ reason, detail }),
      onDrop: (type) => rec.drops.push(type),
      onPingRtt: (rtt) => rec.rtts.push(rtt),
    },
  });
  live.push(feed);
  return { feed, rec };
}

const subscribeOf = (s: ServerSocket | undefined): EchoSubscribe | undefined =>
  s?.messages[0] === undefined ? undefined : (JSON.parse(s.messages[0]) as EchoSubscribe);

/** The newest server socket that carries `symbol`. */
const socketFor = (server: TestWsServer, symbol: string): ServerSocket | undefined =>
  server.sockets.filter((s) => subscribeOf(s)?.symbols.includes(symbol)).pop();

describe('Feed', () => {
  test('plans connections under min(venue, config) streams limit and subscribes each group', async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url, { streamsPerConnection: 2 }), {
      limits: { streamsPerConnection: 4 },
    });
    try {
      assert.deepEqual(feed.status(), {
        connectionsOpen: 0,
        connectionsPlanned: 3,
        streams: 5,
        streamsMaxPerConnection: 2,
        streamsLimit: 2,
        up: false,
      });
      assert.equal(feed.everConnected, false);
      feed.start();
      await waitFor(() => feed.status().up, 'all connections up');
      assert.equal(feed.everConnected, true);
      await waitFor(() => server.sockets.every((s) => s.messages.length === 1) && server.sockets.length === 3, 'subscribes');
      const groups = server.sockets.map((s) => subscribeOf(s)?.symbols.join(',')).sort();
      assert.deepEqual(groups, ['S0,S1', 'S2,S3', 'S4']);
      // The adapter put each group's symbols in the URL built on the configured base.
      assert.deepEqual(server.sockets.map((s) => decodeURIComponent(s.path)).sort(), [
        '/?symbols=S0,S1',
        '/?symbols=S2,S3',
        '/?symbols=S4',
      ]);
      assert.equal(rec.statuses.at(-1)?.connectionsOpen, 3);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('configured channels override the defaults and count as streams', async () => {
    const server = await TestWsServer.start();
    const { feed } = makeFeed(feedConfig(server.url, { symbols: ['A', 'B', 'C'], channels: ['trade', 'quote'] }), {
      limits: { streamsPerConnection: 4 },
    });
    try {
      assert.deepEqual(
        { planned: feed.status().connectionsPlanned, streams: feed.status().streams, max: feed.status().streamsMaxPerConnection },
        { planned: 2, streams: 6, max: 4 },
      );
      feed.start();
      await waitFor(() => server.sockets.length === 2 && server.sockets.every((s) => s.messages.length === 1), 'subscribes');
      assert.ok(server.sockets.every((s) => subscribeOf(s)?.channels.join(',') === 'trade,quote'));
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('up goes true → false → true when one connection is lost and comes back', async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url), { limits: { streamsPerConnection: 2 } });
    try {
      feed.start();
      await waitFor(() => feed.status().up, 'up');
      const firstUp = rec.statuses.findIndex((s) => s.up);
      socketFor(server, 'S2')?.ws.terminate();
      await waitFor(() => rec.statuses.slice(firstUp).some((s) => !s.up) && feed.status().up, 'down then up again');
      const ups = rec.statuses.slice(firstUp).map((s) => [s.up, s.connectionsOpen]);
      assert.deepEqual(ups, [
        [true, 3],
        [false, 2],
        [true, 3],
      ]);
      assert.deepEqual(rec.reconnects, [{ reason: 'closed', detail: 'code=1006' }]);
      // Before the first up, the statuses count connections opening one by one.
      assert.deepEqual(
        rec.statuses.slice(0, firstUp).map((s) => s.connectionsOpen),
        [1, 2],
      );
      await waitFor(() => server.sockets.length === 4 && server.sockets[3]?.messages.length === 1, 'resubscribe');
      assert.deepEqual(subscribeOf(server.sockets[3])?.symbols, ['S2', 'S3']);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('frames carry the index of the connection they came on', async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url), { limits: { streamsPerConnection: 2 } });
    try {
      feed.start();
      await waitFor(() => server.sockets.length === 3 && server.sockets.every((s) => s.messages.length === 1), 'subscribes');
      socketFor(server, 'S4')?.ws.send(TRADE);
      socketFor(server, 'S0')?.ws.send(TRADE);
      await waitFor(() => rec.frames.length === 2, 'two frames');
      assert.deepEqual(rec.frames.map((f) => f.conn).sort(), [0, 2]);
      assert.ok(rec.frames.every((f) => f.text === TRADE));
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('reconnect(conn) restarts only that connection, with the reason, and it resubscribes', async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url), { limits: { streamsPerConnection: 2 } });
    try {
      feed.start();
      await waitFor(() => feed.status().up, 'up');
      feed.reconnect(1, 'venue_error', 'code=-1 session ended');
      await waitFor(() => server.sockets.length === 4 && server.sockets[3]?.messages.length === 1, 'resubscribe');
      assert.deepEqual(rec.reconnects, [{ reason: 'venue_error', detail: 'code=-1 session ended' }]);
      assert.deepEqual(subscribeOf(server.sockets[3])?.symbols, ['S2', 'S3']);
      await waitFor(() => feed.status().up, 'up again');
      assert.equal(server.sockets.filter((s) => s.closeCode !== undefined).length, 1);
      assert.throws(() => feed.reconnect(7, 'venue_error', 'x'), RangeError);
      assert.throws(() => feed.noteAlive(-1), RangeError);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test("connection attempts are paced under the venue's attempts-per-window", async () => {
    const server = await TestWsServer.start();
    // The attempt gate and its waits run on a fake clock, so the spacing is the gate's, not the
    // machine's load; the sockets stay real, and waitFor polls on real time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const { feed } = makeFeed(feedConfig(server.url), {
      limits: { streamsPerConnection: 2, connectAttempts: { count: 1, windowMs: 150 } },
    });
    try {
      feed.start();
      await waitFor(() => server.sockets.length === 1, 'the first connection');
      for (const n of [2, 3]) {
        await vi.advanceTimersByTimeAsync(149);
        await sleep(30);
        assert.equal(server.sockets.length, n - 1, `attempt ${n} within 150 ms of the one before`);
        await vi.advanceTimersByTimeAsync(1);
        await waitFor(() => server.sockets.length === n, `connection ${n}`);
      }
      await waitFor(() => feed.status().up, 'up');
      const t = server.sockets.map((s) => s.connectedAt);
      assert.deepEqual(t.slice(1).map((x, i) => x - t[i]!), [150, 150]);
    } finally {
      vi.useRealTimers();
      await feed.stop();
      await server.close();
    }
  });

  test("connections roll before the venue's maximum lifetime, reason lifetime", async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url, { symbols: ['A'] }), {
      limits: { maxLifetimeMs: 200 },
    });
    try {
      feed.start();
      await waitFor(() => rec.reconnects.length >= 1 && server.sockets.length >= 2, 'a lifetime roll');
      assert.equal(rec.reconnects[0]?.reason, 'lifetime');
      await waitFor(() => server.sockets[0]?.closeCode !== undefined, 'old socket closed');
      assert.equal(server.sockets[0]?.closeCode, 1000);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('drops and ping round trips pass through', async () => {
    const server = await TestWsServer.start({ onMessage: (s) => s.ws.send(Buffer.from([0])) });
    const { feed, rec } = makeFeed(
      feedConfig(server.url, {
        symbols: ['A'],
        connection: { ...feedConfig('').connection, pingIntervalMs: 20 },
      }),
    );
    try {
      feed.start();
      await waitFor(() => rec.drops.length === 1 && rec.rtts.length >= 1, 'a drop and a pong');
      assert.deepEqual(rec.drops, ['malformed_frame']);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('stop() closes every connection without another onStatus; status() reads down', async () => {
    const server = await TestWsServer.start();
    const { feed, rec } = makeFeed(feedConfig(server.url), { limits: { streamsPerConnection: 2 } });
    try {
      feed.start();
      await waitFor(() => feed.status().up, 'up');
      const n = rec.statuses.length;
      await feed.stop();
      await waitFor(() => server.sockets.every((s) => s.closeCode !== undefined), 'server sees closes');
      assert.ok(server.sockets.every((s) => s.closeCode === 1000));
      assert.equal(rec.statuses.length, n);
      assert.equal(rec.reconnects.length, 0);
      assert.equal(feed.status().up, false);
      assert.equal(feed.status().connectionsOpen, 0);
    } finally {
      await feed.stop();
      await server.close();
    }
  });

  test('a symbol whose channels exceed the limit is refused at construction', () => {
    assert.throws(
      () => makeFeed(feedConfig('ws://127.0.0.1:9/', { channels: ['trade', 'quote'] }), { limits: { streamsPerConnection: 1 } }),
      /one symbol needs 2 streams/,
    );
  });
});

describe('Feed with order books', () => {
  test("book streams count, and the plan keeps every connection within the venue's limit", () => {
    const feed = new Feed({
      config: feedConfig('ws://127.0.0.1:1', {
        venue: 'binance',
        symbols: ['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT'],
        channels: ['trade'],
        streamsPerConnection: 4,
        book: { symbols: ['AUSDT', 'BUSDT'], bands: [10], depth: 10 },
      }),
      adapter: binance,
      maxFrameBytes: 1_000,
      log: createLogger({ write: () => {} }),
      handlers: { onFrame: () => {}, onStatus: () => {}, onReconnect: () => {} },
    });
    const s = feed.status();
    assert.equal(s.streams, 6, '4 trade streams and 2 book streams');
    assert.ok(s.streamsMaxPerConnection <= 4, `fullest connection carries ${s.streamsMaxPerConnection}`);
    assert.equal(s.connectionsPlanned, 2);
  });
});
