/**
 * The benchmark harness end to end in its tiny mode: simulator, ceiling client and exporter as
 * real processes on loopback, a JSON report and the table. Checks shape, never speed.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkReport, type BenchReport } from '../../bench/report.js';
import { NODE_FLAGS } from '../../src/runtime/node-flags.js';

const RUN = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));

test('npm run bench --smoke writes a well-formed report and prints the table', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  try {
    const out = join(dir, 'report.json');
    const stdoutDir = join(dir, 'stdout');
    const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, '--smoke', '--out', out, '--exporter-stdout', stdoutDir, '--node-args=--trace-gc'], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    assert.deepEqual(checkReport(report), []);
    assert.equal(report.options.symbols, 20, 'the smoke preset ran');
    // Every scenario ran: both burst cases, both /metrics sizes, every latency rate.
    assert.deepEqual(report.burst.map((b) => b.name), ['within capacity', 'past capacity']);
    assert.deepEqual(
      report.metrics.map((m) => [m.kind, m.symbols]),
      [
        ['production', 20],
        ['worst-case', 20],
      ],
    );
    // The judged /metrics run was warm: backfilled history, every series of the default config.
    const prod = report.metrics[0]!;
    assert.ok(prod.warmup.backfillMinutes! >= 180, `backfilled ${prod.warmup.backfillMinutes} min`);
    assert.equal(prod.warmup.backfillTrades, 20 * 180, 'a trade per symbol per minute');
    assert.deepEqual(
      [prod.warmup.skipped, prod.warmup.conflated, prod.warmup.seqGaps, prod.warmup.errors],
      [0, 0, 0, 0],
      'history sent whole, applied as sent: nothing skipped, conflated, gapped or dropped as invalid',
    );
    // Scraped as the shipped prometheus.yml's full job: gzipped, the fast lane's families left out
    // (the series count above is of those), with the fast-lane job scraping beside it.
    assert.equal(prod.gzipped, true);
    assert.equal(decodeURIComponent(prod.query), '?exclude[]=health&exclude[]=moves');
    for (const s of [prod.firstScrape, ...prod.scrapes]) assert.ok(s.bytes < s.series * 20, `${s.bytes} bytes for ${s.series} series: not compressed`);
    assert.ok(prod.fast && prod.fast.series > 0 && prod.fast.series < prod.series, `fast lane: ${prod.fast?.series} series beside ${prod.series}`);
    assert.equal(prod.fast.timeoutS, 1);
    // Where the CPU went: figures for each process over the judged span and its scrapes. A smoke
    // run's span is a fraction of a second, a few of /proc's 10 ms ticks, so only their presence
    // is checked here; test/bench/cpu-share.test.ts checks what they count.
    const cpu = prod.cpu!;
    assert.ok(cpu, 'no CPU figures in the /metrics run');
    for (const c of [cpu.span, cpu.scrapes]) {
      assert.deepEqual(Object.keys(c.processes).sort(), ['exporter', 'harness', 'load'], JSON.stringify(c));
      const figures = Object.values(c.processes).flatMap((p) => Object.values(p));
      assert.ok(figures.every((x) => Number.isFinite(x) && x >= 0), JSON.stringify(c));
    }
    // The machine's share is NaN over stretches in which /proc/stat counted no tick: the scrapes' may be.
    assert.ok(Number.isFinite(cpu.span.machineBusy) && cpu.span.machineBusy >= 0, JSON.stringify(cpu.span));
    assert.ok(cpu.scrapes.spanS > 0 && cpu.span.spanS >= cpu.scrapes.spanS, JSON.stringify(cpu));
    // The RSS target is judged on this run too: warm, under load, scraped.
    assert.ok(prod.liveS > 0);
    assert.ok(report.targets.some((c) => c.name.startsWith(`RSS at 20 symbols, warm and scraped as the shipped prometheus.yml scrapes (the /metrics run, ${Math.round(prod.liveS)} s`)), report.targets.map((c) => c.name).join('; '));
    assert.ok(prod.expectedSeriesPerSymbol > 0);
    assert.equal(prod.seriesPerSymbol, prod.expectedSeriesPerSymbol, 'every series of the default config');
    // The exporters ran with the production Node flags, then --node-args.
    for (const flag of NODE_FLAGS) assert.ok(report.options.exporterNodeArgs.includes(flag), report.options.exporterNodeArgs.join(' '));
    assert.equal(report.options.exporterNodeArgs.at(-1), '--trace-gc');
    // --exporter-stdout: a file per exporter process, with what V8 printed there.
    const logs = readdirSync(stdoutDir);
    for (const name of ['exporter-throughput', 'exporter-latency', 'exporter-burst', 'exporter-metrics-production-20', 'exporter-metrics-worst-case-20'])
      assert.ok(logs.some((f) => new RegExp(`^${name}-\\d+\\.log$`).test(f)), `${name}: ${logs.join(', ')}`);
    const traced = logs.filter((f) => /\] +[\d.]+ ms: (Scavenge|Mark-Compact)/.test(readFileSync(join(stdoutDir, f), 'utf8')));
    assert.equal(traced.length, logs.length, `every exporter's --trace-gc lines kept: ${traced.length} of ${logs.length}`);
    assert.deepEqual(report.latency.rows.map((row) => row.rate), report.options.rates);
    // The past-capacity burst really overflowed the queue: what it could not hold was conflated.
    assert.ok(report.burst[1]!.conflated > 0, `conflated ${report.burst[1]!.conflated}`);
    for (const c of report.targets) assert.equal(typeof c.pass, 'boolean', c.name);
    // The order-book scenario ran, its generated books never failed their own checks.
    assert.ok(report.book, 'book scenario in the report');
    assert.equal(report.book.failures, 0);
    assert.ok(report.book.binanceUpdateNs > 0 && report.book.krakenUpdateNs > 0 && report.book.ratio > 0);
    assert.match(r.stdout, /\| Order book update, Kraken v2/);
    assert.match(r.stdout, /\| Ceiling: bare `ws` client/);
    assert.match(r.stdout, /\| Target \| Wanted \| Got \|/);
    assert.match(r.stdout, /worst case, not judged/);
    assert.ok(r.stdout.includes(out), 'names the JSON file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--scrape-plain: no /metrics scrape asks for gzip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-plain-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, '--smoke', '--only', 'metrics', '--worst-scrapes', '0', '--scrape-plain', '--out', out], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    assert.equal(report.options.scrapePlain, true);
    const prod = report.metrics[0]!;
    assert.equal(prod.gzipped, false);
    assert.equal(prod.seriesPerSymbol, prod.expectedSeriesPerSymbol);
    for (const s of [prod.firstScrape, ...prod.scrapes]) assert.ok(s.bytes > s.series * 20, `${s.bytes} bytes for ${s.series} series: compressed`);
    assert.match(r.stdout, /not gzipped \(--scrape-plain\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('checkReport names what is missing', () => {
  assert.deepEqual(checkReport(null), ['not an object']);
  const problems = checkReport({ version: 1, createdAt: 'x', throughput: { runs: [] }, latency: { rows: [] }, burst: [], metrics: [], targets: [] });
  for (const p of ['createdAt', 'throughput', 'latency', 'burst', 'metrics', 'target']) assert.ok(problems.some((m) => m.includes(p)), `${p}: ${problems.join('; ')}`);
});
