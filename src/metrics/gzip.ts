/**
 * gzip for /metrics, made of pieces compressed apart: each is raw deflate of its own bytes that
 * refers to nothing before it and ends on a byte boundary without a final block (a sync flush), so
 * pieces joined in any order are one deflate stream. GzipJoin wraps them in one gzip member,
 * its CRC combined from the pieces' (as pigz joins what it compresses in parallel). The renderer
 * compresses each family apart and keeps the piece until one of the family's lines changes
 * (render.ts): at the shipped 15 s, bars and indicators, most of the exposition's bytes, change in
 * one scrape of four, and their pieces are sent again as they are; once the bars close, they are
 * made ahead of that scrape (render-ahead.ts).
 *
 * One member, not a member per piece: a gzip file may hold several (RFC 1952) and Go's reader,
 * which Prometheus uses, reads them all, but `curl --compressed` (7.88) stops after the first.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { constants, crc32, deflateRaw } from 'node:zlib';
import { CRC_STEP } from '../runtime/budgets.js';

/**
 * Measured with bench/render-micro.ts (2 shared vCPUs, loaded): 10,000 symbols (51 MiB) compress
 * 8.2x in ~190 ms at level 1, 8.6x in ~290 ms at 3, 9.2x in ~600 ms at 6; 1,000 symbols (5 MiB)
 * 7.9x in ~30 ms at 1. Level 1 keeps nearly all of the saving for a third of level 6's CPU.
 */
export const GZIP_LEVEL = 1;

/**
 * Back-references reach 2^13 bytes (8 kB) rather than zlib's default 32 kB: a series repeats its
 * name and labels a line or a symbol back, rarely further. Measured on the exposition of 10,000
 * symbols, a family at a time as the renderer deflates it (level 1, medians of 9): 14% less time
 * (122.8 against 142.5 ms for 53 MB) and 6% fewer bytes (9.7x against 9.2x). At 2,000 symbols
 * 2^12 and 2^14 were slower than 2^13, 2^10 slower than the default (docs/performance.md,
 * twenty-sixth round). Any gzip reader takes it: the window a stream needs is at most the 32 kB
 * every reader keeps.
 */
export const GZIP_WINDOW_BITS = 13;

/**
 * zlib's output buffer. Every one it fills is a trip through the thread pool and back through the
 * event loop, which takes milliseconds under ingest load: at the default 16 kB, 10k symbols took
 * ~10 s to gzip (plain: 1-3 s).
 */
export const GZIP_CHUNK = 256 * 1024;

/** A piece of a gzip stream: its deflate bytes, and the CRC-32 and length of what they hold. */
export interface Deflated {
  readonly bytes: Buffer;
  readonly crc: number;
  readonly length: number;
}

/**
 * `bytes` deflated as a piece (see above), on the thread pool; they must not change until it
 * resolves. The piece has memory of its own, of its size: zlib hands a small result back as a
 * view of its output buffer (a 523-byte piece kept 256 kB), and the renderer keeps pieces.
 */
export async function deflatePiece(bytes: Uint8Array): Promise<Deflated> {
  const deflated = new Promise<Buffer>((resolve, reject) => {
    deflateRaw(bytes, { level: GZIP_LEVEL, windowBits: GZIP_WINDOW_BITS, chunkSize: GZIP_CHUNK, finishFlush: constants.Z_SYNC_FLUSH }, (err, out) => {
      if (err) return reject(err);
      if (out.byteLength === out.buffer.byteLength) return resolve(out);
      const own = Buffer.allocUnsafeSlow(out.byteLength);
      out.copy(own);
      resolve(own);
    });
  });
  // Awaited below, after the checksum's yields: a failure meanwhile must not count as unhandled.
  deflated.catch(() => undefined);
  let crc = 0;
  for (let pos = 0; pos < bytes.length; pos += CRC_STEP) {
    if (pos > 0) await yieldToLoop();
    crc = crc32(bytes.subarray(pos, pos + CRC_STEP), crc);
  }
  return { bytes: await deflated, crc, length: bytes.length };
}

/** gzip's header: deflate, no name or time, Unix. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
/** An empty final block (fixed Huffman, end of block): what closes a stream of sync-flushed pieces. */
const FINAL_BLOCK = Buffer.from([3, 0]);

/** One gzip member from pieces, in the order they are added. */
export class GzipJoin {
  private crc = 0;
  private length = 0;

  /** The bytes that come first. */
  start(): Buffer {
    return HEADER;
  }

  /** The bytes to send for the next piece (its own). */
  add(p: Deflated): Buffer {
    this.crc = crc32Combine(this.crc, p.crc, p.length);
    this.length += p.length;
    return p.bytes;
  }

  /** The bytes that end the member: the final block, the CRC-32 and the length mod 2^32. */
  end(): Buffer {
    const tail = Buffer.alloc(FINAL_BLOCK.length + 8);
    FINAL_BLOCK.copy(tail);
    tail.writeUInt32LE(this.crc >>> 0, FINAL_BLOCK.length);
    tail.writeUInt32LE(this.length % 2 ** 32, FINAL_BLOCK.length + 4);
    return tail;
  }
}

// CRC-32 of two byte strings joined, from theirs: zlib's crc32_combine (crc32.c), which Node does
// not expose. Polynomials over GF(2), reflected, as the CRC is.
const POLY = 0xedb88320;

/** a * b modulo the CRC polynomial. */
function multModP(a: number, b: number): number {
  let m = 1 << 31;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: number[] = [1 << 30];
for (let k = 1; k < 32; k++) X2N.push(multModP(X2N[k - 1]!, X2N[k - 1]!));

/** x^(n * 2^k) modulo the polynomial. */
function x2nModP(n: number, k: number): number {
  let p = 1 << 31;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** The CRC-32 of A then B, from A's CRC, B's CRC and B's length. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
