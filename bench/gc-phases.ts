/**
 * Sums up one process's `--trace-gc-nvp` output (V8 prints a line of `key=value` fields per
 * collection): the full collections (`gc=mc`) and scavenges (`gc=s`) from a given time on, their
 * pauses, and the two phases that made the full ones long at 10k symbols, ephemeron marking
 * (WeakMap entries, and marking left over when incremental marking was cut short) and evacuation
 * (compaction). The files come from `npm run bench -- ... --exporter-stdout DIR
 * --node-args=--trace-gc-nvp`, one per exporter.
 *
 *   node dist/bench/gc-phases.js FILE... [--from MS]
 *
 * `--from`: only collections at or after this many ms of the process's life (default 0).
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface Collection {
  /** Milliseconds since the process started, as V8 prints it. */
  t: number;
  /** `mc` (full), `s` (scavenge), or what else V8 names. */
  kind: string;
  /** Every numeric field, by V8's name (`pause`, `evacuate`, `mark.ephemeron.marking`, ...). */
  fields: ReadonlyMap<string, number>;
}

const LINE = /^\[[^\]]*\]\s+(\d+(?:\.\d+)?) ms: (.*)$/;

/** The collections in `text`; lines that are not nvp lines are skipped. */
export function parseNvp(text: string): Collection[] {
  const out: Collection[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    let kind = '';
    const fields = new Map<string, number>();
    for (const token of m[2]!.split(/\s+/)) {
      const eq = token.indexOf('=');
      if (eq <= 0) continue;
      const key = token.slice(0, eq);
      const value = token.slice(eq + 1);
      if (key === 'gc') kind = value;
      else if (value !== '' && Number.isFinite(Number(value))) fields.set(key, Number(value));
    }
    if (kind) out.push({ t: Number(m[1]), kind, fields });
  }
  return out;
}

export interface GcSummary {
  majors: number;
  majorsOver20Ms: number;
  majorPauseSumMs: number;
  majorPauseMaxMs: number;
  ephemeronSumMs: number;
  evacuateSumMs: number;
  scavenges: number;
  scavengesOver20Ms: number;
  scavengePauseMaxMs: number;
}

/** Totals over the collections at or after `fromMs`. */
export function summarise(collections: readonly Collection[], fromMs = 0): GcSummary {
  const s: GcSummary = {
    majors: 0, majorsOver20Ms: 0, majorPauseSumMs: 0, majorPauseMaxMs: 0, ephemeronSumMs: 0, evacuateSumMs: 0,
    scavenges: 0, scavengesOver20Ms: 0, scavengePauseMaxMs: 0,
  };
  for (const c of collections) {
    if (c.t < fromMs) continue;
    const pause = c.fields.get('pause') ?? 0;
    if (c.kind === 'mc') {
      s.majors++;
      if (pause > 20) s.majorsOver20Ms++;
      s.majorPauseSumMs += pause;
      s.majorPauseMaxMs = Math.max(s.majorPauseMaxMs, pause);
      s.ephemeronSumMs += c.fields.get('mark.ephemeron.marking') ?? 0;
      s.evacuateSumMs += c.fields.get('evacuate') ?? 0;
    } else if (c.kind === 's') {
      s.scavenges++;
      if (pause > 20) s.scavengesOver20Ms++;
      s.scavengePauseMaxMs = Math.max(s.scavengePauseMaxMs, pause);
    }
  }
  return s;
}

export function formatSummary(s: GcSummary): string {
  const ms = (v: number) => v.toFixed(1);
  return `full collections ${s.majors} (over 20 ms: ${s.majorsOver20Ms}), pauses ${ms(s.majorPauseSumMs)} ms in all, longest ${ms(s.majorPauseMaxMs)} ms; ` +
    `ephemeron marking ${ms(s.ephemeronSumMs)} ms, evacuation ${ms(s.evacuateSumMs)} ms | ` +
    `scavenges ${s.scavenges} (over 20 ms: ${s.scavengesOver20Ms}), longest ${ms(s.scavengePauseMaxMs)} ms`;
}

function main(argv: string[]): void {
  const at = argv.indexOf('--from');
  const fromMs = at >= 0 ? Number(argv.splice(at, 2)[1]) : 0;
  if (argv.length === 0 || !Number.isFinite(fromMs)) {
    console.error('usage: node dist/bench/gc-phases.js FILE... [--from MS]');
    process.exit(2);
  }
  for (const file of argv) console.log(`${file}: ${formatSummary(summarise(parseNvp(readFileSync(file, 'utf8')), fromMs))}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
