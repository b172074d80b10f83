/**
 * How long live frames waited, seen from outside the exporter: the simulator stamps each frame
 * with its send time (Binance's `E`), and the exporter's market_feed_lag_seconds histogram counts
 * send → handled. A frame held in the socket while the exporter's event loop is busy (a scrape's
 * slice, a collection, a backlog of reads) waits there, which the in-process stall monitor sees
 * only as one delay among many. The difference of two full scrapes' histograms covers every frame
 * in between, during the scrapes and between them. Pure: exposition text in, counts out.
 */

/** Cumulative lag bucket counts by upper bound (s), summed over every feed; +Inf as Infinity. */
export function lagBuckets(body: Buffer | string): Map<number, number> {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^market_feed_lag_seconds_bucket\{[^}]*le="([^"]+)"\} (\S+)$/gm)) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

export interface FrameWait {
  /** Frames counted between the two scrapes. */
  frames: number;
  /**
   * Of those, frames that waited longer than 10 ms, 20 ms (the target) and 100 ms. Over 10 ms tells
   * two builds apart in a quiet hour, when neither has a frame over 20 ms.
   */
  over10ms: number;
  over20ms: number;
  over100ms: number;
  /**
   * The longest wait lies in (floorS, ceilS]: the bounds of the highest bucket that counted a
   * frame (ceilS Infinity: beyond the last bound). NaN when no frame was counted.
   */
  floorS: number;
  ceilS: number;
}

/** What happened between two scrapes' histograms (`before` earlier). */
export function frameWait(before: Map<number, number>, after: Map<number, number>): FrameWait {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const d = (le: number) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const frames = d(Infinity);
  const over = (s: number) => frames - d(s);
  let floorS = NaN;
  let ceilS = NaN;
  for (let i = bounds.length - 1; i >= 0; i--) {
    const below = i > 0 ? d(bounds[i - 1]!) : 0;
    if (d(bounds[i]!) > below) {
      ceilS = bounds[i]!;
      floorS = i > 0 ? bounds[i - 1]! : 0;
      break;
    }
  }
  return { frames, over10ms: over(0.01), over20ms: over(0.02), over100ms: over(0.1), floorS, ceilS };
}
