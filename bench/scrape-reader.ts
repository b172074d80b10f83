/**
 * How the harness reads a scrape: into one buffer kept from scrape to scrape, as Prometheus keeps
 * its scrape buffers (a pool sized by the last scrape). Holding each response's chunks instead put
 * 49 MiB of fresh memory per 10k-symbol scrape through the page-fault path: 330-370 ms of the
 * harness's CPU, taken from the two cores the exporter shares (docs/performance.md, ninth round).
 */
import { get } from 'node:http';

export class ScrapeReader {
  private buf = Buffer.alloc(0);

  /**
   * GET a URL as raw bytes: the harness shares the machine, so it does no decoding while it
   * times. The bytes are a view of the reader's buffer, good until the next `get`: `keep()` what
   * must outlive it.
   */
  get(url: string, headers: Record<string, string> = {}): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      get(url, { headers }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          if (n + c.length > this.buf.length) {
            const next = Buffer.allocUnsafe(Math.max(2 * this.buf.length, n + c.length, 1 << 20));
            this.buf.copy(next, 0, 0, n);
            this.buf = next;
          }
          n += c.copy(this.buf, n);
        });
        res.on('end', () => (res.statusCode === 200 ? resolve(this.buf.subarray(0, n)) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      }).on('error', reject);
    });
  }

  /** A body that must outlive the next `get`: a copy when it is a view of the reader's buffer. */
  keep(body: Buffer): Buffer {
    return body.buffer === this.buf.buffer ? Buffer.from(body) : body;
  }
}
