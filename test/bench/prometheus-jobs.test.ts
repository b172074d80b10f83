import { test } from 'vitest';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { durationS, exporterJobs, exposition, scrapeRequest, shippedJobs } from '../../bench/prometheus-jobs.js';
import { scrapeGroups } from '../../src/server.js';

test('the shipped prometheus.yml: a 15 s job without the fast lane, a 1 s job of only the fast lane, both gzipped', () => {
  const { full, fast } = shippedJobs();
  assert.deepEqual(full, { name: 'market-exporter', intervalS: 15, timeoutS: 10, query: '?exclude%5B%5D=health&exclude%5B%5D=moves', gzip: true });
  assert.deepEqual(fast, { name: 'market-exporter-fast', intervalS: 1, timeoutS: 1, query: '?collect%5B%5D=health&collect%5B%5D=moves', gzip: true });
  // The exporter reads them as the two lanes: between them every group, none twice.
  const groups = (q: string) => [...(scrapeGroups(new URLSearchParams(q)) as Set<string>)].sort();
  assert.deepEqual(groups(full.query), ['rest']);
  assert.deepEqual(groups(fast.query), ['health', 'moves']);
});

test('jobs of other targets are left out; global and Prometheus defaults fill what a job does not set', () => {
  const jobs = exporterJobs(`
global: {scrape_interval: 30s}
scrape_configs:
  - job_name: a
    static_configs: [{targets: ["market-exporter:10790"]}]
  - job_name: other
    static_configs: [{targets: ["localhost:9090"]}]
  - job_name: b
    scrape_interval: 5s
    scrape_timeout: 20s
    enable_compression: false
    params: {z: ["2"], "collect[]": [x, y]}
    static_configs: [{targets: ["elsewhere:1"]}, {targets: ["market-exporter:1"]}]
`);
  assert.deepEqual(jobs, [
    { name: 'a', intervalS: 30, timeoutS: 10, query: '', gzip: true },
    // Keys sorted as Go's url.Values.Encode sorts them; a timeout never past the interval.
    { name: 'b', intervalS: 5, timeoutS: 5, query: '?collect%5B%5D=x&collect%5B%5D=y&z=2', gzip: false },
  ]);
  assert.deepEqual(exporterJobs('scrape_configs:\n  - job_name: c\n    static_configs: [{targets: ["market-exporter:1"]}]\n'), [{ name: 'c', intervalS: 60, timeoutS: 10, query: '', gzip: true }]);
});

test('durations: one unit each, anything else is an error naming the text', () => {
  assert.deepEqual(['15s', '500ms', '1m', '2h', '1.5s'].map(durationS), [15, 0.5, 60, 7200, 1.5]);
  for (const bad of ['15', '1m30s', 's', '-1s']) assert.throws(() => durationS(bad), new RegExp(`not a Prometheus duration: "${bad}"`));
});

test('a job\'s request: its query on /metrics, gzip asked for when it compresses; its body read back the same way', () => {
  const { full } = shippedJobs();
  assert.deepEqual(scrapeRequest(full), { path: `/metrics${full.query}`, headers: { 'accept-encoding': 'gzip' } });
  const plain = { ...full, gzip: false };
  assert.deepEqual(scrapeRequest(plain).headers, {});
  const text = Buffer.from('# TYPE up gauge\nup 1\n');
  assert.ok(exposition(full, gzipSync(text)).equals(text));
  assert.ok(exposition(plain, text).equals(text));
});
