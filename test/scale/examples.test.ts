// prometheus/examples/: the scaling examples are valid Prometheus configs (promtool), and the
// hashmod one really splits the exporter fleet: two real Prometheus servers started from it
// (shard 0 and shard 1, nothing else changed) scrape every exporter target exactly once
// between them, with both replicas of an exporter shard on the same server.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { load } from 'js-yaml';
import { prometheusDir } from '../support/prometheus.js';
import { pollUntil, spawnService, type ServiceProcess } from '../support/service-process.js';
import { toolPath } from '../support/tools.js';

const examplesDir = path.join(prometheusDir, 'examples');
const hashmodFile = path.join(examplesDir, 'hashmod-shards.yml');
const running: ServiceProcess[] = [];
const dirs: string[] = [];

interface Target {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
}

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The example as Prometheus shard `shard`: only the marked keep regex changes. */
function asShard(shard: number, dir: string): string {
  const text = readFileSync(hashmodFile, 'utf8');
  const marked = /(- source_labels: \[__tmp_prometheus_shard\]\n\s+regex: )"0"/;
  assert.match(text, marked, 'the example keeps shard "0" in one marked place');
  // The copy lives elsewhere, so its relative rule paths become absolute.
  const copy = text.replace(marked, `$1"${shard}"`).replaceAll('../rules/', `${prometheusDir}/rules/`).replaceAll('../alerts/', `${prometheusDir}/alerts/`);
  const file = path.join(dir, `prometheus-${shard}.yml`);
  writeFileSync(file, copy);
  return file;
}

async function startFromExample(shard: number): Promise<ServiceProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), `market-hashmod-${shard}-`));
  dirs.push(dir);
  const configFile = asShard(shard, dir);
  const proc = await spawnService({
    name: `prometheus-shard-${shard}`,
    command: toolPath('prometheus'),
    readyPath: '/-/ready',
    args: (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // The example's remote_write store does not exist here: do not wait for it on shutdown.
      '--storage.remote.flush-deadline=1s',
    ],
  });
  running.push(proc);
  return proc;
}

async function exporterTargets(p: ServiceProcess): Promise<Target[]> {
  const res = await fetch(`${p.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data: { activeTargets: Target[] } };
  return body.data.activeTargets.filter((t) => t.labels.job === 'market-exporter');
}

describe('prometheus/examples', () => {
  test('every example passes promtool check config, rule files included', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.yml'));
    assert.deepEqual(files.sort(), ['hashmod-shards.yml', 'remote-write.yml']);
    for (const f of files) {
      const res = spawnSync(toolPath('promtool'), ['check', 'config', path.join(examplesDir, f)], { encoding: 'utf8' });
      assert.equal(res.status, 0, `${f}:\n${res.stdout}${res.stderr}`);
      assert.match(res.stdout, /SUCCESS: \d+ rule files found/);
      const cfg = load(readFileSync(path.join(examplesDir, f), 'utf8')) as {
        global: { external_labels?: Record<string, string> };
        alerting: { alert_relabel_configs?: { regex?: string; action?: string }[] };
        remote_write?: { url: string; queue_config?: object }[];
      };
      assert.ok(cfg.remote_write?.[0]?.queue_config, `${f}: remote_write with an explicit queue_config`);
      // A replica label on alerts would make the two Prometheus replicas' alerts two alerts.
      const replicaLabels = Object.keys(cfg.global.external_labels ?? {}).filter((l) => /replica/.test(l));
      assert.ok(replicaLabels.length > 0, `${f}: external labels name the replica`);
      for (const l of replicaLabels) {
        const dropped = (cfg.alerting.alert_relabel_configs ?? []).some((r) => r.action === 'labeldrop' && new RegExp(`^(?:${r.regex})$`).test(l));
        assert.ok(dropped, `${f}: ${l} is not dropped from alerts`);
      }
    }
  });

  test('hashmod: two Prometheus servers scrape each exporter target once per lane, pairs together', async () => {
    const servers = await Promise.all([startFromExample(0), startFromExample(1)]);
    const [t0, t1] = await pollUntil(
      async () => {
        const all = await Promise.all(servers.map(exporterTargets));
        return all.every((t) => t.length > 0) ? all : undefined;
      },
      'exporter targets on both servers',
    );
    const cfg = load(readFileSync(hashmodFile, 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const configured = cfg.scrape_configs.find((s) => s.job_name === 'market-exporter')!.static_configs.flatMap((s) => s.targets);
    const all = [...t0!, ...t1!];
    for (const [pool, lane] of [
      ['market-exporter', undefined],
      ['market-exporter-fast', 'fast'],
    ] as const) {
      const scraped = all.filter((t) => t.scrapePool === pool);
      assert.deepEqual(scraped.map((t) => t.labels.instance ?? '').sort(), [...configured].sort(), `${pool}: every target exactly once across the two servers`);
      for (const t of scraped) assert.equal(t.labels.lane, lane, `${pool}: lane label of ${t.labels.instance}`);
    }
    // The fast lane asks for the two fast families only, as prometheus.yml does.
    for (const t of all.filter((t) => t.scrapePool === 'market-exporter-fast')) {
      assert.deepEqual(new URL(t.scrapeUrl).searchParams.getAll('collect[]'), ['health', 'moves']);
    }

    const shardsOn = (ts: Target[]) => [...new Set(ts.map((t) => t.discoveredLabels.__tmp_exporter_shard))].sort();
    assert.deepEqual(shardsOn(t0!), ['0', '2']);
    assert.deepEqual(shardsOn(t1!), ['1', '3']);
    for (const ts of [t0!, t1!]) {
      // Both replicas (…a and …b) of each exporter shard on one server, in both lanes.
      for (const shard of shardsOn(ts)) assert.equal(ts.filter((t) => t.discoveredLabels.__tmp_exporter_shard === shard).length, 4);
      // The hashing labels are gone from the series.
      for (const t of ts) assert.deepEqual(Object.keys(t.labels).sort(), t.labels.lane ? ['instance', 'job', 'lane'] : ['instance', 'job']);
    }
  });
});
