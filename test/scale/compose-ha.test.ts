// The compose `ha` profile: `docker compose --profile ha config` (tools/bin/docker-compose, no
// daemon) is valid and runs two exporters, two Prometheus and two clustered Alertmanagers; each
// second service is its twin apart from its data; prometheus.yml finds the twins by DNS; the
// Alertmanager start command really produces the cluster flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import { load } from 'js-yaml';
import { repoRoot } from '../support/prometheus.js';
import { toolPath } from '../support/tools.js';

interface Service {
  image?: string;
  profiles?: string[];
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  volumes?: { type: string; source?: string; target: string; read_only?: boolean }[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function composeConfig(profiles: string[]): Compose {
  const home = mkdtempSync(path.join(tmpdir(), 'market-compose-ha-'));
  try {
    const emptyEnv = path.join(home, 'empty.env');
    writeFileSync(emptyEnv, '');
    const args = ['--env-file', emptyEnv, ...profiles.flatMap((p) => ['--profile', p]), '-f', 'docker-compose.yml', 'config', '--format', 'json'];
    const res = spawnSync(toolPath('docker-compose'), args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: home, GRAFANA_ADMIN_PASSWORD: 'test-only-password' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(res.status, 0, res.stderr);
    return JSON.parse(res.stdout) as Compose;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const ha = composeConfig(['ha']);
const svc = (name: string): Service => {
  const s = ha.services[name];
  assert.ok(s, `no service ${name}`);
  return s;
};
const TWINS = [
  ['market-exporter', 'market-exporter-b'],
  ['prometheus', 'prometheus-b'],
  ['alertmanager', 'alertmanager-b'],
] as const;

/** The Alertmanager container's command line, as its shell would expand it. */
function alertmanagerArgs(s: Service): string[] {
  const script = (s.command ?? [])[0]!.replaceAll('$$', '$');
  const exec = script.split(' && exec ')[1]!;
  const res = spawnSync('/bin/sh', ['-c', `printf '%s\\n' ${exec}`], { env: { PATH: process.env.PATH ?? '', ...s.environment }, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.trim().split('\n');
}

describe('docker compose --profile ha', () => {
  test('runs two exporters, two Prometheus and two Alertmanagers; without the profile, one of each', () => {
    assert.deepEqual(Object.keys(ha.services).sort(), [
      'alertmanager', 'alertmanager-b', 'grafana', 'mailpit', 'market-exporter', 'market-exporter-b', 'prometheus', 'prometheus-b',
    ]);
    for (const [, b] of TWINS) assert.deepEqual(svc(b).profiles, ['ha']);
    const plain = composeConfig([]);
    assert.deepEqual(Object.keys(plain.services).filter((n) => n.endsWith('-b')), []);
  });

  test('each second service is its twin: same image, command, checks; its own data volume', () => {
    for (const [a, b] of TWINS) {
      for (const key of ['image', 'command', 'entrypoint', 'healthcheck', 'expose'] as const) {
        assert.deepEqual(svc(b)[key], svc(a)[key], `${b}.${key}`);
      }
      const named = (s: Service) => (s.volumes ?? []).filter((v) => v.type === 'volume');
      const binds = (s: Service) => (s.volumes ?? []).filter((v) => v.type !== 'volume');
      assert.deepEqual(binds(svc(b)), binds(svc(a)), `${b}: the same config mounts`);
      assert.deepEqual(named(svc(b)).map((v) => v.target), named(svc(a)).map((v) => v.target));
      for (const v of named(svc(b))) {
        assert.notEqual(v.source, named(svc(a)).find((x) => x.target === v.target)?.source, `${b} shares ${v.target} with ${a}`);
        assert.ok(v.source && ha.volumes && v.source in ha.volumes, `${b}: volume ${v.source} is declared`);
      }
    }
  });

  test('prometheus.yml finds the twins by DNS; both Prometheus load it and carry no replica label', () => {
    const prom = load(readFileSync(path.join(repoRoot, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      global: { external_labels?: Record<string, string> };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[]; dns_sd_configs?: { names: string[]; port: number }[] }[] };
    };
    // Identical alerts from both replicas are what lets Alertmanager merge them.
    assert.equal(prom.global.external_labels, undefined);
    const exporterJob = prom.scrape_configs.find((s) => s.job_name === 'market-exporter')!;
    const found = [...(exporterJob.dns_sd_configs ?? []), ...prom.alerting.alertmanagers.flatMap((a) => a.dns_sd_configs ?? [])];
    assert.deepEqual(found.flatMap((d) => d.names).sort(), ['alertmanager-b', 'market-exporter-b']);
    for (const d of found) for (const n of d.names) assert.ok((svc(n).expose ?? []).includes(String(d.port)), `${n} exposes ${d.port}`);
    for (const name of ['prometheus', 'prometheus-b']) {
      assert.ok((svc(name).command ?? []).includes('--config.file=/etc/prometheus/prometheus.yml'), name);
    }
    assert.deepEqual(Object.keys(svc('prometheus-b').depends_on ?? {}).sort(), ['alertmanager', 'alertmanager-b', 'market-exporter', 'market-exporter-b']);
  });

  test('the Alertmanagers form a cluster: both gossip on 9094, the second joins the first', () => {
    const a = alertmanagerArgs(svc('alertmanager'));
    const b = alertmanagerArgs(svc('alertmanager-b'));
    assert.ok(a.includes('--cluster.listen-address=0.0.0.0:9094'), a.join(' '));
    assert.ok(b.includes('--cluster.listen-address=0.0.0.0:9094'), b.join(' '));
    assert.deepEqual(a.filter((x) => x.startsWith('--cluster.peer')), [], 'the first needs no peer: membership is mutual');
    assert.deepEqual(b.filter((x) => x.startsWith('--cluster.peer')), ['--cluster.peer=alertmanager:9094']);
    assert.ok((svc('alertmanager').expose ?? []).includes('9094'));
    assert.equal(svc('alertmanager-b').depends_on?.alertmanager?.condition, 'service_healthy');
  });
});
