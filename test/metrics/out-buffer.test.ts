import { test } from 'vitest';
import assert from 'node:assert/strict';
import { OutputBuffer } from '../../src/metrics/out-buffer.js';

test('a released buffer is lent again to the next take that fits it', () => {
  const out = new OutputBuffer();
  const a = out.take(1000);
  assert.ok(a.buf.length >= 1000);
  a.release();
  const b = out.take(900);
  assert.equal(b.buf, a.buf);
  b.release();
  assert.equal(out.size, a.buf.length);
});

test('while lent, a take gets a buffer of its own, and the kept one stays the lent one', () => {
  const out = new OutputBuffer();
  const a = out.take(1000);
  const b = out.take(1000);
  assert.notEqual(b.buf, a.buf);
  assert.notEqual(b.buf.buffer, a.buf.buffer);
  b.release();
  // b's release does not free a's buffer.
  assert.notEqual(out.take(1000).buf, a.buf);
  a.release();
  // Released twice: harmless.
  a.release();
  assert.equal(out.take(1000).buf, a.buf);
});

test('a buffer too small is made again with room to spare, one far too large is made smaller', () => {
  const out = new OutputBuffer();
  const a = out.take(1000);
  a.release();
  const b = out.take(a.buf.length + 1);
  assert.notEqual(b.buf, a.buf);
  assert.ok(b.buf.length > a.buf.length + 1, `${b.buf.length}: room to spare`);
  b.release();
  const c = out.take(10);
  assert.notEqual(c.buf, b.buf);
  assert.ok(c.buf.length < 100, `${c.buf.length}`);
});
