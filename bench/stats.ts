/** Small pure helpers for summarising repeated runs. */

/** Median of the finite values (NaN when there are none). */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Largest finite value (NaN when there are none). */
export function maxOf(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length ? Math.max(...v) : NaN;
}

/** Rounded to `digits` significant digits, so the JSON stays readable. */
export function sig(v: number, digits = 3): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v;
}
