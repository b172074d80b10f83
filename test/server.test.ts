import { test } from 'vitest';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, listen, scrapeGroups } from '../src/server.js';

/** 32 MB, more than loopback's socket buffers hold: most of it waits in the process. */
const BODY = Buffer.alloc(32 * 2 ** 20, 'abcdefgh\n');
const CHUNK = 1 << 16;

/** A /metrics that writes BODY in pieces without waiting, then reports when `sent` resolved. */
async function serve(): Promise<{ server: Server; port: number; sentAt: Promise<number> }> {
  let settled!: (t: number) => void;
  const sentAt = new Promise<number>((r) => (settled = r));
  const app = createApp({
    metrics: async () => '',
    ready: () => true,
    version: 'test',
    writeMetrics: async (write, sent) => {
      for (let pos = 0; pos < BODY.length; pos += CHUNK) void write(BODY.subarray(pos, pos + CHUNK))?.catch(() => {});
      await sent();
      settled(performance.now());
    },
  });
  const server = await listen(app, '127.0.0.1:0');
  return { server, port: (server.address() as { port: number }).port, sentAt };
}

test('a streamed body counts as sent only once the client has taken all of it', async () => {
  const { server, port, sentAt } = await serve();
  try {
    const sock = connect(port, '127.0.0.1');
    sock.pause();
    sock.write(`GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    let sent = false;
    void sentAt.then(() => (sent = true));
    await sleep(300);
    assert.equal(sent, false, 'nothing read yet, yet the body counted as sent');
    const readFrom = performance.now();
    let got = 0;
    sock.on('data', (d: Buffer) => void (got += d.length));
    sock.resume();
    await new Promise((r) => sock.on('end', r));
    assert.ok(got > BODY.length, `${got} bytes received`);
    assert.ok((await sentAt) >= readFrom, 'sent before the client read');
  } finally {
    server.close();
  }
});

test('a client that goes away mid-body counts as done, so the buffer is not held forever', async () => {
  const { server, port, sentAt } = await serve();
  try {
    const sock = connect(port, '127.0.0.1');
    sock.pause();
    sock.write(`GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n`);
    await sleep(200);
    sock.destroy();
    assert.ok((await sentAt) > 0);
  } finally {
    server.close();
  }
});

test('collect[] keeps the named scrape groups, exclude[] leaves them out, unknown groups are refused', () => {
  const q = (s: string) => scrapeGroups(new URLSearchParams(s));
  assert.deepEqual(q(''), new Set(['health', 'moves', 'rest']));
  assert.deepEqual(q('collect[]=health&collect[]=moves'), new Set(['health', 'moves']));
  assert.deepEqual(q('exclude[]=health&exclude[]=moves'), new Set(['rest']));
  assert.match(String(q('collect[]=cpu')), /unknown scrape group "cpu"; groups: health, moves, rest/);
  assert.match(String(q('exclude[]=health&exclude[]=moves&exclude[]=rest')), /leave no scrape group/);
});
