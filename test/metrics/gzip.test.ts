import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { crc32Combine, deflatePiece, GZIP_WINDOW_BITS, GzipJoin } from '../../src/metrics/gzip.js';
import { oneMember } from '../support/scrape.js';

test('pieces deflated apart and joined are one gzip member of their texts in order', async () => {
  const texts = ['# TYPE a gauge\na 1\n'.repeat(5000), '', 'b{x="y"} 2\n', '# TYPE c counter\nc_total 3\n'.repeat(400_000)];
  const pieces = await Promise.all(texts.map((t) => deflatePiece(Buffer.from(t, 'utf8'))));
  const join = new GzipJoin();
  const body = Buffer.concat([join.start(), ...pieces.map((p) => join.add(p)), join.end()]);
  assert.equal(oneMember(body), texts.join(''));
  assert.ok(pieces[0]!.bytes.length < texts[0]!.length / 20, `${pieces[0]!.bytes.length} bytes for ${texts[0]!.length}`);
  // Joined in another order: still one stream, of that order.
  const again = new GzipJoin();
  const swapped = Buffer.concat([again.start(), again.add(pieces[3]!), again.add(pieces[0]!), again.end()]);
  assert.equal(oneMember(swapped), texts[3]! + texts[0]!);
});

test('the CRC of two byte strings joined, from theirs, is zlib\'s CRC of the join', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 70_000 }), (a, b, pad) => {
      const b2 = Buffer.concat([b, Buffer.alloc(pad, 7)]);
      assert.equal(crc32Combine(crc32(a), crc32(b2), b2.length), crc32(Buffer.concat([a, b2])));
    }),
    { numRuns: 300 },
  );
  assert.equal(crc32Combine(crc32('abc'), crc32(''), 0), crc32('abc'));
});

test('a piece is memory of its own, of its size: a kept one holds no more than itself', async () => {
  for (const size of [10, 100_000, 3_000_000]) {
    const p = await deflatePiece(Buffer.alloc(size, 'market_price{exchange="sim"} 1.5\n'));
    assert.equal(p.bytes.buffer.byteLength, p.bytes.byteLength, `${size} bytes in: ${p.bytes.byteLength} out on ${p.bytes.buffer.byteLength}`);
    assert.equal(p.length, size);
  }
});

test('a piece refers back no further than its window: it inflates in a 2^GZIP_WINDOW_BITS window, which zlib\'s default one does not', async () => {
  // A block with no repeats of its own, three times over: the nearest copy of any of its strings
  // is a block back, past the shipped window and within zlib's default 32 kB.
  let seed = 7;
  const block = Buffer.alloc(1.5 * 2 ** GZIP_WINDOW_BITS).map(() => 33 + (((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) % 90));
  const text = Buffer.concat([block, block, block]);
  // Output 64 bytes at a time, so every reference past that is served from the window alone.
  const inflate = (bytes: Buffer) => inflateRawSync(bytes, { windowBits: GZIP_WINDOW_BITS, chunkSize: 64, finishFlush: constants.Z_SYNC_FLUSH });
  const piece = await deflatePiece(text);
  assert.ok(inflate(piece.bytes).equals(text));
  assert.throws(() => inflate(deflateRawSync(text, { level: 1, finishFlush: constants.Z_SYNC_FLUSH })), /too far back/);
});
