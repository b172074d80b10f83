/** "Did you mean ...?" for misspelt keys and values. */

// Spelling variants people carry over from other tools: snake_case, kebab-case, any case.
const normalise = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions ("lsiten"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo (at most a third
 * of the longer word's letters differ, and at least one may) or a longer spelling of it
 * ("warning" for warn), else undefined.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = normalise(word);
  const stem = candidates.find((c) => normalise(c).length >= 4 && w.startsWith(normalise(c)));
  if (stem !== undefined) return stem;
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const dist = distance(w, normalise(c));
    if (dist < bestDist) {
      best = c;
      bestDist = dist;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(w.length, best.length) / 3));
  return bestDist <= allowed ? best : undefined;
}
