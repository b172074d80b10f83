/**
 * The scrapes the shipped prometheus/prometheus.yml makes of the exporter: each job whose targets
 * include it, with its interval, timeout, query string and whether it asks for gzip. The bench
 * scrapes the way these jobs do, so what it judges is what a user's Prometheus gets: the 15 s job
 * leaves out the fast lane's families, the 1 s job asks for only those, both compressed.
 * Pure but for `shippedJobs`, which reads the file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { load } from 'js-yaml';

export interface ScrapeJob {
  name: string;
  intervalS: number;
  /** Prometheus gives up on a scrape after this long and marks the target down. */
  timeoutS: number;
  /** `?…` as Prometheus builds it from `params` (keys sorted, values escaped), or ''. */
  query: string;
  /** `enable_compression` (Prometheus's default: true): Accept-Encoding: gzip. */
  gzip: boolean;
}

/** The path and headers of a scrape of the exporter as `job` makes it. */
export function scrapeRequest(job: ScrapeJob): { path: string; headers: Record<string, string> } {
  return { path: `/metrics${job.query}`, headers: job.gzip ? { 'accept-encoding': 'gzip' } : {} };
}

/** The exposition a scrape's body holds: what crossed the wire, decompressed if the job asked for gzip. */
export function exposition(job: ScrapeJob, wire: Buffer): Buffer {
  return job.gzip ? gunzipSync(wire) : wire;
}

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** A Prometheus duration of one unit ("15s", "500ms", "1m") in seconds. */
export function durationS(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`not a Prometheus duration: ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_S[m[2]!]!;
}

interface RawJob {
  job_name?: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  params?: Record<string, string[]>;
  enable_compression?: boolean;
  static_configs?: { targets?: string[] }[];
}

/** Prometheus's own defaults, for what neither the job nor `global` sets. */
const DEFAULT_INTERVAL = '1m';
const DEFAULT_TIMEOUT = '10s';

/** The jobs of a prometheus.yml that scrape `host` (a static target `host:port`), in file order. */
export function exporterJobs(text: string, host = 'market-exporter'): ScrapeJob[] {
  const doc = load(text) as { global?: { scrape_interval?: string; scrape_timeout?: string }; scrape_configs?: RawJob[] } | undefined;
  const global = doc?.global ?? {};
  const jobs: ScrapeJob[] = [];
  for (const j of doc?.scrape_configs ?? []) {
    const targets = (j.static_configs ?? []).flatMap((c) => c.targets ?? []);
    if (!targets.some((t) => t.split(':')[0] === host)) continue;
    const intervalS = durationS(j.scrape_interval ?? global.scrape_interval ?? DEFAULT_INTERVAL);
    // A timeout never exceeds the interval (Prometheus refuses a config where it would).
    const timeoutS = Math.min(intervalS, durationS(j.scrape_timeout ?? global.scrape_timeout ?? DEFAULT_TIMEOUT));
    const params = new URLSearchParams();
    for (const key of Object.keys(j.params ?? {}).sort()) for (const v of j.params![key]!) params.append(key, v);
    const query = params.size > 0 ? `?${params.toString()}` : '';
    jobs.push({ name: j.job_name ?? '', intervalS, timeoutS, query, gzip: j.enable_compression ?? true });
  }
  return jobs;
}

const SHIPPED = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../prometheus/prometheus.yml' : '../../prometheus/prometheus.yml', import.meta.url));

/**
 * The shipped prometheus.yml's two jobs for the exporter, by their names (part of the alert pack:
 * the rules and inhibitions name the job): the full scrape and the fast lane.
 */
export function shippedJobs(): { full: ScrapeJob; fast: ScrapeJob } {
  const jobs = exporterJobs(readFileSync(SHIPPED, 'utf8'));
  const full = jobs.find((j) => j.name === 'market-exporter');
  const fast = jobs.find((j) => j.name === 'market-exporter-fast');
  if (!full || !fast) throw new Error(`${SHIPPED}: expected a full and a fast-lane job for market-exporter, found ${jobs.map((j) => j.name).join(', ') || 'none'}`);
  return { full, fast };
}
