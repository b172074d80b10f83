/**
 * Settings that were removed, with what to write instead: a file written for an older version
 * gets told how to say the same thing now, not just "unknown". Messages only: nothing here
 * changes what a valid config does.
 */

/** By key path (as messages spell it): why it is gone and what replaces it. */
export const REMOVED_KEYS: Readonly<Record<string, string>> = {
  simulator:
    'removed: the exporter no longer runs a simulator from a config file; run it as its own process (npm run simulator -- --symbols BTCUSDT,ETHUSDT) and point a binance feed at it (docs/config.md#the-simulator), or start without --config for the built-in demo',
};

/** By venue key: why it is gone and what to write instead. */
export const REMOVED_VENUES: Readonly<Record<string, string>> = {
  simulator:
    "removed: the simulator speaks Binance's format, so write venue: binance, url: the simulator's ws:// address, its symbols, and name: simulator to keep the exchange label (docs/config.md#the-simulator)",
};

export function removedKey(path: string): string | undefined {
  return Object.hasOwn(REMOVED_KEYS, path) ? REMOVED_KEYS[path] : undefined;
}

export function removedVenue(venue: unknown): string | undefined {
  return typeof venue === 'string' && Object.hasOwn(REMOVED_VENUES, venue) ? REMOVED_VENUES[venue] : undefined;
}
