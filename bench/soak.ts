#!/usr/bin/env node
/**
 * `npm run soak [-- --minutes 30]`: the exporter binary (dist/src/main.js) against the simulator
 * binary, each its own process, at a steady rate with periodic bursts (one symbol 20 000 trades
 * in a millisecond; every symbol at once) and disconnects (close 1001, TCP reset), scraped like
 * Prometheus would. Reports RSS and heap (start, end, slope, and the slope of the post-GC floor),
 * series counts, event-loop lag and scrape time; writes JSON (--out). Exit 1 when a verdict
 * fails: memory floor growing, market series growing, event-loop p99 over the limit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS } from '../src/runtime/node-flags.js';
import { VENUE_TRADE_ID } from './config.js';
import { Proc } from './procs.js';
import { SOAK_USAGE, soakOptions, type SoakOptions } from './soak-options.js';
import { formatSummary, summarise, type SoakSample } from './soak-report.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/** `name{labels} value` lines of an exposition, as [name-with-labels, value]. */
function lines(text: string): [string, number][] {
  const out: [string, number][] = [];
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const i = l.lastIndexOf(' ');
    out.push([l.slice(0, i), Number(l.slice(i + 1))]);
  }
  return out;
}

const total = (ls: [string, number][], name: string) => ls.filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((n, [, v]) => n + v, 0);

async function sample(url: string, t0: number): Promise<SoakSample> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const ls = lines(text);
  return {
    t: (performance.now() - t0) / 1000,
    rssBytes: total(ls, 'process_resident_memory_bytes'),
    heapUsedBytes: total(ls, 'nodejs_heap_size_used_bytes'),
    series: ls.length,
    marketSeries: ls.filter(([k]) => k.startsWith('market_')).length,
    loopLagP99: total(ls, 'market_event_loop_lag_seconds'),
    loopLagMax: total(ls, 'market_event_loop_lag_max_seconds'),
    trades: total(ls, 'market_trades_total'),
    reconnects: total(ls, 'market_feed_reconnects_total'),
    conflated: total(ls, 'market_ingest_conflated_total'),
    errors: total(ls, 'market_feed_errors_total'),
    scrapeSeconds: total(ls, 'market_exporter_scrape_duration_seconds'),
  };
}

async function main(): Promise<number> {
  let o: SoakOptions;
  try {
    o = soakOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${SOAK_USAGE}\n`);
    return 2;
  }
  if (o.help) return void process.stdout.write(`${SOAK_USAGE}\n`), 0;
  const say = (m: string) => process.stderr.write(`soak: ${m}\n`);
  const symbols = Array.from({ length: o.symbols }, (_, i) => `SOAK${String(i).padStart(4, '0')}USDT`);
  const dir = mkdtempSync(join(tmpdir(), 'market-soak-'));
  const sim = Proc.start('simulator', 'src/simulator/main', ['--port', '0', '--symbols', symbols.join(','), '--rate', String(o.rate), '--seed', '7', '--first-trade-id', String(VENUE_TRADE_ID), '--log-level', 'warn']);
  let exporter: Proc | undefined;
  try {
    const simUrl = (await sim.line(/^listening (ws:\/\/\S+)/))[1]!;
    const control = simUrl.replace(/^ws:/, 'http:') + '/control';
    const config = join(dir, 'soak.yml');
    writeFileSync(
      config,
      [
        'logLevel: warn',
        // Short bars and periods so every series exists well within the warm-up.
        'intervals: [5s, 15s]',
        'windows: [30s, 1m]',
        // Below the burst size, so bursts go through conflation as they would at a market open.
        `limits: {queueCapacity: ${Math.max(1, Math.floor(o.burstSize / 4))}}`,
        'indicators:',
        '  rsi: {period: 3}',
        '  bollinger: {period: 3}',
        '  sma: {period: 3}',
        '  ema: {period: 3}',
        '  macd: {fast: 2, slow: 3, signal: 2}',
        '  atr: {period: 3}',
        '  volatility: {period: 3}',
        'feeds:',
        '  - name: soak',
        '    venue: binance',
        `    url: ${simUrl}`,
        `    symbols: [${symbols.join(', ')}]`,
        '    connection: {backoff: {initial: 200ms, max: 2s}}',
      ].join('\n'),
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    exporter = Proc.start('exporter', 'src/main', ['--config', config, '--listen', `127.0.0.1:${port}`], { nodeArgs: NODE_FLAGS });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`the exporter did not become ready: ${exporter.stderr()}`);
      await sleep(200);
    }
    say(`exporter pid ${exporter.pid} ready at ${url}; simulator pid ${sim.pid}: ${o.symbols} symbols x ${o.rate}/s for ${o.minutes} min`);

    const t0 = performance.now();
    const end = t0 + o.minutes * 60_000;
    const samples: SoakSample[] = [];
    let bursts = 0;
    let disconnects = 0;
    let nextSample = t0;
    let nextBurst = t0 + o.burstEvery * 1000;
    let nextDisconnect = t0 + o.disconnectEvery * 1000;
    const post = (path: string) => fetch(`${control}/${path}`, { method: 'POST' }).then((r) => r.text());
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextBurst) {
        // Alternate: one symbol's 20 000 trades in a millisecond, then every symbol at once.
        await post(bursts % 2 === 0 ? `burst?symbol=${symbols[0]}&n=${o.burstSize}` : `burst?n=${o.symbols}`);
        bursts++;
        nextBurst += o.burstEvery * 1000;
      }
      if (now >= nextDisconnect) {
        await post(disconnects % 2 === 0 ? 'disconnect?code=1001' : 'disconnect');
        disconnects++;
        nextDisconnect += o.disconnectEvery * 1000;
      }
      if (now >= nextSample) {
        const s = await sample(url, t0);
        samples.push(s);
        if (samples.length % 12 === 1) say(`t=${s.t.toFixed(0)}s rss=${(s.rssBytes / 2 ** 20).toFixed(1)}MiB heap=${(s.heapUsedBytes / 2 ** 20).toFixed(1)}MiB series=${s.series} lag_p99=${(s.loopLagP99 * 1000).toFixed(1)}ms trades=${s.trades}`);
        nextSample += o.sampleEvery * 1000;
      }
      await sleep(Math.max(10, Math.min(nextSample, nextBurst, nextDisconnect, end) - performance.now()));
    }
    const summary = summarise({ minutes: o.minutes, warmupSeconds: o.warmup, samples, bursts, disconnects });
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify({ options: o, summary, samples }, null, 2) + '\n');
    process.stdout.write(`${formatSummary(summary)}\n\nJSON: ${o.out}\n`);
    return summary.ok ? 0 : 1;
  } finally {
    await exporter?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
