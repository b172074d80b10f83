/**
 * Kraken's book checksum (docs.kraken.com, guides "Book checksum (WebSocket v2)" and "(v1)"): for
 * the top 10 asks, low to high, then the top 10 bids, high to low, each price and quantity as
 * sent with its `.` removed and its leading zeros stripped, concatenated; the CRC32 of that
 * string as an unsigned 32-bit integer.
 *
 * "As sent" is the point: v2 puts numbers on the wire at full precision ("0.00100000"), and a
 * float parse drops the trailing zeros the checksum covers. The adapter reads how many decimals
 * the venue writes (per instrument, fixed) from the frame's text, and the book is printed back at
 * that precision here, the way Kraken's FIX guide formats its float feed by instrument precision.
 */
import { crc32 } from 'node:zlib';
import { ASK, BID, type Book } from './book.js';

/** Levels the checksum covers, whatever the subscribed depth. */
export const CHECKSUM_LEVELS = 10;

/** `x` at `decimals` places, `.` removed, leading zeros stripped: "0.05005" -> "5005". */
export function checksumDigits(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  let out = '';
  let leading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '.') continue;
    if (leading && c === '0') continue;
    leading = false;
    out += c;
  }
  return out;
}

/** The string Kraken hashes for this book. */
export function checksumText(book: Book, priceDecimals: number, qtyDecimals: number): string {
  let s = '';
  for (const side of [ASK, BID] as const) {
    const n = Math.min(book.len[side], CHECKSUM_LEVELS);
    const px = book.px[side];
    const q = book.qty[side];
    for (let i = 0; i < n; i++) s += checksumDigits(px[i]!, priceDecimals) + checksumDigits(q[i]!, qtyDecimals);
  }
  return s;
}

/** The unsigned CRC32 Kraken sends as `checksum`. */
export function krakenChecksum(book: Book, priceDecimals: number, qtyDecimals: number): number {
  return crc32(checksumText(book, priceDecimals, qtyDecimals)) >>> 0;
}
