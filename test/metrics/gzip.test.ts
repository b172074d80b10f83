import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { crc32Combine, deflatePiece, GzipJoin } from '../../src/metrics/gzip.js';
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
