import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, type ConnectionOptions } from '../../src/feeds/connection.js';
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

interface Recorder {
  opens: number;
  frames: { text: string; receivedAt: number }[];
  downs: { reason: ReconnectReason; detail: string; backoffMs: number; attempts: number }[];
  drops: { type: ErrorType; detail: string }[];
  rtts: number[];
  logs: string[];
}

interface Setup {
  url: string | (() => string);
  config?: Partial<Omit<ConnectionConfig, 'backoff'>>;
  backoff?: Partial<BackoffConfig>;
  extra?: Partial<Omit<ConnectionOptions, 'handlers' | 'config' | 'url' | 'log'>>;
}

const live: Connection[] = [];
after(async () => {
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
      onFrame: (text, receivedAt) => rec.frames.push({ text, receivedAt }),
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
    const { conn, rec } = connect({
      url: server.url,
      extra: { outgoingPerSecond: 20, subscribeFrames: () => frames },
    });
    try {
      await waitFor(() => server.last?.messages.length === 3, 'three subscribe frames');
      await waitFor(() => rec.opens === 1, 'open');
      assert.deepEqual(server.last?.messages, frames);
      const t = server.last?.messageTimes ?? [];
      // 20/s = 50 ms apart when sent; allow for clock granularity and delivery jitter.
      for (let i = 1; i < t.length; i++) assert.ok((t[i] ?? 0) - (t[i - 1] ?? 0) >= 40, `gap ${i}: ${t.join(',')}`);
    } finally {
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

  test('429 with Retry-After: handshake_rejected, and the next attempt waits at least that long', async () => {
    const server = await rejectingHttpServer(429, { 'Retry-After': '1' });
    const { conn, rec } = connect({ url: `ws://127.0.0.1:${server.port}/` });
    try {
      await waitFor(() => rec.downs.length >= 1, 'the rejection');
      assert.equal(rec.downs[0]?.reason, 'handshake_rejected');
      assert.equal(rec.downs[0]?.detail, 'status=429 retry_after_ms=1000');
      assert.equal(rec.downs[0]?.backoffMs, 1_000);
      await waitFor(() => server.attempts.length >= 2, 'the second attempt');
      const [a, b] = server.attempts as [number, number];
      assert.ok(b - a >= 990, `second attempt after ${b - a}ms`);
    } finally {
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
