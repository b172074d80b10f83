/**
 * A preload for an exporter under the bench: which allocation sites fill the old generation. V8's
 * sampling heap profiler runs for a window of the process's life, keeping the samples of objects
 * that full collections freed (they had reached the old generation: promoted, or pretenured) and
 * of objects still alive at the end, and dropping those that died young. Writes the profile
 * (`old-gen-<pid>.heapprofile`, for Chrome's DevTools) and the sites that took the most, by their
 * innermost frames (`old-gen-<pid>.txt`), to $OLD_GEN_DIR (default the working directory).
 *
 *   npm run build && OLD_GEN_DIR=/tmp/og npm run bench -- --only metrics --quick --worst-scrapes 0 \
 *     --node-args="--import ./dist/bench/old-gen-sites.js"
 *
 * $OLD_GEN_FROM_MS (default 15,000) and $OLD_GEN_FOR_MS (default 25,000) set the window: the bench's
 * exporters backfill first, and their state, made then, is not what fills the old generation later.
 * A sample stands for ~16 kB of allocation ($OLD_GEN_SAMPLE_BYTES). A full collection frees what
 * is young at the time as well: each one adds up to a young generation's worth of short-lived
 * objects, spread over the sites in proportion to what they allocate.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

/** Bytes by allocation site (the `depth` innermost frames, innermost first), largest first. */
function topSites(head: ProfileNode, depth: number, count: number): { site: string; bytes: number }[] {
  const bytes = new Map<string, number>();
  const walk = (node: ProfileNode, stack: string[]): void => {
    const f = node.callFrame;
    const here = [`${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`, ...stack];
    if (node.selfSize > 0) {
      const site = here.slice(0, depth).join(' < ');
      bytes.set(site, (bytes.get(site) ?? 0) + node.selfSize);
    }
    for (const c of node.children) walk(c, here);
  };
  walk(head, []);
  return [...bytes].map(([site, b]) => ({ site, bytes: b })).sort((a, b) => b.bytes - a.bytes).slice(0, count);
}

const SITE_FRAMES = 3;
const SITES_LISTED = 30;

const dir = process.env.OLD_GEN_DIR ?? '.';
const from = Number(process.env.OLD_GEN_FROM_MS ?? 15_000);
const span = Number(process.env.OLD_GEN_FOR_MS ?? 25_000);
const session = new Session();
session.connect();
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
setTimeout(() => {
  void (async () => {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: Number(process.env.OLD_GEN_SAMPLE_BYTES ?? 16_384),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    });
    setTimeout(() => {
      void post('HeapProfiler.stopSampling').then((res) => {
        const profile = (res as { profile: { head: ProfileNode } }).profile;
        writeFileSync(join(dir, `old-gen-${process.pid}.heapprofile`), JSON.stringify(profile));
        const sites = topSites(profile.head, SITE_FRAMES, SITES_LISTED);
        const total = topSites(profile.head, 1, Infinity).reduce((a, s) => a + s.bytes, 0);
        const lines = [`${(total / 2 ** 20).toFixed(1)} MiB sampled from ${from} ms for ${span} ms`, ...sites.map((s) => `${(s.bytes / 2 ** 20).toFixed(2)} MiB  ${s.site}`)];
        writeFileSync(join(dir, `old-gen-${process.pid}.txt`), `${lines.join('\n')}\n`);
      });
    }, span).unref();
  })();
}, from).unref();
