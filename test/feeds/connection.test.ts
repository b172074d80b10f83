import { test, describe, afterAll, vi } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type WebSocket from 'ws';
import { Connection, type ConnectionOptions } from '../../src/feeds/connection.js';
import { ReadBudget } from '../../src/feeds/read-budget.js';
import type { ErrorType, ReconnectReason } from '../../src/feeds/types.js';
import type { BackoffConfig, ConnectionConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { closedPort, rejectingHttpServer, silentTcpServer, TestWsServer } from '../support/ws-test-server.js';
import { waitFor } from '../support/wait-for.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/echo/${name}.json`, import.meta.url), 'utf8').trim();
const TRADE = fixture('trade');
const QUOTE = fixture('quote');
const SUBSCRIBE = '{"op":"subscribe","symbols":["AAA"],"channels":["trade"]}';
/** The trade fixture with its own trade id (and symbol), so order and loss can be checked. */
const tradeNo = (t: number, s = 'AAA'): string => JSON.stringify({ ...(JSON.parse(TRADE) as object), s, t });
const tradeId = (text: string): number => (JSON.parse(text) as { t: number }).t;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

interface Recorder {
  opens: number;
  frames: { text: string; receivedAt: number; startedAt: number }[];
  downs: { reason: ReconnectReason; detail: string; backoffMs: number; attempts: number }[];
  drops: { type: ErrorType; detail: string }[];
  rtts: number[];
  logs: string[];
}

interface Setup {
  url: string | (() => string);
  config?: Partial<Omit<ConnectionConfig, 'backoff'>>;
  backoff?: Partial<BackoffConfig>;
  extra?: Partial<Omit<ConnectionOptions, 'handlers' | 'config' | 'url'>>;
  /** Called after each frame is recorded. */
  onFrame?: (text: string) => void;
}

const live: Connection[] = [];
afterAll(async () => {
  await Promise.all(live.map((c) => c.stop()));
});

/** A connection with recording handlers, small test timings and no jitter unless asked. */
function connect(setup: Setup): { conn: Connection; rec: Recorder } {
  const rec: Recorder = { opens: 0, frames: [], downs: [], drops: [], rtts: [], logs: [] };
  const url = setup.url;
  const conn: Connection = new Connection({
    name: 'test#0',
    url: typeof url === 'string' ? () => url : url,
    subscribeFrames: () => [SUBSCRIBE],
    config: {
      connectTimeoutMs: 2_000,
      pingIntervalMs: 0,
      maxMissedPings: 2,
      silenceTimeoutMs: 0,
      ...setup.config,
      backoff: { initialMs: 10, maxMs: 80, multiplier: 2, jitter: 0, resetAfterMs: 60_000, ...setup.backoff },
    },
    maxFrameBytes: 1 << 20,
    random: () => 0,
    log: createLogger({ write: (line) => rec.logs.push(line) }),
    ...setup.extra,
    handlers: {
      onOpen: () => rec.opens++,
      onFrame: (text, receivedAt, startedAt) => {
        rec.frames.push({ text, receivedAt, startedAt });
        setup.onFrame?.(text);
      },
      onDown: (reason, detail) =>
        rec.downs.push({ reason, detail, backoffMs: conn.lastBackoffMs, attempts: conn.attempts }),
      onDrop: (type, detail) => rec.drops.push({ type, detail }),
      onPingRtt: (rtt) => rec.rtts.push(rtt),
    },
  });
  live.push(conn);
  conn.start();
  return { conn, rec };
}

/** Stop a connection and a server, in that order, whatever the test's outcome. */
async function cleanup(conn: Connection, ...servers: { close(): Promise<void> }[]): Promise<void> {
  await conn.stop();
  for (const s of servers) await s.close();
}

describe('Connection: open and frames', () => {
  test('opens, sends the subscribe frame, then delivers text frames with their arrival time', async () => {
    const server = await TestWsServer.start({ onMessage: (s) => s.ws.send(TRADE) });
    let urlCalls = 0;
    const { conn, rec } = connect({ url: () => (urlCalls++, server.url) });
    try {
      const before = Date.now();
      await waitFor(() => rec.frames.length === 1, 'a frame');
      assert.equal(rec.opens, 1);
      assert.equal(conn.isOpen, true);
      assert.deepEqual(server.last?.messages, [SUBSCRIBE]);
      assert.equal(rec.frames[0]?.text, TRADE);
      assert.ok((rec.frames[0]?.receivedAt ?? 0) >= before - 1_000 && (rec.frames[0]?.receivedAt ?? 0) <= Date.now());
      assert.equal(urlCalls, 1);
      assert.equal(rec.downs.length, 0);
      assert.ok(rec.logs.some((l) => l.includes('msg=connected')));
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a frame is handed on with the read budget\'s reading; its arrival time is Date.now() as of that reading', async () => {
    const server = await TestWsServer.start({ onMessage: (s) => (s.ws.send(TRADE), s.ws.send(QUOTE)) });
    const clock = { t: 42 };
    const { conn, rec } = connect({ url: server.url, extra: { readBudget: new ReadBudget({ clock: () => clock.t }) } });
    try {
      const before = Date.now();
      await waitFor(() => rec.frames.length === 2, 'two frames');
      assert.deepEqual(rec.frames.map((f) => f.startedAt), [42, 42]);
      // The budget's clock stood still: one Date.now() reading serves both frames.
      const [a, b] = rec.frames.map((f) => f.receivedAt) as [number, number];
      assert.equal(a, b);
      assert.ok(Number.isInteger(a) && a >= before && a <= Date.now(), `${a}`);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('send() writes to the open socket and is a no-op before start', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({ url: server.url });
    try {
      await waitFor(() => rec.opens === 1, 'open');
      conn.send(QUOTE);
      await waitFor(() => server.last?.messages.length === 2, 'the sent frame');
      assert.deepEqual(server.last?.messages, [SUBSCRIBE, QUOTE]);
    } finally {
      await cleanup(conn, server);
    }
    const idle = new Connection({
      name: 'idle',
      url: () => server.url,
      subscribeFrames: () => [],
      config: { connectTimeoutMs: 10, pingIntervalMs: 0, maxMissedPings: 1, silenceTimeoutMs: 0, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0, resetAfterMs: 1 } },
      maxFrameBytes: 10,
      log: createLogger({ write: () => {} }),
      handlers: { onOpen: () => assert.fail('never started'), onFrame: () => {}, onDown: () => {} },
    });
    assert.doesNotThrow(() => idle.send('x'));
    assert.equal(idle.isOpen, false);
    await idle.stop();
  });

  test('oversized and binary frames are dropped and reported; the connection stays up', async () => {
    const server = await TestWsServer.start({
      onMessage: (s) => {
        s.ws.send('x'.repeat(2_000));
        s.ws.send(Buffer.from([1, 2, 3]));
        s.ws.send(TRADE);
      },
    });
    const { conn, rec } = connect({ url: server.url, extra: { maxFrameBytes: 1_000 } });
    try {
      await waitFor(() => rec.frames.length === 1, 'the good frame');
      assert.deepEqual(
        rec.drops.map((d) => d.type),
        ['oversized_frame', 'malformed_frame'],
      );
      assert.match(rec.drops[0]?.detail ?? '', /2000 bytes/);
      assert.equal(rec.frames[0]?.text, TRADE);
      assert.equal(rec.downs.length, 0);
      assert.equal(conn.isOpen, true);
      assert.equal(server.sockets.length, 1);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a text frame with invalid UTF-8 is delivered decoded (bad bytes replaced), not a lost connection', async () => {
    const bad = Buffer.concat([Buffer.from('{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const server = await TestWsServer.start({
      onMessage: (s) => {
        s.ws.send(bad, { binary: false });
        s.ws.send(TRADE);
      },
    });
    const { conn, rec } = connect({ url: server.url });
    try {
      await waitFor(() => rec.frames.length === 2, 'both frames');
      assert.equal(rec.frames[0]?.text, '{"s":"\uFFFD\uFFFD"}');
      assert.equal(rec.frames[1]?.text, TRADE);
      assert.equal(rec.downs.length, 0);
      assert.equal(conn.isOpen, true);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a frame over the ws payload ceiling ends the connection, is reported, and it reconnects', async () => {
    const huge = 'y'.repeat(16 * 1024 * 1024 + 1);
    const server = await TestWsServer.start({
      onMessage: (s) => {
        if (s === server.sockets[0]) s.ws.send(huge);
      },
    });
    const { conn, rec } = connect({ url: server.url, extra: { maxFrameBytes: 1_000 } });
    try {
      await waitFor(() => rec.opens === 2, 'the reconnect', { timeoutMs: 10_000 });
      assert.equal(rec.drops[0]?.type, 'oversized_frame');
      assert.equal(rec.downs.length, 1);
      assert.equal(rec.downs[0]?.reason, 'error');
      assert.equal(rec.frames.length, 0);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('subscribe frames are paced by outgoingPerSecond and onOpen follows the last one', async () => {
    const server = await TestWsServer.start();
    const frames = ['{"n":1}', '{"n":2}', '{"n":3}'];
    // The pacer runs on a fake clock, so the spacing is the pacer's, not the machine's load; the
    // sockets stay real, and waitFor polls on real time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const { conn, rec } = connect({
      url: server.url,
      extra: { outgoingPerSecond: 20, subscribeFrames: () => frames },
    });
    const sent = () => server.last?.messages.length ?? 0;
    try {
      await waitFor(() => sent() === 1, 'the first subscribe frame');
      for (const n of [2, 3]) {
        assert.equal(rec.opens, 0, 'onOpen before the last subscribe frame');
        await vi.advanceTimersByTimeAsync(49);
        await sleep(30);
        assert.equal(sent(), n - 1, `frame ${n} sent under 50 ms after the one before (20/s)`);
        await vi.advanceTimersByTimeAsync(1);
        await waitFor(() => sent() === n, `subscribe frame ${n}`);
      }
      await waitFor(() => rec.opens === 1, 'open');
      assert.deepEqual(server.last?.messages, frames);
      const t = server.last?.messageTimes ?? [];
      assert.deepEqual(t.slice(1).map((x, i) => x - t[i]!), [50, 50]);
    } finally {
      vi.useRealTimers();
      await cleanup(conn, server);
    }
  });

  test('app-level pings are sent on their interval', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({
      url: server.url,
      extra: { appPing: { intervalMs: 20, frame: (now) => JSON.stringify({ op: 'ping', t: now }) } },
    });
    try {
      await waitFor(() => (server.last?.messages.length ?? 0) >= 3, 'two app pings');
      const pings = server.last?.messages.slice(1).map((m) => JSON.parse(m) as { op: string; t: number }) ?? [];
      assert.ok(pings.every((p) => p.op === 'ping' && p.t > 1.6e12));
      assert.equal(rec.downs.length, 0);
    } finally {
      await cleanup(conn, server);
    }
  });
});

describe('Connection: losing the connection', () => {
  test('server terminates the socket: one onDown (closed, 1006), reconnect, resubscribe, url re-read', async () => {
    const server = await TestWsServer.start();
    let urlCalls = 0;
    const { conn, rec } = connect({ url: () => (urlCalls++, server.url) });
    try {
      await waitFor(() => rec.opens === 1, 'first open');
      server.last?.ws.terminate();
      await waitFor(() => rec.opens === 2, 'second open');
      await waitFor(() => server.sockets[1]?.messages.length === 1, 'resubscribe');
      assert.equal(server.sockets.length, 2);
      assert.deepEqual(server.sockets[1]?.messages, [SUBSCRIBE]);
      assert.equal(rec.downs.length, 1);
      assert.equal(rec.downs[0]?.reason, 'closed');
      assert.match(rec.downs[0]?.detail ?? '', /code=1006/);
      assert.equal(urlCalls, 2);
      assert.ok(rec.logs.some((l) => l.includes('msg=disconnected') && l.includes('reason=closed') && l.includes('next_delay_ms=10')));
    } finally {
      await cleanup(conn, server);
    }
  });

  for (const code of [1000, 1001, 4000, 4999]) {
    test(`server closes with ${code}: reason closed with the code, then reconnects`, async () => {
      const server = await TestWsServer.start();
      const { conn, rec } = connect({ url: server.url });
      try {
        await waitFor(() => rec.opens === 1, 'first open');
        server.last?.ws.close(code, 'bye');
        await waitFor(() => rec.opens === 2, 'reconnect');
        assert.equal(rec.downs.length, 1);
        assert.equal(rec.downs[0]?.reason, 'closed');
        assert.equal(rec.downs[0]?.detail, `code=${code} reason=bye`);
        await waitFor(() => server.sockets[1]?.messages[0] === SUBSCRIBE, 'resubscribe');
      } finally {
        await cleanup(conn, server);
      }
    });
  }

  test('a stall with pings unanswered: ping_timeout after maxMissedPings, then reconnect', async () => {
    const server = await TestWsServer.start({ autoPong: false });
    const { conn, rec } = connect({ url: server.url, config: { pingIntervalMs: 20, maxMissedPings: 2 } });
    try {
      await waitFor(() => rec.downs.length === 1, 'ping timeout');
      assert.equal(rec.downs[0]?.reason, 'ping_timeout');
      assert.match(rec.downs[0]?.detail ?? '', /2 pings unanswered/);
      assert.equal(rec.rtts.length, 0);
      await waitFor(() => server.sockets.length === 2, 'reconnect');
    } finally {
      await cleanup(conn, server);
    }
  });

  test('answered protocol pings report a round trip and keep the connection', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({ url: server.url, config: { pingIntervalMs: 20, maxMissedPings: 1 } });
    try {
      await waitFor(() => rec.rtts.length >= 3, 'three pongs');
      assert.ok(rec.rtts.every((r) => r >= 0 && Number.isFinite(r)));
      assert.equal(rec.downs.length, 0);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a silent stall that never closes (pings still answered): stale, then reconnect', async () => {
    const server = await TestWsServer.start({ onMessage: (s) => s.ws.send(TRADE) });
    const { conn, rec } = connect({ url: server.url, config: { pingIntervalMs: 20, silenceTimeoutMs: 150 } });
    try {
      await waitFor(() => rec.downs.length === 1, 'stale');
      assert.equal(rec.downs[0]?.reason, 'stale');
      assert.match(rec.downs[0]?.detail ?? '', /^no frame for \d+ms$/);
      assert.ok(rec.rtts.length > 0, 'pings were answered throughout');
      await waitFor(() => rec.opens === 2, 'reconnect');
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a stall where the server stops sending and stops answering pings is detected', async () => {
    const server = await TestWsServer.start({ autoPong: false });
    const { conn, rec } = connect({ url: server.url, config: { silenceTimeoutMs: 100 } });
    try {
      await waitFor(() => rec.downs.length === 1, 'stale');
      assert.equal(rec.downs[0]?.reason, 'stale');
      assert.equal(server.sockets.length >= 1, true);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('silence is judged on the read budget\'s clock, the one a frame\'s single reading is taken on', async () => {
    const server = await TestWsServer.start({ autoPong: false });
    const clock = { t: 0 };
    const { conn, rec } = connect({
      url: server.url,
      config: { silenceTimeoutMs: 100 },
      extra: { readBudget: new ReadBudget({ clock: () => clock.t }) },
    });
    try {
      await waitFor(() => rec.opens === 1, 'open');
      // Real time passes, the budget's clock does not: no frame, yet no silence on that clock.
      await sleep(400);
      assert.equal(rec.downs.length, 0);
      clock.t += 101;
      await waitFor(() => rec.downs.length === 1, 'stale once the budget\'s clock moves past the timeout');
      assert.equal(rec.downs[0]?.reason, 'stale');
      assert.equal(rec.downs[0]?.detail, 'no frame for 101ms');
    } finally {
      await cleanup(conn, server);
    }
  });

  test('noteAlive() holds off the silence detector', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({ url: server.url, config: { silenceTimeoutMs: 250 } });
    try {
      await waitFor(() => rec.opens === 1, 'open');
      const until = Date.now() + 600;
      while (Date.now() < until) {
        conn.noteAlive();
        await sleep(10);
      }
      assert.equal(rec.downs.length, 0);
      await waitFor(() => rec.downs.length === 1, 'stale once proof of life stops');
      assert.equal(rec.downs[0]?.reason, 'stale');
    } finally {
      await cleanup(conn, server);
    }
  });

  test('reconnect() closes politely with 1000, names the reason, and resubscribes', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({ url: server.url });
    try {
      await waitFor(() => rec.opens === 1, 'open');
      conn.reconnect('venue_notice', 'maintenance at 10:00');
      await waitFor(() => rec.opens === 2, 'reconnect');
      assert.deepEqual(
        rec.downs.map((d) => [d.reason, d.detail]),
        [['venue_notice', 'maintenance at 10:00']],
      );
      await waitFor(() => server.sockets[0]?.closeCode !== undefined, 'old socket closed');
      assert.equal(server.sockets[0]?.closeCode, 1000);
      await waitFor(() => server.sockets[1]?.messages[0] === SUBSCRIBE, 'resubscribe');
    } finally {
      await cleanup(conn, server);
    }
  });
});

describe('Connection: backoff', () => {
  test('against a refusing port, delays double up to the cap; reason error', async () => {
    const port = await closedPort();
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${port}/` });
    try {
      await waitFor(() => rec.downs.length >= 6, 'six failed attempts');
      assert.deepEqual(
        rec.downs.slice(0, 6).map((d) => d.backoffMs),
        [10, 20, 40, 80, 80, 80],
      );
      assert.deepEqual(
        rec.downs.slice(0, 6).map((d) => d.attempts),
        [1, 2, 3, 4, 5, 6],
      );
      assert.ok(rec.downs.every((d) => d.reason === 'error' && /ECONNREFUSED/.test(d.detail)));
      assert.equal(rec.opens, 0);
      assert.ok(rec.logs.some((l) => l.includes('msg="connect failed"')));
    } finally {
      await conn.stop();
    }
  });

  test('jitter draws each delay from [d*(1-jitter), d]', async () => {
    const port = await closedPort();
    const { conn, rec } = connect({
      url: `ws://127.0.0.1:${port}/`,
      backoff: { jitter: 0.5 },
      extra: { random: () => 1 },
    });
    try {
      await waitFor(() => rec.downs.length >= 5, 'five failed attempts');
      assert.deepEqual(
        rec.downs.slice(0, 5).map((d) => d.backoffMs),
        [5, 10, 20, 40, 40],
      );
    } finally {
      await conn.stop();
    }
  });

  test('grows across open-then-closed cycles and resets after a healthy period', async () => {
    // Three sessions that close at once, one that stays up well past resetAfterMs, then stable.
    const server = await TestWsServer.start({
      onConnection: (s) => {
        const n = server.sockets.length;
        if (n <= 3) s.ws.close(4000, 'go away');
        else if (n === 4) setTimeout(() => s.ws.close(4001, 'later'), 300);
      },
    });
    const { conn, rec } = connect({ url: server.url, backoff: { maxMs: 1_000, resetAfterMs: 100 } });
    try {
      await waitFor(() => rec.downs.length === 4 && rec.opens >= 5, 'four losses and a fifth session');
      assert.deepEqual(
        rec.downs.map((d) => [d.detail, d.backoffMs]),
        [
          ['code=4000 reason=go away', 10],
          ['code=4000 reason=go away', 20],
          ['code=4000 reason=go away', 40],
          ['code=4001 reason=later', 10],
        ],
      );
    } finally {
      await cleanup(conn, server);
    }
  });

  test('connect timeout: a server that accepts TCP but never answers the upgrade', async () => {
    const silent = await silentTcpServer();
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${silent.port}/`, config: { connectTimeoutMs: 100 } });
    try {
      await waitFor(() => rec.downs.length >= 1 && silent.attempts.length >= 2, 'a timeout and a retry');
      assert.equal(rec.downs[0]?.reason, 'connect_timeout');
      assert.equal(rec.downs[0]?.detail, 'no open within 100ms');
      assert.equal(rec.opens, 0);
    } finally {
      await cleanup(conn, silent);
    }
  });

  test('429 with Retry-After: handshake_rejected, and the next attempt waits exactly that long', async () => {
    const server = await rejectingHttpServer(429, { 'Retry-After': '1' });
    // The connection's timers run on a fake clock; sockets stay real, so waits poll on real time
    // (waitFor does; vi.waitFor would advance the fake clock as it polls).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${server.port}/` });
    try {
      await waitFor(() => rec.downs.length >= 1, 'the rejection');
      assert.equal(rec.downs[0]?.reason, 'handshake_rejected');
      assert.equal(rec.downs[0]?.detail, 'status=429 retry_after_ms=1000');
      assert.equal(rec.downs[0]?.backoffMs, 1_000);
      await vi.advanceTimersByTimeAsync(999);
      await sleep(50);
      assert.equal(server.attempts.length, 1, 'a second attempt before Retry-After ran out');
      await vi.advanceTimersByTimeAsync(1);
      await waitFor(() => server.attempts.length >= 2, 'the second attempt');
      const [a, b] = server.attempts as [number, number];
      assert.equal(b - a, 1_000);
    } finally {
      vi.useRealTimers();
      await cleanup(conn, server);
    }
  });

  test('429 and 418 back off harder than other statuses', async () => {
    const delays: Record<number, number> = {};
    for (const status of [503, 429, 418]) {
      const server = await rejectingHttpServer(status);
      const { conn, rec } = connect({ url: `ws://127.0.0.1:${server.port}/`, backoff: { maxMs: 10_000 } });
      try {
        await waitFor(() => rec.downs.length >= 1, `the ${status}`);
        assert.equal(rec.downs[0]?.reason, 'handshake_rejected');
        assert.equal(rec.downs[0]?.detail, `status=${status}`);
        delays[status] = rec.downs[0]?.backoffMs ?? 0;
      } finally {
        await cleanup(conn, server);
      }
    }
    assert.deepEqual(delays, { 503: 10, 429: 40, 418: 40 });
  });

  test('onDown is called once per failed attempt, never twice', async () => {
    const server = await rejectingHttpServer(503);
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${server.port}/`, backoff: { maxMs: 20 } });
    try {
      await waitFor(() => rec.downs.length >= 4, 'four rejections');
      await conn.stop();
      const downs = rec.downs.length;
      // The server may have seen one attempt whose answer arrived after stop().
      assert.ok(server.attempts.length === downs || server.attempts.length === downs + 1, `${server.attempts.length} attempts, ${downs} downs`);
    } finally {
      await cleanup(conn, server);
    }
  });
});

describe('Connection: stop', () => {
  test('stop() cancels the pending reconnect', async () => {
    const server = await TestWsServer.start();
    const { conn, rec } = connect({ url: server.url, backoff: { initialMs: 50 } });
    try {
      await waitFor(() => rec.opens === 1, 'open');
      server.last?.ws.terminate();
      await waitFor(() => rec.downs.length === 1, 'down');
      await conn.stop();
      // Well past the 50 ms reconnect delay.
      await sleep(200);
      assert.equal(server.sockets.length, 1);
      assert.equal(conn.isOpen, false);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('stop() leaves no timers or sockets: the process exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/stop-exits.ts'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Generous: this only catches a process kept alive by leftover handles (which never exits).
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(deadline);
    assert.equal(code, 0, `child exited with ${code}; stderr: ${err}`);
    const report = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { stopped: boolean; events: string[]; active: string[] };
    assert.equal(report.stopped, true);
    assert.ok(report.events.includes('waiting:error'));
    assert.ok(!report.events.includes('open:open'), 'stopped while its second subscribe frame was still paced');
    assert.deepEqual(report.active, []);
  });
});

describe('Connection: fair reads under a shared read budget', () => {
  const BACKLOG = 5_000;
  /** Frames per turn under countingBudget(). */
  const PER_TURN = 3;

  /** A read budget whose clock moves 1 ms per reading: every frame costs exactly 1 ms, PER_TURN a turn. */
  const countingBudget = (nextTurn?: (fn: () => void) => void): ReadBudget => {
    let t = 0;
    return new ReadBudget({ budgetMs: PER_TURN, clock: () => ++t, nextTurn });
  };

  /** White-box: the connection's current socket, to check ws's own isPaused. */
  const socketOf = (conn: Connection | undefined): WebSocket | undefined =>
    (conn as unknown as { ws: WebSocket | undefined } | undefined)?.ws;

  /**
   * Two connections sharing a tiny read budget; once both are open the server writes BACKLOG
   * frames to each in one synchronous burst, so both sockets hold a backlog in the same poll phase.
   */
  async function burstToTwo(): Promise<{ order: string[]; framesAtFirstImmediate: number; recs: Recorder[] }> {
    const server = await TestWsServer.start();
    const budget = countingBudget();
    const order: string[] = [];
    let framesAtFirstImmediate = -1;
    const onFrame = (name: string) => (): void => {
      order.push(name);
      // The loop's next check phase: without a budget it would come only after every frame.
      if (order.length === 1) setImmediate(() => (framesAtFirstImmediate = order.length));
    };
    const a = connect({ url: server.url, extra: { readBudget: budget }, onFrame: onFrame('a') });
    const b = connect({ url: server.url, extra: { readBudget: budget }, onFrame: onFrame('b') });
    try {
      await waitFor(() => a.rec.opens === 1 && b.rec.opens === 1 && server.sockets.every((s) => s.messages.length === 1), 'both open');
      const frames = range(BACKLOG).map((i) => tradeNo(i));
      for (const s of server.sockets) for (const f of frames) s.ws.send(f);
      await waitFor(() => order.length === 2 * BACKLOG, 'every frame', { timeoutMs: 20_000 });
      return { order, framesAtFirstImmediate, recs: [a.rec, b.rec] };
    } finally {
      await a.conn.stop();
      await cleanup(b.conn, server);
    }
  }

  test('a backlog does not hold the loop: a setImmediate from the first frame runs long before the last; none lost, in order', async () => {
    const { framesAtFirstImmediate, recs } = await burstToTwo();
    // Without the budget this is thousands: whatever the first poll phase read, handled in one go.
    assert.ok(framesAtFirstImmediate >= 1 && framesAtFirstImmediate <= PER_TURN, `the immediate ran after ${framesAtFirstImmediate} of ${2 * BACKLOG} frames`);
    for (const rec of recs) {
      assert.deepEqual(rec.frames.map((f) => tradeId(f.text)), range(BACKLOG));
      assert.equal(rec.downs.length, 0);
      assert.equal(rec.drops.length, 0);
    }
  });

  test('two backlogged connections take turns rather than one draining first', async () => {
    const { order } = await burstToTwo();
    const lastA = order.lastIndexOf('a');
    const lastB = order.lastIndexOf('b');
    // Each gets frames through before the other is done, many times over.
    assert.ok(order.indexOf('b') < lastA && order.indexOf('a') < lastB, 'neither drained before the other began');
    // While both still have frames to come (after that, the other one's tail runs alone).
    const both = order.slice(0, Math.min(lastA, lastB) + 1);
    let switches = 0;
    let run = 1;
    let longestRun = 1;
    for (let i = 1; i < both.length; i++) {
      if (both[i] !== both[i - 1]) {
        switches++;
        run = 1;
      } else longestRun = Math.max(longestRun, ++run);
    }
    // PER_TURN frames a turn, served in turn: thousands of switches, short runs (without: one switch).
    assert.ok(switches >= 1_000, `only ${switches} switches between the connections`);
    assert.ok(longestRun <= 10 * PER_TURN, `${longestRun} frames in a row from one connection`);
  });

  test('paused mid-backlog, reconnect() closes politely (the pause is released) and frames flow on the new socket', async () => {
    const server = await TestWsServer.start({
      onMessage: (s) => {
        if (s === server.sockets[0]) for (let i = 0; i < BACKLOG; i++) s.ws.send(tradeNo(i));
        else for (let i = 0; i < 3; i++) s.ws.send(tradeNo(i, 'NEW'));
      },
    });
    const budget = countingBudget();
    let framesWhenReconnected = 0;
    let pausedBefore: boolean | undefined;
    let pausedAfter: boolean | undefined;
    const setup = connect({
      url: server.url,
      extra: { readBudget: budget },
      onFrame: (text) => {
        // Frame 100 comes out of the backlog, many turns in: the socket is paused right now.
        if (tradeId(text) === 100 && !text.includes('NEW')) {
          framesWhenReconnected = setup.rec.frames.length;
          const ws = socketOf(setup.conn);
          pausedBefore = ws?.isPaused;
          setup.conn.reconnect('venue_notice', 'while paused');
          pausedAfter = ws?.isPaused;
        }
      },
    });
    const { conn, rec } = setup;
    try {
      await waitFor(() => rec.frames.filter((f) => f.text.includes('NEW')).length === 3, 'frames on the new socket');
      assert.equal(framesWhenReconnected, 101);
      assert.equal(pausedBefore, true, 'the socket was paused when it was dropped');
      assert.equal(pausedAfter, false, 'and resumed, so its close handshake can complete');
      assert.equal(socketOf(conn)?.isPaused, false, 'the new socket is not paused');
      assert.equal(rec.opens, 2);
      assert.deepEqual(
        rec.downs.map((d) => d.reason),
        ['venue_notice'],
      );
      // Old frames (what had already arrived) come first and in order, then the new socket's.
      const ids = rec.frames.map((f) => (f.text.includes('NEW') ? `new${tradeId(f.text)}` : tradeId(f.text)));
      const old = ids.slice(0, -3);
      assert.ok(old.length >= 101 && old.length < BACKLOG, `${old.length} old frames`);
      assert.deepEqual(old, range(old.length));
      assert.deepEqual(ids.slice(-3), ['new0', 'new1', 'new2']);
      await waitFor(() => server.sockets[0]?.closeCode !== undefined, 'old socket closed');
      assert.equal(server.sockets[0]?.closeCode, 1000);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('paused mid-backlog, the server drops the socket: reconnects and frames flow on the new socket', async () => {
    const server = await TestWsServer.start({
      onMessage: (s) => {
        if (s === server.sockets[0]) for (let i = 0; i < BACKLOG; i++) s.ws.send(tradeNo(i));
        else s.ws.send(tradeNo(0, 'NEW'));
      },
    });
    let pausedWhenDropped: boolean | undefined;
    const setup = connect({
      url: server.url,
      extra: { readBudget: countingBudget() },
      onFrame: (text) => {
        if (tradeId(text) === 100 && !text.includes('NEW')) {
          pausedWhenDropped = socketOf(setup.conn)?.isPaused;
          server.sockets[0]?.ws.terminate();
        }
      },
    });
    const { conn, rec } = setup;
    try {
      await waitFor(() => rec.frames.some((f) => f.text.includes('NEW')), 'a frame on the new socket');
      assert.equal(pausedWhenDropped, true);
      assert.equal(socketOf(conn)?.isPaused, false, 'the new socket is not paused');
      assert.equal(rec.opens, 2);
      assert.equal(rec.downs[0]?.reason, 'closed');
      assert.equal(rec.frames.at(-1)?.text, tradeNo(0, 'NEW'));
      const old = rec.frames.slice(0, -1).map((f) => tradeId(f.text));
      assert.deepEqual(old, range(old.length));
    } finally {
      await cleanup(conn, server);
    }
  });

  test('stop() while paused: nothing is delivered afterwards and the socket closes politely', async () => {
    const server = await TestWsServer.start({
      onMessage: (s) => {
        for (let i = 0; i < BACKLOG; i++) s.ws.send(tradeNo(i));
      },
    });
    const budget = countingBudget();
    let stopped: Promise<void> | undefined;
    let pausedBefore: boolean | undefined;
    let pausedAfter: boolean | undefined;
    const setup = connect({
      url: server.url,
      extra: { readBudget: budget },
      onFrame: () => {
        // Frame 100 comes out of the backlog: the socket is paused right now.
        if (setup.rec.frames.length !== 100) return;
        const ws = socketOf(setup.conn);
        pausedBefore = ws?.isPaused;
        stopped = setup.conn.stop();
        pausedAfter = ws?.isPaused;
      },
    });
    const { conn, rec } = setup;
    try {
      await waitFor(() => stopped, 'the stop');
      await stopped;
      assert.equal(pausedBefore, true);
      assert.equal(pausedAfter, false, 'resumed before the close, so the close handshake completes');
      // Several turns later: the drain that was queued saw the stop and handed nothing on.
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(rec.frames.length, 100);
      assert.equal(budget.waitingCount, 0);
      await waitFor(() => server.sockets[0]?.closeCode !== undefined, 'socket closed');
      assert.equal(server.sockets[0]?.closeCode, 1000);
    } finally {
      await cleanup(conn, server);
    }
  });

  test('a socket paused longer than the silence timeout and ping interval is not judged dead', async () => {
    const N = 360;
    const server = await TestWsServer.start({
      onMessage: (s) => {
        for (let i = 0; i < N; i++) s.ws.send(tradeNo(i));
      },
    });
    let downsAtLast = -1;
    const setup = connect({
      url: server.url,
      // A paused socket reads no pongs either: the pause must not count as missed pings.
      config: { silenceTimeoutMs: 400, pingIntervalMs: 50, maxMissedPings: 2 },
      // A loop this busy: turns 10 ms apart, PER_TURN frames each, so the socket stays paused
      // for N / PER_TURN * 10 ms (1.2 s), three silence timeouts.
      extra: { readBudget: countingBudget((fn) => setTimeout(fn, 10)) },
      onFrame: (text) => {
        if (tradeId(text) === N - 1) downsAtLast = setup.rec.downs.length;
      },
    });
    const { conn, rec } = setup;
    try {
      await waitFor(() => rec.frames.length === N || rec.downs.length > 0, 'the backlog or a loss', { timeoutMs: 15_000 });
      assert.deepEqual(rec.downs, []);
      assert.equal(downsAtLast, 0);
      assert.deepEqual(rec.frames.map((f) => tradeId(f.text)), range(N));
    } finally {
      await cleanup(conn, server);
    }
  });
});

describe('Connection: logging', () => {
  test('a failed connect is a warning, written at --log-level warn, and rate limited', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l), burst: 3, windowMs: 60_000 });
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${port}/`, backoff: { initialMs: 1, maxMs: 2 }, extra: { log } });
    try {
      await waitFor(() => rec.downs.length >= 10, 'ten failed attempts');
      const failed = lines.filter((l) => l.includes('msg="connect failed"'));
      assert.equal(failed.length, 3, `three lines of ten attempts, the rest counted:\n${lines.join('\n')}`);
      assert.match(failed[0]!, /level=warn msg="connect failed" conn=test#0 .*reason=error detail="[^"]*ECONNREFUSED/);
    } finally {
      await conn.stop();
    }
  });
});
