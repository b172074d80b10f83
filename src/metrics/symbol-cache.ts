/**
 * What a scrape keeps per symbol between scrapes (its lines as bytes, its info label text), keyed
 * by the symbol's state.
 *
 * A Map, not a WeakMap: V8 marks a WeakMap's entries (ephemerons) inside the pause of a full
 * collection. At 10k symbols, three per-symbol WeakMaps (30k entries) took 12-22 ms of 17-28 ms
 * pauses (`--trace-gc-nvp`: mark.ephemeron.marking), a live frame's whole 20 ms budget
 * (docs/performance.md, tenth round). A strong map has to forget the symbols a reload removed or
 * replaced itself: prune().
 */
import type { FeedState } from '../market/feed-state.js';
import type { SymbolState } from '../market/symbol.js';

export class SymbolCache<V> {
  private readonly entries = new Map<SymbolState, V>();

  get(s: SymbolState): V | undefined {
    return this.entries.get(s);
  }

  set(s: SymbolState, v: V): void {
    this.entries.set(s, v);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Forget every symbol that is no longer one of `feeds`' (its feed or its symbol went away, or a
   * reload made it afresh). `met`: how many symbols the caller's walk over `feeds` just cached.
   * While the cache holds no more than that, nothing in it is stale, and it is not walked.
   */
  prune(feeds: Iterable<FeedState>, met: number): void {
    if (this.entries.size <= met) return;
    const byName = new Map<string, FeedState>();
    for (const f of feeds) byName.set(f.name, f);
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const s of this.entries.keys()) if (byName.get(s.exchange)?.symbols.get(s.symbol) !== s) this.entries.delete(s);
  }
}
