import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { startDemo, type Demo } from '../src/demo.js';
import { createLogger } from '../src/log.js';
import { startService, type Service } from '../src/service.js';
import { Simulator } from '../src/simulator/server.js';
import { request } from 'node:http';
import { oneMember, scrape, scrapeUntil, sum } from './support/scrape.js';
import { toolPath } from './support/tools.js';

const quiet = createLogger({ level: 'error' });

/** A gzipped GET's body as sent, and its Content-Encoding: node:http does not decompress, unlike fetch. */
function gzipGet(base: string, path: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(base + path, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(parts) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the default service (the demo: a binance feed on the in-process simulator)', () => {
  let demo: Demo;
  let svc: Service;
  beforeAll(async () => {
    demo = await startDemo(quiet);
    svc = await startService(demo.config, { listen: '127.0.0.1:0', log: quiet });
  });
  afterAll(async () => {
    await svc.stop();
    await demo.stop();
  });

  test('becomes ready, and trades flow into the metrics', async () => {
    await scrapeUntil(svc.url, (s) => s.get('market_feed_up{exchange="simulator"}') === 1, 'feed up');
    const ready = await fetch(`${svc.url}/-/ready`);
    assert.equal(ready.status, 200);
    const first = sum(await scrape(svc.url), 'market_trades_total');
    await scrapeUntil(svc.url, (s) => sum(s, 'market_trades_total') > first, 'trades to grow');
    const s = await scrape(svc.url);
    for (const sym of demo.config.feeds[0]!.symbols)
      assert.ok(s.get(`market_price{exchange="simulator",symbol="${sym}"}`)! > 0, `${sym} has a price`);
    assert.ok(sum(s, 'market_feed_lag_seconds_count') > 0, 'lag observed');
    assert.equal(s.get('market_feed_streams{exchange="simulator"}'), 10, '5 symbols x (trade, bookTicker)');
    assert.ok(s.get('market_bid_price{exchange="simulator",symbol="BTCUSDT"}')! > 0, 'bookTicker gives a bid');
  });

  test('`promtool check metrics` accepts the live exposition', async () => {
    await scrapeUntil(svc.url, (s) => sum(s, 'market_trades_total') > 0, 'some trades');
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    const r = spawnSync(toolPath('promtool'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`);
  });

  test('gzipped, /metrics is one gzip member of the same families as plain, for each lane, scrape after scrape', async () => {
    await scrapeUntil(svc.url, (s) => sum(s, 'market_trades_total') > 0, 'some trades');
    const names = (text: string) => [...new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')))].sort();
    for (const query of ['', '?exclude[]=health&exclude[]=moves', '?collect[]=health&collect[]=moves']) {
      const plain = await (await fetch(`${svc.url}/metrics${query}`, { headers: { 'accept-encoding': 'identity' } })).text();
      for (let i = 0; i < 3; i++) {
        const { encoding, body } = await gzipGet(svc.url, `/metrics${query}`);
        assert.equal(encoding, 'gzip');
        const text = oneMember(body);
        assert.deepEqual(names(text), names(plain), `${query || 'every group'}: the same families`);
        const r = spawnSync(toolPath('promtool'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
        assert.equal(r.status, 0, `promtool check metrics:\n${r.stdout}${r.stderr}`);
      }
    }
  });

  test('landing page links the endpoints; healthy answers; reload without a file is refused', async () => {
    const html = await (await fetch(svc.url + '/')).text();
    for (const href of ['metrics', '-/healthy', '-/ready']) assert.ok(html.includes(`href="${href}"`), href);
    assert.equal((await fetch(`${svc.url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${svc.url}/-/reload`)).status, 405, 'GET is not a reload');
    const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 400, 'a request that cannot be honoured, not a server fault');
    assert.match(await r.text(), /RELOAD_NO_CONFIG: no config file to reload/);
  });
});

describe('config reload', () => {
  let dir: string;
  let sim: Simulator;
  let svc: Service;
  const file = () => join(dir, 'config.yml');
  const write = (symbols: string[]) =>
    writeFileSync(
      file(),
      `feeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [${symbols.join(', ')}]\n`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-reload-'));
    sim = await Simulator.start({ symbols: ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'], ratePerSymbol: 50, log: quiet });
    write(['AAAUSDT', 'BBBUSDT']);
    svc = await startService(loadConfig(file()), { listen: '127.0.0.1:0', log: quiet, loadConfig: () => loadConfig(file()) });
    await scrapeUntil(svc.url, (s) => s.has('market_price{exchange="sim",symbol="AAAUSDT"}'), 'AAA priced');
  });
  afterAll(async () => {
    await svc.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a reload that adds and removes symbols deletes the removed series and keeps the others', async () => {
    write(['BBBUSDT', 'CCCUSDT']);
    const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 200, await r.text());
    const s = await scrapeUntil(svc.url, (s) => s.has('market_price{exchange="sim",symbol="CCCUSDT"}') && s, 'CCC priced');
    assert.ok(![...s.keys()].some((k) => k.includes('AAAUSDT')), 'no series left for the removed symbol');
    assert.ok(s.has('market_price{exchange="sim",symbol="BBBUSDT"}'));
    assert.equal(s.get('market_exporter_config_last_reload_successful'), 1);
    assert.equal(s.get('market_feed_symbols{exchange="sim"}'), 2);
    assert.equal(s.get('market_feed_reconnects_total{exchange="sim",reason="config_reload"}'), 1);
  });

  test('a broken config is rejected with its error, the old config keeps running, and the gauge says so', async () => {
    writeFileSync(file(), 'feeds:\n  - venue: binance\n    symbols: [BBBUSDT\n');
    const r = await fetch(`${svc.url}/-/reload`, { method: 'POST' });
    assert.equal(r.status, 500);
    assert.match(await r.text(), /config\.yml:\d+:\d+/, 'the YAML error names the line');
    const before = (await scrape(svc.url)).get('market_trades_total{exchange="sim",symbol="BBBUSDT"}')!;
    const s = await scrapeUntil(
      svc.url,
      (s) => s.get('market_trades_total{exchange="sim",symbol="BBBUSDT"}')! > before && s,
      'trades to keep flowing on the old config',
    );
    assert.equal(s.get('market_exporter_config_last_reload_successful'), 0);
    // A good file again: the gauge recovers.
    write(['BBBUSDT', 'CCCUSDT']);
    assert.equal((await fetch(`${svc.url}/-/reload`, { method: 'POST' })).status, 200);
    assert.equal((await scrape(svc.url)).get('market_exporter_config_last_reload_successful'), 1);
  });
});

describe('the fast lane and reconnects', () => {
  let sim: Simulator;
  let svc: Service;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-fast-'));
    sim = await Simulator.start({ symbols: ['AAAUSDT', 'BBBUSDT'], ratePerSymbol: 50, log: quiet });
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      `feeds:\n  - name: sim\n    venue: binance\n    url: ${sim.url}\n    symbols: [AAAUSDT, BBBUSDT]\n    connection:\n      backoff: {initial: 50ms, max: 100ms}\n`,
    );
    svc = await startService(loadConfig(file), { listen: '127.0.0.1:0', log: quiet });
    await scrapeUntil(svc.url, (s) => s.has('market_price{exchange="sim",symbol="AAAUSDT"}'), 'AAA priced');
  });
  afterAll(async () => {
    await svc.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('collect[] serves only its groups\' families; the rest and exclude[] make up the whole', async () => {
    const names = async (q: string) => {
      const text = await (await fetch(`${svc.url}/metrics${q}`)).text();
      return new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
    };
    const fast = await names('?collect[]=health&collect[]=moves');
    const slow = await names('?exclude[]=health&exclude[]=moves');
    const all = await names('');
    assert.deepEqual([...fast].sort(), [
      'market_exporter_shard_symbols', 'market_feed_data_silence_seconds', 'market_feed_errors_total', 'market_feed_last_message_timestamp_seconds',
      'market_feed_messages_total', 'market_feed_reconnects_total', 'market_feed_symbols', 'market_feed_up',
      'market_ingest_conflated_total', 'market_ingest_queue_capacity', 'market_ingest_queue_depth',
      'market_price', 'market_sequence_gaps_total', 'market_sequence_missed_total', 'market_symbol_last_update_timestamp_seconds',
      'market_venue_status', 'market_window_return_ratio',
    ]);
    assert.deepEqual([...fast].filter((n) => slow.has(n)), [], 'no family in both lanes');
    assert.deepEqual([...all].sort(), [...new Set([...fast, ...slow])].sort());
    assert.ok(slow.has('process_cpu_user_seconds_total') && slow.has('market_exporter_build_info'));
    assert.equal((await fetch(`${svc.url}/metrics?collect[]=nope`)).status, 400);
  });

  test('reconnects start each symbol\'s sequence afresh: trades missed while away are not gaps', async () => {
    const before = await scrape(svc.url);
    const reconnects = sum(before, 'market_feed_reconnects_total', { exchange: 'sim' });
    for (let i = 0; i < 3; i++) {
      sim.disconnect();
      await scrapeUntil(svc.url, (s) => sum(s, 'market_feed_reconnects_total', { exchange: 'sim' }) >= reconnects + i + 1 && s.get('market_feed_up{exchange="sim"}') === 1, 'reconnected');
      // The venue's trade ids move on while nobody listens.
      await new Promise((r) => setTimeout(r, 200));
    }
    const trades = sum(await scrape(svc.url), 'market_trades_total', { exchange: 'sim' });
    const s = await scrapeUntil(svc.url, (x) => sum(x, 'market_trades_total', { exchange: 'sim' }) > trades + 20 && x, 'trades after reconnecting');
    assert.equal(sum(s, 'market_sequence_gaps_total', { exchange: 'sim' }), sum(before, 'market_sequence_gaps_total', { exchange: 'sim' }));
    // A gap within a session still counts.
    sim.gap('AAAUSDT', 5);
    await scrapeUntil(svc.url, (x) => x.get('market_sequence_gaps_total{exchange="sim",symbol="AAAUSDT"}')! >= 1, 'the gap counted');
  });
});

test('once the bars close, the service renders the full lane ahead, as the last full scrape asked: gzipped, and only while something scrapes', async () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
  const demo = await startDemo(quiet);
  // Bars of 2 s, closed at once when idle: a boundary settles every 2 s, 1.25 s after it.
  const svc = await startService({ ...demo.config, intervals: [{ label: '2s', ms: 2_000 }], barCloseGraceMs: 0 }, { listen: '127.0.0.1:0', log });
  const aheadLines = () => lines.filter((l) => l.includes('rendered /metrics ahead'));
  try {
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(aheadLines(), [], 'nothing scraped: nothing rendered ahead');
    // Full scrapes every 0.5 s, gzipped, beside fast-lane ones (which do not count), until one renders ahead.
    const until = Date.now() + 8_000;
    while (aheadLines().length === 0 && Date.now() < until) {
      await gzipGet(svc.url, '/metrics');
      await gzipGet(svc.url, '/metrics?collect[]=health&collect[]=moves');
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(aheadLines().length > 0, `no render ahead in 8 s of scrapes:\n${lines.slice(-20).join('\n')}`);
    assert.match(aheadLines()[0]!, /gzip=true/);
  } finally {
    await svc.stop();
    await demo.stop();
  }
});
