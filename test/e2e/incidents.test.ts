// Time to notify with what we ship: simulators -> exporter -> real Prometheus -> real
// Alertmanager -> a real SMTP server and the Telegram Bot API stand-in, with the shipped
// prometheus.yml, rules, alerts and alertmanager.yml (addresses, secrets and file paths
// substituted, nothing else: no test-only intervals, `for:` or thresholds).
//
// Five feeds, one simulator each, so incidents run side by side without touching each other:
// calm (the whole run), crash, silence, gap storm and disconnect storm (started together after a
// warm-up). For each incident: every channel its severity routes to is notified within 20 s
// (median under 10 s), with exactly one firing and one resolved message per channel; the calm
// feed and the calm symbols next to the incidents raise nothing, pending included, for at least
// ten minutes. Runs in real time (~12 min): its own file, run once per CI run.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { Simulator } from '../../src/simulator/server.js';
import { pollUntil } from '../support/service-process.js';
import { startShippedStack, type Channel, type Note, type ShippedStack } from '../support/shipped-stack.js';

const CALM_MS = 10 * 60_000;
const NOTIFY_WITHIN_MS = 20_000;
const MEDIAN_UNDER_MS = 10_000;

interface Incident {
  /** The feed (exchange label) it happens on. */
  feed: string;
  symbols: string[];
  /** Symbols of the feed that must stay quiet (the incident is on the others). */
  calm: string[];
  /** Channels its severity routes to (alertmanager.yml: critical -> Telegram and email). */
  channels: Channel[];
  /** Runs the incident; resolves when it is over. */
  run(sim: Simulator): Promise<void>;
}

const every = async (ms: number, times: number, f: () => void) => {
  for (let i = 0; i < times; i++) {
    f();
    if (i < times - 1) await sleep(ms);
  }
};

const INCIDENTS: Incident[] = [
  {
    // A 9% fall in a few seconds: crosses the 1m and 5m windows, warning and critical.
    feed: 'crash',
    symbols: ['CRASHUSDT', 'STEADYUSDT'],
    calm: ['STEADYUSDT'],
    channels: ['telegram', 'email'],
    run: (sim) => every(2_000, 3, () => sim.shock('CRASHUSDT', -3)),
  },
  {
    // Socket open, no frames, pings unanswered, for 45 s.
    feed: 'silent',
    symbols: ['SILENTUSDT'],
    calm: [],
    channels: ['telegram', 'email'],
    run: async (sim) => {
      sim.silence(true);
      await sleep(45_000);
      sim.silence(false);
    },
  },
  {
    // Trade ids skip on one symbol every 2 s for a minute.
    feed: 'gaps',
    symbols: ['GAPUSDT', 'NOGAPUSDT'],
    calm: ['NOGAPUSDT'],
    channels: ['telegram', 'email'],
    run: (sim) => every(2_000, 30, () => sim.gap('GAPUSDT', 5)),
  },
  {
    // The venue drops every connection every 5 s for a minute.
    feed: 'storm',
    symbols: ['STORMUSDT'],
    calm: [],
    channels: ['telegram', 'email'],
    run: (sim) => every(5_000, 12, () => void sim.disconnect()),
  },
];
const CALM_FEED = { feed: 'calm', symbols: ['AAAUSDT', 'BBBUSDT', 'CCCUSDT'] };

let stack: ShippedStack;

/** Every message so far about one feed (Telegram's header line, the email subject name it). */
function notes(feed: string): Note[] {
  const named = new RegExp(`· ${feed}(?: |$)`);
  return stack.notes().filter((n) => named.test(n.head));
}

beforeAll(async () => {
  // ±0.02% per tick, 5 ticks a second: ~0.35% a minute, a calm market. The exporter runs its
  // defaults (connection timing, windows, intervals); only the feeds are named.
  stack = await startShippedStack(
    'incidents',
    [CALM_FEED, ...INCIDENTS].map((f) => ({ name: f.feed, symbols: f.symbols, market: { ratePerSymbol: 5, volatility: 0.0002, seed: 11 } })),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('incidents with the shipped configuration', () => {
  test('each incident is notified in seconds, once firing and once resolved per channel; calm stays silent', { timeout: 20 * 60_000 }, async () => {
    // Warm-up: both lanes scraped and the fast rules evaluated for every feed.
    const feeds = [CALM_FEED, ...INCIDENTS].length;
    await pollUntil(async () => (await stack.prom.query('market_window_return_ratio{window="1m"}')).length >= 9, 'window returns of every symbol', { timeoutMs: 60_000 });
    await pollUntil(async () => (await stack.prom.query('shard_exchange:market_feed_data_silence_seconds:min')).length === feeds, 'silence recorded per feed', { timeoutMs: 60_000 });
    await pollUntil(async () => (await stack.prom.query('market_exporter_build_info')).length === 1, 'the 15 s lane scraped', { timeoutMs: 60_000 });
    await sleep(5_000);

    const calmFrom = Date.now();
    const started = new Map<string, number>();
    await Promise.all(
      INCIDENTS.map(async (inc) => {
        started.set(inc.feed, Date.now());
        await inc.run(stack.sims.get(inc.feed)!);
      }),
    );

    // Until every incident is resolved on every channel, and ten minutes of calm have passed.
    const resolvedEverywhere = () => INCIDENTS.every((inc) => inc.channels.every((c) => notes(inc.feed).some((n) => n.channel === c && !n.firing)));
    await pollUntil(() => resolvedEverywhere() && Date.now() - calmFrom >= CALM_MS, 'every incident resolved and ten minutes of calm', {
      timeoutMs: CALM_MS + 5 * 60_000,
      everyMs: 1_000,
    });
    // Anything late (a second firing, a resolved that should not be) has time to arrive.
    await sleep(30_000);

    const rows: string[] = [];
    const delays: number[] = [];
    const problems: string[] = [];
    for (const inc of INCIDENTS) {
      const t0 = started.get(inc.feed)!;
      const ns = notes(inc.feed);
      for (const c of inc.channels) {
        const mine = ns.filter((n) => n.channel === c);
        const firing = mine.filter((n) => n.firing);
        const resolved = mine.filter((n) => !n.firing);
        const first = firing[0] ? firing[0].at - t0 : NaN;
        delays.push(first);
        rows.push(`| ${inc.feed} | ${c} | ${(first / 1000).toFixed(1)} s | ${firing.length} | ${resolved.length} | ${resolved[0] ? ((resolved[0].at - t0) / 1000).toFixed(0) + ' s' : '-'} |`);
        if (!(first <= NOTIFY_WITHIN_MS)) problems.push(`${inc.feed} on ${c}: first notified after ${first} ms`);
        if (firing.length !== 1 || resolved.length !== 1) problems.push(`${inc.feed} on ${c}: ${firing.length} firing, ${resolved.length} resolved: ${mine.map((n) => n.head).join(' | ')}`);
      }
      for (const c of ['telegram', 'email'] as const)
        if (!inc.channels.includes(c) && ns.some((n) => n.channel === c)) problems.push(`${inc.feed} reached ${c}, which its severity does not route to`);
    }
    const sorted = [...delays].sort((a, b) => a - b);
    const median = (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
    console.log(
      [
        '| incident | channel | first notification | firing | resolved | resolved after |',
        '|---|---|---|---|---|---|',
        ...rows,
        `median first notification: ${(median / 1000).toFixed(1)} s over ${delays.length}; calm for ${((Date.now() - calmFrom) / 60_000).toFixed(1)} min`,
      ].join('\n'),
    );

    // Calm: no alert at all, not even pending, on the calm feed or the calm symbols beside an incident.
    const seconds = Math.ceil((Date.now() - calmFrom) / 1000);
    const calmSymbols = [...CALM_FEED.symbols, ...INCIDENTS.flatMap((i) => i.calm)];
    const calmAlerts = await stack.prom.query(`count_over_time(ALERTS{exchange="calm"}[${seconds}s]) or count_over_time(ALERTS{symbol=~"${calmSymbols.join('|')}"}[${seconds}s])`);
    assert.deepEqual(calmAlerts.map((s) => s.metric), [], 'no alert on calm series');
    assert.deepEqual(notes('calm').map((n) => n.head), [], 'no message about the calm feed');
    const unattributed = stack
      .notes()
      .map((n) => n.head)
      .filter((h) => !INCIDENTS.some((i) => new RegExp(`· ${i.feed}(?: |$)`).test(h)));
    assert.deepEqual(unattributed, [], 'no message beyond the incidents');
    assert.ok(stack.tg.requests.every((m) => m.accepted), 'Telegram accepted every message');

    assert.deepEqual(problems, []);
    assert.ok(median < MEDIAN_UNDER_MS, `median first notification ${median} ms`);
  });
});
