/** Guard for indicator parameters: the config loader validates too, but a bad period here would
 * silently never warm up (0, NaN) or throw deep inside the library, so fail early and clearly. */
export function requirePeriod(name: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  return value;
}

/** The library's default formatter reads its global 'precision' setting; ours never rounds. */
export const identity = (v: number): number => v;
