/**
 * The project's Dockerfile, built as shipped (scripts/docker-images.sh; only its NODE_IMAGE base
 * is the local stand-in for the official Node image), run under testcontainers the way
 * docker-compose.yml runs it: read-only root filesystem, every capability dropped, a config
 * file mounted read-only. The feed in that file reads a simulator run from the same image as its
 * own container (dist/src/simulator/main.js), the way a user points a config at one.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GenericContainer, Network, type ContainerRuntimeClient, type StartedNetwork, type StartedTestContainer, Wait } from 'testcontainers';
import { pollUntil } from '../support/service-process.js';
import { containerLogs, dockerWith, NEVER_PULL } from './docker.js';

const IMAGE = 'market-exporter:ci';
const SYMBOLS = ['MOUNTEDUSDT', 'CONFIGUSDT'];

/** GenericContainer with `read_only: true`, which testcontainers has no builder method for. */
class ReadOnlyContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
  }
}

let client: ContainerRuntimeClient;
let container: StartedTestContainer;
let network: StartedNetwork | undefined;
let simulator: StartedTestContainer | undefined;
let dir: string;
let base: string;

beforeAll(async () => {
  client = await dockerWith([IMAGE]);
  dir = mkdtempSync(join(tmpdir(), 'market-image-'));
  chmodSync(dir, 0o755);
  network = await new Network().start();
  simulator = await new GenericContainer(IMAGE)
    .withPullPolicy(NEVER_PULL)
    .withNetwork(network)
    .withNetworkAliases('simulator')
    .withEntrypoint(['node', 'dist/src/simulator/main.js'])
    .withCommand(['--host', '0.0.0.0', '--port', '9500', '--symbols', SYMBOLS.join(',')])
    .withWaitStrategy(Wait.forLogMessage('listening ws://'))
    .start();
  // Symbols no default config has: seeing them on /metrics proves the mounted file was read.
  writeFileSync(
    join(dir, 'market.yml'),
    `feeds:\n  - name: simulator\n    venue: binance\n    url: ws://simulator:9500\n    symbols: [${SYMBOLS.join(', ')}]\n`,
    { mode: 0o644 },
  );
  container = await new ReadOnlyContainer(IMAGE)
    .withNetwork(network)
    .withPullPolicy(NEVER_PULL)
    .withDroppedCapabilities('ALL')
    .withSecurityOpt('no-new-privileges:true')
    .withBindMounts([{ source: join(dir, 'market.yml'), target: '/etc/market-exporter/config.yml', mode: 'ro' }])
    .withCommand(['--config', '/etc/market-exporter/config.yml', '--listen', '0.0.0.0:10790'])
    .withExposedPorts(10790)
    // The image's own HEALTHCHECK decides when it is up (first probe after its 15 s interval).
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(90_000)
    .start();
  base = `http://127.0.0.1:${container.getMappedPort(10790)}`;
});

afterAll(async () => {
  // The SIGTERM test stops it; anything left (a failure before that) is removed here.
  await client?.container.getById(container?.getId() ?? 'none').remove({ force: true }).catch(() => undefined);
  await simulator?.stop({ timeout: 5 }).catch(() => undefined);
  await network?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the shipped image', () => {
  test("runs as the unprivileged `node` user on a read-only root filesystem", async () => {
    const info = await client.container.inspect(client.container.getById(container.getId()));
    expect(info.Config.User).toBe('node');
    expect(info.HostConfig.ReadonlyRootfs).toBe(true);
    // PID 1 is the exporter itself (no shell in between), with uid 1000 and no capabilities.
    const status = await container.exec(['cat', '/proc/1/status']);
    expect(status.output).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    expect(status.output).toMatch(/^CapEff:\s+0+$/m);
    expect((await container.exec(['cat', '/proc/1/cmdline'])).output.split('\0')[1]).toBe('--max-semi-space-size=8');
    // Writing anywhere on the root filesystem fails: nothing the exporter needs is written there.
    const write = await container.exec(['node', '-e', "require('fs').writeFileSync('/app/probe', 'x')"]);
    expect(write.exitCode).not.toBe(0);
    expect(write.output).toMatch(/EROFS|read-only file system/);
  });

  test('its HEALTHCHECK reports healthy', async () => {
    const info = await client.container.inspect(client.container.getById(container.getId()));
    expect(info.Config.Healthcheck?.Test).toEqual(['CMD', 'node', 'dist/src/healthcheck.js']);
    expect(info.State.Health?.Status).toBe('healthy');
    expect(info.State.Health?.Log.at(-1)?.ExitCode).toBe(0);
  });

  test('serves /metrics for the symbols of the mounted config file', async () => {
    const text = await pollUntil(async () => {
      const body = await (await fetch(`${base}/metrics`)).text();
      return SYMBOLS.every((s) => body.includes(`symbol="${s}"`)) ? body : undefined;
    }, 'both configured symbols on /metrics', { timeoutMs: 30_000 });
    expect(text).toMatch(/^market_exporter_build_info\{.*version="0\.1\.0".*\} 1$/m);
    expect(text).toMatch(/^market_feed_up\{exchange="simulator"[^}]*\} 1$/m);
    // The demo's symbols are not there: the file replaced the built-in config.
    expect(text).not.toMatch(/symbol="BTCUSDT"/);
  });

  test('SIGTERM stops it cleanly, well within the 10 s grace period', async () => {
    const handle = client.container.getById(container.getId());
    const t0 = Date.now();
    await handle.kill({ signal: 'SIGTERM' });
    const { StatusCode } = await handle.wait();
    const ms = Date.now() - t0;
    expect(StatusCode).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const info = await client.container.inspect(handle);
    expect(info.State.OOMKilled).toBe(false);
    expect(await containerLogs(client, container.getId())).not.toMatch(/fatal|Error:/);
  });
});
