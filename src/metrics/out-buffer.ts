/**
 * The buffer a scrape's per-symbol families are copied into, kept from one scrape to the next.
 *
 * At 10k symbols a plain scrape's buffer is ~50 MB; a gzipped one's is a run of segments, ~16 MB
 * (render.ts). A new one per scrape is external memory that V8 weighs against its heap: every few
 * scrapes it stopped ingest to collect the whole ~330 MB heap on the spot and free the old ones
 * (bench, 10k symbols: a 66 ms full collection inside a 105 ms stall). Kept, a scrape allocates
 * nothing of that size.
 *
 * A buffer is lent to one scrape until its bytes have left the process: the socket still holds
 * the last pieces when the render is done, and overwriting them would corrupt that response. A
 * scrape that starts meanwhile gets a buffer of its own, which is not kept.
 */

/** Room to spare when a kept buffer is (re)made: values and series come and go by a few bytes. */
const HEADROOM = 1.125;
/** A kept buffer more than this many times the size asked for is made again, smaller. */
const SHRINK = 4;

export interface Lease {
  readonly buf: Buffer;
  /** Give the buffer back; its bytes may be overwritten from then on. Idempotent. */
  release(): void;
}

export class OutputBuffer {
  private kept: Buffer | undefined;
  private lent = false;

  /**
 * A buffer of at least `size` bytes until release(). Its own memory (allocUnsafeSlow): a small one
 * cut from Node's shared pool would keep that 8 kB slab alive between scrapes.
 */
  take(size: number): Lease {
    if (this.lent) return { buf: Buffer.allocUnsafeSlow(size), release: () => {} };
    const kept = this.kept;
    const buf = kept !== undefined && kept.length >= size && kept.length <= size * SHRINK ? kept : Buffer.allocUnsafeSlow(Math.ceil(size * HEADROOM));
    // Before the new one is filled: the old one is garbage from here.
    this.kept = buf;
    this.lent = true;
    let held = true;
    return {
      buf,
      release: () => {
        if (!held) return;
        held = false;
        if (this.kept === buf) this.lent = false;
      },
    };
  }

  /** Bytes kept between scrapes (0 before the first). */
  get size(): number {
    return this.kept?.length ?? 0;
  }
}
