/**
 * Reload against real sockets: a simulator on a real port, the exporter's own HTTP server, and
 * endpoints that refuse connections. What the metrics say after a reload must match the sockets.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { startService, type Service } from '../src/service.js';
import { Simulator } from '../src/simulator/server.js';
import { scrape, scrapeUntil } from './support/scrape.js';
import { closedPort } from './support/ws-test-server.js';

const quiet = createLogger({ level: 'error' });

describe('reload to an endpoint that cannot connect', () => {
  let dir: string;
  let sim: Simulator;
  let svc: Service;
  const file = () => join(dir, 'config.yml');
  const write = (feed: string) => writeFileSync(file(), `feeds:\n  - name: sim\n    venue: binance\n${feed}    symbols: [AAAUSDT]\n`);
  const reload = () => fetch(`${svc.url}/-/reload`, { method: 'POST' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-reload-down-'));
    sim = await Simulator.start({ symbols: ['AAAUSDT'], ratePerSymbol: 50, log: quiet });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const startOn = async (url: string) => {
    write(`    url: ${url}\n`);
    svc = await startService(loadConfig(file()), { listen: '127.0.0.1:0', log: quiet, loadConfig: () => loadConfig(file()) });
    await scrapeUntil(svc.url, (s) => s.get('market_feed_up{exchange="sim"}') === 1, 'feed up on the simulator');
  };

  test('a new url that refuses connections: market_feed_up and market_feed_connections drop to 0 at once', async () => {
    await startOn(sim.url);
    try {
      write(`    url: ws://127.0.0.1:${await closedPort()}\n`);
      const r = await reload();
      assert.equal(r.status, 200, await r.text());
      const s = await scrape(svc.url);
      assert.equal(s.get('market_feed_up{exchange="sim"}'), 0, 'nothing is connected');
      assert.equal(s.get('market_feed_connections{exchange="sim"}'), 0);
      assert.equal(s.get('market_feed_connections_planned{exchange="sim"}'), 1);
      assert.equal((await fetch(`${svc.url}/-/ready`)).status, 503);
      // And it stays so while the attempts keep failing.
      await scrapeUntil(svc.url, (s) => s.get('market_feed_reconnects_total{exchange="sim",reason="error"}')! >= 1, 'a refused attempt');
      assert.equal((await scrape(svc.url)).get('market_feed_up{exchange="sim"}'), 0);
    } finally {
      await svc.stop();
    }
  });

  test('a file still naming the removed simulator venue is refused, saying what to write', async () => {
    await startOn(sim.url);
    try {
      writeFileSync(file(), 'feeds:\n  - name: sim\n    venue: simulator\n');
      const r = await reload();
      // An invalid file, like any other (a refused request is 400 only for the reload's own rules).
      assert.equal(r.status, 500);
      assert.match(await r.text(), /CONFIG_INVALID: .*feeds\[0\]\.venue: removed: .*venue: binance/);
      const s = await scrape(svc.url);
      assert.equal(s.get('market_exporter_config_last_reload_successful'), 0);
      assert.equal(s.get('market_feed_up{exchange="sim"}'), 1, 'the old feed keeps running, still connected');
    } finally {
      await svc.stop();
    }
  });
});

describe('reload of keys that only take effect at start', () => {
  let dir: string;
  let sim: Simulator;
  let svc: Service;
  const file = () => join(dir, 'config.yml');
  const START = { listen: '127.0.0.1:0', enableReloadEndpoint: 'true' };
  // A feed on a simulator, with the keys under test.
  const write = (c: typeof START) =>
    writeFileSync(
      file(),
      `listen: ${c.listen}\nenableReloadEndpoint: ${c.enableReloadEndpoint}\nfeeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [AAAUSDT]\n`,
    );
  const reload = async () => {
    const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
    return { status: r.status, text: await r.text() };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-reload-restart-'));
    sim = await Simulator.start({ symbols: ['AAAUSDT'], ratePerSymbol: 50, log: quiet });
    write(START);
    svc = await startService(loadConfig(file()), { log: quiet, loadConfig: () => loadConfig(file()) });
    await scrapeUntil(svc.url, (s) => s.get('market_feed_up{exchange="sim"}') === 1, 'feed up');
  });
  afterAll(async () => {
    await svc.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [key, change] of [
    ['listen', { listen: '127.0.0.1:1' }],
    ['enableReloadEndpoint', { enableReloadEndpoint: 'false' }],
  ] as const) {
    test(`a changed \`${key}\` is refused with 400 naming it; the running config stays`, async () => {
      write({ ...START, ...change });
      const r = await reload();
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, new RegExp(`RELOAD_RESTART_REQUIRED: .*\\b${key}\\b`));
      assert.equal((await scrape(svc.url)).get('market_exporter_config_last_reload_successful'), 0);
      // The old values back: the reload goes through, so the endpoint is still served.
      write(START);
      const ok = await reload();
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await scrape(svc.url)).get('market_exporter_config_last_reload_successful'), 1);
    });
  }
});

test('a failed reload is logged at error with its code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'me-reload-code-'));
  const file = join(dir, 'config.yml');
  const lines: string[] = [];
  writeFileSync(file, 'feeds:\n  - name: sim\n    venue: binance\n    url: ws://127.0.0.1:9\n    symbols: [AAAUSDT]\n');
  const svc = await startService(loadConfig(file), { listen: '127.0.0.1:0', log: createLogger({ write: (l) => lines.push(l) }), loadConfig: () => loadConfig(file) });
  try {
    writeFileSync(file, 'feeds:\n  - venue: binance\n    symbols: [BBBUSDT\n');
    assert.equal((await fetch(`${svc.url}/-/reload`, { method: 'POST' })).status, 500);
    const line = lines.find((l) => l.includes('config reload failed'));
    assert.match(line ?? '', /level=error .*trigger=api code=CONFIG_YAML error="[^"]*config\.yml:\d+:\d+/);
  } finally {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logLevel reloaded back to its start value takes effect', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'me-reload-level-'));
  const file = join(dir, 'config.yml');
  const write = (level: string) => writeFileSync(file, `logLevel: ${level}\nfeeds:\n  - name: sim\n    venue: binance\n    url: ws://127.0.0.1:9\n    symbols: [AAAUSDT]\n`);
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l) });
  write('info');
  const svc = await startService(loadConfig(file), { listen: '127.0.0.1:0', log, loadConfig: () => loadConfig(file) });
  const debugWritten = (probe: string) => {
    log.debug(probe);
    return lines.some((l) => l.includes(probe));
  };
  try {
    assert.equal(debugWritten('probe-1'), false, 'info at start');
    write('debug');
    await svc.reload();
    assert.equal(debugWritten('probe-2'), true, 'debug after the first reload');
    write('info');
    await svc.reload();
    assert.equal(debugWritten('probe-3'), false, 'info again after reloading back to the start value');
  } finally {
    await svc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('reload of the basis pairs', () => {
  let dir: string;
  let sim: Simulator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-reload-basis-'));
    sim = await Simulator.start({ symbols: ['AAAUSDT', 'BBBUSDT'], ratePerSymbol: 5, log: quiet });
  });
  afterAll(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('market_perp_spot_info follows the reloaded `basis:` at once', async () => {
    const file = join(dir, 'config.yml');
    // Two feeds on the simulator (Binance format) stand for a perpetual and a spot feed: the pairs
    // are config, whatever the feeds carry.
    const write = (spot: string) =>
      writeFileSync(
        file,
        [
          'feeds:',
          `  - {name: perp, venue: binance, url: "${sim.url}", symbols: [AAAUSDT]}`,
          `  - {name: spot, venue: binance, url: "${sim.url}", symbols: [AAAUSDT, BBBUSDT]}`,
          'basis:',
          `  - {perp: {feed: perp, symbol: AAAUSDT}, spot: {feed: spot, symbol: ${spot}}}`,
          '',
        ].join('\n'),
      );
    write('AAAUSDT');
    const svc = await startService(loadConfig(file), { listen: '127.0.0.1:0', log: quiet, loadConfig: () => loadConfig(file) });
    try {
      const info = (s: Map<string, number>) => [...s].filter(([k]) => k.startsWith('market_perp_spot_info')).map(([k]) => k);
      assert.deepEqual(info(await scrape(svc.url)), ['market_perp_spot_info{exchange="perp",symbol="AAAUSDT",spot_exchange="spot",spot_symbol="AAAUSDT"}']);
      write('BBBUSDT');
      const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
      assert.equal(r.status, 200, await r.text());
      assert.deepEqual(info(await scrape(svc.url)), ['market_perp_spot_info{exchange="perp",symbol="AAAUSDT",spot_exchange="spot",spot_symbol="BBBUSDT"}']);
    } finally {
      await svc.stop();
    }
  });
});
