/**
 * prometheus/examples/remote-write.yml against a real long-term store: Debian's
 * victoria-metrics, the remote_write target of both Prometheus servers of an HA pair, which both
 * scrape the same two exporters. Substituted, as the example itself says for VictoriaMetrics:
 * the store's URL, and no `__replica__` label (the two replicas' series must be identical for
 * the store to deduplicate them, with -dedup.minScrapeInterval=15s, the scrape interval).
 * Everything else (queue, relabelling, rules, scrape jobs) is used as shipped; the exporters
 * answer on the compose network under the example's own target names.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GenericContainer, Network, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import { pollUntil } from '../support/service-process.js';
import { repoRoot as ROOT } from '../support/prometheus.js';
import { dockerWith, NEVER_PULL } from './docker.js';
import { prometheus } from './stack.js';

const IMAGES = ['market-exporter:ci', 'market-exporter-ci/prometheus:ci', 'market-exporter-ci/victoria-metrics:ci'];
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];
const EXAMPLE = join(ROOT, 'prometheus/examples/remote-write.yml');

/** The example with the store's address substituted and the replica label removed. */
export function exampleForVictoriaMetrics(text: string): string {
  const out = text
    .replace('url: http://mimir:9009/api/v1/push', 'url: http://victoriametrics:8428/api/v1/write')
    .replace(/^\s*__replica__: a\n/m, '');
  if (out.includes('mimir:9009') || out.includes('__replica__: a')) throw new Error('remote-write.yml changed: update the substitution');
  return out;
}

let network: StartedNetwork;
const containers: StartedTestContainer[] = [];
let dir: string;
let store: ReturnType<typeof prometheus>;
let replicas: ReturnType<typeof prometheus>[];

/**
 * Start them together. Waits for every start to settle before reporting a failure: a container
 * still starting when another failed would otherwise be missed by afterAll and left running.
 */
async function start(...cs: GenericContainer[]): Promise<StartedTestContainer[]> {
  const results = await Promise.allSettled(cs.map((c) => c.withPullPolicy(NEVER_PULL).withNetwork(network).start()));
  for (const r of results) if (r.status === 'fulfilled') containers.push(r.value);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<StartedTestContainer>).value);
}

beforeAll(async () => {
  await dockerWith(IMAGES);
  network = await new Network().start();
  dir = mkdtempSync(join(tmpdir(), 'market-ltstore-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'remote-write.yml'), exampleForVictoriaMetrics(readFileSync(EXAMPLE, 'utf8')), { mode: 0o644 });

  // The store and both exporters start together; the exporters are up once their HEALTHCHECK
  // passes (its first probe comes after 15 s).
  const [vm] = await start(
    new GenericContainer('market-exporter-ci/victoria-metrics:ci')
      .withNetworkAliases('victoriametrics')
      .withCommand(['-dedup.minScrapeInterval=15s', '-storageDataPath=/tmp/vm', '-retentionPeriod=1d', '-search.latencyOffset=0s'])
      .withExposedPorts(8428)
      .withWaitStrategy(Wait.forHttp('/health', 8428)),
    ...['exporter-a', 'exporter-b'].map((alias) =>
      new GenericContainer('market-exporter:ci').withNetworkAliases(alias).withWaitStrategy(Wait.forHealthCheck()).withStartupTimeout(120_000),
    ),
  );
  store = prometheus(`http://127.0.0.1:${vm!.getMappedPort(8428)}`);
  // The shipped prometheus/ directory (rules and alerts the example loads relative to itself),
  // with the substituted example in the example's place.
  const pair = await start(
    ...['prometheus-a', 'prometheus-b'].map((alias) =>
      new GenericContainer('market-exporter-ci/prometheus:ci')
        .withNetworkAliases(alias)
        .withBindMounts([
          { source: join(ROOT, 'prometheus'), target: '/etc/prometheus', mode: 'ro' },
          { source: join(dir, 'remote-write.yml'), target: '/etc/prometheus/examples/remote-write.yml', mode: 'ro' },
        ])
        .withCommand(['--config.file=/etc/prometheus/examples/remote-write.yml', '--storage.tsdb.path=/prometheus'])
        .withExposedPorts(9090)
        .withWaitStrategy(Wait.forHttp('/-/ready', 9090)),
    ),
  );
  replicas = pair.map((p) => prometheus(`http://127.0.0.1:${p.getMappedPort(9090)}`));
});

afterAll(async () => {
  for (const c of containers.reverse()) await c.stop({ timeout: 5 }).catch(() => undefined);
  await network?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('remote_write to victoria-metrics from an HA pair (prometheus/examples/remote-write.yml)', () => {
  test('both Prometheus servers write to the store without failures', async () => {
    for (const p of replicas) {
      await pollUntil(async () => (await p.query('up{job="market-exporter"} == 1')).length === 2, 'both exporters scraped', { timeoutMs: 60_000, everyMs: 1000 });
      await pollUntil(async () => Number((await p.query('sum(prometheus_remote_storage_samples_total{remote_name="mimir"})'))[0]?.value[1] ?? 0) > 1000,
        'samples sent', { timeoutMs: 90_000, everyMs: 2000 });
      expect(Number((await p.query('sum(prometheus_remote_storage_samples_failed_total)'))[0]?.value[1] ?? 0)).toBe(0);
    }
  });

  test('the store holds one series per symbol and exporter, without the Node.js runtime series', async () => {
    const series = await pollUntil(async () => {
      const s = await store.query('market_price{job="market-exporter"}');
      return s.length === 2 * SYMBOLS.length ? s : undefined;
    }, 'prices of both exporters in the store', { timeoutMs: 90_000, everyMs: 2000 });
    // Identical label sets from the two replicas: nothing tells them apart, so nothing doubles.
    expect(series.every((s) => !('__replica__' in s.metric) && s.metric.cluster === 'market')).toBe(true);
    expect(new Set(series.map((s) => `${s.metric.instance} ${s.metric.symbol}`)).size).toBe(2 * SYMBOLS.length);
    // The example's write_relabel_configs keep nodejs_* local: Prometheus has them, the store not.
    expect((await replicas[0]!.query('count({__name__=~"nodejs_.+"})'))[0]?.value[1]).toBeDefined();
    expect(await store.query('count({__name__=~"nodejs_.+"})')).toEqual([]);
  });

  test('deduplication leaves one sample per scrape interval, not one per replica', async () => {
    // A minute of data from both replicas: 4 scrapes at 15 s from each, 8 samples without dedup.
    await new Promise((r) => setTimeout(r, 60_000));
    const expr = 'count_over_time(market_price{job="market-exporter",instance="exporter-a:10790"}[1m])';
    const inStore = await store.query(expr);
    const inReplica = await replicas[0]!.query(expr);
    expect(inStore).toHaveLength(SYMBOLS.length);
    for (const s of inStore) {
      const own = Number(inReplica.find((r) => r.metric.symbol === s.metric.symbol)?.value[1]);
      expect(Number(s.value[1]), s.metric.symbol).toBeLessThanOrEqual(own + 1);
      expect(Number(s.value[1]), s.metric.symbol).toBeGreaterThanOrEqual(3);
    }
  });
});
