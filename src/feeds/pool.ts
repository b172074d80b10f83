/** Pure planning of which symbols ride on which connection. */

/**
 * Split symbols over connections so each carries at most `streamsLimit` streams (symbol × channel;
 * a symbol costs at least one stream even with no channels).
 *
 * Groups fill in order: every group is full except the last. That trades perfect balance for
 * stability: appending symbols never moves an existing symbol, so on a config reload only the
 * last connection (or a new one) has to change. Duplicate symbols are kept once, at their first
 * position. Throws when a single symbol's channels alone exceed the limit.
 */
export function planConnections(
  symbols: readonly string[],
  channels: readonly string[],
  streamsLimit: number,
): string[][] {
  if (!Number.isInteger(streamsLimit) || streamsLimit < 1) {
    throw new RangeError(`streams limit must be a positive integer, got ${streamsLimit}`);
  }
  const perSymbol = Math.max(1, channels.length);
  if (perSymbol > streamsLimit) {
    throw new RangeError(
      `one symbol needs ${perSymbol} streams (channels: ${channels.join(', ')}) but a connection carries at most ${streamsLimit}`,
    );
  }
  const perConnection = Math.floor(streamsLimit / perSymbol);
  const groups: string[][] = [];
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (seen.has(symbol)) continue;
    seen.add(symbol);
    let last = groups[groups.length - 1];
    if (!last || last.length >= perConnection) {
      last = [];
      groups.push(last);
    }
    last.push(symbol);
  }
  return groups;
}
