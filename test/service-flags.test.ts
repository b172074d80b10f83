/** The web and log flags, as the service applies them, over real HTTP. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { demoConfig } from '../src/demo.js';
import { startService } from '../src/service.js';
import { scrapeUntil } from './support/scrape.js';

test('--web.telemetry-path moves the exposition and the landing page link; /metrics is then 404', async () => {
  const svc = await startService(demoConfig(), { listen: '127.0.0.1:0', logLevel: 'error', telemetryPath: '/probe/metrics' });
  try {
    const r = await fetch(`${svc.url}/probe/metrics`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /^# HELP market_/m);
    assert.equal((await fetch(`${svc.url}/metrics`)).status, 404);
    assert.match(await (await fetch(`${svc.url}/`)).text(), /href="probe\/metrics"/);
  } finally {
    await svc.stop();
  }
});

test('--web.disable-exporter-metrics leaves out process_* and nodejs_*; by default they are there', async () => {
  for (const disable of [false, true]) {
    const svc = await startService(demoConfig(), { listen: '127.0.0.1:0', logLevel: 'error', disableExporterMetrics: disable });
    try {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      assert.equal(/^process_cpu_seconds_total /m.test(text), !disable, `disable=${disable}`);
      assert.equal(/^nodejs_/m.test(text), !disable, `disable=${disable}`);
      assert.match(text, /^market_exporter_build_info\{/m, 'the exporter\'s own market_ metrics stay');
    } finally {
      await svc.stop();
    }
  }
});

test('--web.max-requests: scrapes past the limit get 503 while one is in progress', async () => {
  const svc = await startService(demoConfig(), { listen: '127.0.0.1:0', logLevel: 'error', maxRequests: 1 });
  try {
    await scrapeUntil(svc.url, (s) => s.size > 0, 'a first scrape');
    // Two at once: one is served, the other refused (the first is still being written).
    const [a, b] = await Promise.all([fetch(`${svc.url}/metrics`), fetch(`${svc.url}/metrics`)]);
    const statuses = [a.status, b.status].sort();
    await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
    assert.deepEqual(statuses, [200, 503]);
    assert.equal((await fetch(`${svc.url}/metrics`)).status, 200, 'served again once the first is done');
  } finally {
    await svc.stop();
  }
});

test('--log.format json: one JSON object per line with ts, level, msg and the fields', async () => {
  const { createLogger } = await import('../src/log.js');
  const lines: string[] = [];
  const log = createLogger({ format: 'json', write: (l) => lines.push(l) });
  log.child({ feed: 'x' }).warn('connect failed', { attempt: 2, detail: 'a "quoted" thing' });
  const o = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['ts', 'level', 'msg', 'feed', 'attempt', 'detail']);
  assert.deepEqual({ ...o, ts: 't' }, { ts: 't', level: 'warn', msg: 'connect failed', feed: 'x', attempt: 2, detail: 'a "quoted" thing' });
  log.setFormat('logfmt');
  log.info('back');
  assert.match(lines[1]!, /^ts=\S+ level=info msg=back$/);
});
