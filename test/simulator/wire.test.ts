import { test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeTextFrames } from '../../src/simulator/wire.js';
import { waitFor } from '../support/wait-for.js';

test('pre-framed batches arrive as separate messages through a real ws client, at every length encoding', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(wss, 'listening');
  try {
    const frames = [
      '',
      'x',
      'a'.repeat(125), // the largest 7-bit length
      'b'.repeat(126), // the smallest 16-bit length
      'c'.repeat(65535), // the largest 16-bit length
      'd'.repeat(65536), // the smallest 64-bit length
      '{"stream":"btcusdt@trade","data":{"s":"BTCUSDT","note":"héllo €"}}', // multi-byte UTF-8
    ];
    wss.on('connection', (_ws, req) => {
      // Two batches back to back, like two ticks.
      req.socket.write(encodeTextFrames(frames.slice(0, 4)));
      req.socket.write(encodeTextFrames(frames.slice(4)));
    });
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    const got: string[] = [];
    client.on('message', (d: Buffer, isBinary) => {
      assert.equal(isBinary, false);
      got.push(d.toString('utf8'));
    });
    await waitFor(() => got.length === frames.length, 'every frame');
    assert.deepEqual(got, frames);
    client.terminate();
  } finally {
    await new Promise((r) => wss.close(r));
  }
});

test('an empty batch is an empty buffer', () => {
  assert.equal(encodeTextFrames([]).length, 0);
});
