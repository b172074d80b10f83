/**
 * Durations and byte sizes as a config file writes them. Durations use Prometheus' spelling
 * (whole numbers with units in decreasing order: "1h30m", "90s", "500ms") so that the labels
 * we export ("1m", "5m") read the same in the exporter, in PromQL and in the config.
 */

const DURATION_UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;

// Units must appear at most once and largest first, as in Prometheus: "1h30m" yes, "30m1h" no.
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parse "500ms", "30s", "5m", "1h", "1d", "1h30m" into milliseconds. Returns undefined when the
 * text is not a duration (including the empty string and fractions like "1.5s").
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m || text === '') return undefined;
  let ms = 0;
  DURATION_UNITS.forEach(([, factor], i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * factor;
  });
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The canonical spelling of a whole number of milliseconds: the largest units first, zero parts
 * left out (60000 → "1m", 90000 → "1m30s", 1500 → "1s500ms", 0 → "0s").
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of DURATION_UNITS) {
    const n = Math.floor(rest / factor);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * factor;
    }
  }
  return out;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KiB: 1 << 10,
  MiB: 1 << 20,
  GiB: 1 << 30,
};
const SIZE_RE = /^(\d+)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/;

/** Parse "65536", "64KiB", "1MiB", "1MB" into bytes. Returns undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = SIZE_RE.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
