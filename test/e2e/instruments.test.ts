// One instrument across venues, end to end with what we ship: three venues (one simulator each,
// fed to the exporter as three Binance-format feeds) quote BTC/USDT and ETH/USDT; the exporter,
// the real Prometheus and Alertmanager on the shipped prometheus.yml, rules, alerts and
// alertmanager.yml (addresses, secrets and paths substituted, nothing else: the shipped 1 s / 15 s
// lanes, thresholds and `for:`), a real SMTP server and the Telegram Bot API stand-in.
//
// Two incidents start together: venue-c's BTCUSDT jumps 1% away from the other two venues and
// stays there (MarketPriceDivergence: 50 bps for 1m), and venue-b's ETHUSDT freezes under
// artificial noise (±0.01 bps around one price, trades still flowing) while the others move
// (MarketPriceFrozen: no move over 0.1 bps for 2m). Each must reach Telegram and email (critical),
// once, no sooner than its evidence allows and within its budget (docs/alerts.md); venue-a and
// the other two symbols raise nothing. Runs in real time, ~5 min: its own file.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { pollUntil } from '../support/service-process.js';
import { startShippedStack, type ShippedStack } from '../support/shipped-stack.js';

const VENUES = ['venue-a', 'venue-b', 'venue-c'] as const;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

interface Incident {
  alert: string;
  exchange: string;
  symbol: string;
  /** Earliest a notification may come (the evidence the rules need), and the latest, in ms. */
  notBefore: number;
  within: number;
}

const INCIDENTS: Incident[] = [
  // `for: 1m`, then up to a 15 s evaluation, a 1 s scrape and group_wait 1 s.
  { alert: 'MarketPriceDivergence', exchange: 'venue-c', symbol: 'BTCUSDT', notBefore: 60_000, within: 110_000 },
  // The last move leaves the 1-minute range (up to 60 s), then 2m unmoved, `for: 15s`, and up to
  // two 15 s evaluations (the recording group's and the alert group's).
  { alert: 'MarketPriceFrozen', exchange: 'venue-b', symbol: 'ETHUSDT', notBefore: 120_000, within: 240_000 },
];

let stack: ShippedStack;

/** Messages about one venue's symbol (both templates put `· exchange symbol` in their first line). */
const about = (exchange: string, symbol: string) => stack.notes().filter((n) => n.head.includes(`· ${exchange} ${symbol}`));

beforeAll(async () => {
  // Same start price, walks of their own: ±0.002% a tick, 5 ticks a second, ~0.03% a minute.
  // Venues wander apart by about 0.1% over the run, far inside the 0.5% divergence threshold,
  // and every minute's range is ~70 times the 0.1 bps a price must move to count as moving.
  // The exporter runs its defaults; only the feeds are named. Their instruments are parsed
  // (BTCUSDT -> BTC/USDT), nothing in the config says which symbols belong together.
  stack = await startShippedStack(
    'instruments',
    VENUES.map((v, i) => ({ name: v, symbols: SYMBOLS, market: { ratePerSymbol: 5, startPrice: 100, volatility: 0.00002, seed: 21 + i } })),
  );
});

afterAll(async () => {
  await stack?.stop();
});

describe('one instrument across venues with the shipped configuration', () => {
  test('a diverging venue and a frozen price each reach Telegram and email; the rest stays silent', { timeout: 10 * 60_000 }, async () => {
    // Warm-up: both instruments seen on three venues, and every price's frozen clock running.
    await pollUntil(async () => (await stack.prom.query('instrument:market_price:venues == 3')).length === 2, 'two instruments on three venues each', { timeoutMs: 90_000 });
    await pollUntil(async () => (await stack.prom.query('instrument_exchange_symbol:market_price:unmoved_seconds')).length === 6, 'a frozen clock per venue and symbol', { timeoutMs: 60_000 });

    const t0 = Date.now();
    stack.sims.get('venue-c')!.shock('BTCUSDT', 1);
    stack.sims.get('venue-b')!.freeze('ETHUSDT', 0.000001);

    const arrived = (inc: Incident) => (['telegram', 'email'] as const).every((c) => about(inc.exchange, inc.symbol).some((n) => n.channel === c && n.firing));
    await pollUntil(() => INCIDENTS.every(arrived), 'both incidents notified on both channels', { timeoutMs: 6 * 60_000, everyMs: 1_000 });
    const done = Date.now();

    const rows: string[] = [];
    const problems: string[] = [];
    for (const inc of INCIDENTS) {
      const mine = about(inc.exchange, inc.symbol);
      for (const c of ['telegram', 'email'] as const) {
        const firing = mine.filter((n) => n.channel === c && n.firing);
        const first = firing[0]!.at - t0;
        rows.push(`| ${inc.alert} | ${inc.exchange} ${inc.symbol} | ${c} | ${(first / 1000).toFixed(1)} s |`);
        if (firing.length !== 1) problems.push(`${inc.alert} on ${c}: ${firing.length} firing messages`);
        if (!(first >= inc.notBefore && first <= inc.within)) problems.push(`${inc.alert} on ${c}: after ${first} ms, expected ${inc.notBefore}-${inc.within}`);
        if (!firing[0]!.body.includes(inc.alert)) problems.push(`${inc.alert} on ${c}: the message does not name the alert: ${firing[0]!.head}`);
      }
    }
    console.log(['| alert | venue | channel | first notification |', '|---|---|---|---|', ...rows].join('\n'));

    // What the messages say: the instrument, the median and the venue count; the frozen price's wait.
    const divergence = about('venue-c', 'BTCUSDT').find((n) => n.channel === 'telegram')!.body;
    assert.match(divergence, /BTCUSDT on venue-c is \d+(\.\d+)?% away from the median price of BTC\/USDT \(\d+(\.\d+)?\) across 3 venues/);
    const frozen = about('venue-b', 'ETHUSDT').find((n) => n.channel === 'email')!.body;
    assert.match(frozen, /ETHUSDT on venue-b has not moved for \dm \d+s/);
    assert.match(frozen, /other venues of ETH\/USDT move/);

    // Nothing else: no alert, pending included, on venue-a or the untouched symbols of b and c,
    // and no message beyond the two incidents.
    const seconds = Math.ceil((done - t0) / 1000) + 60;
    const calm = await stack.prom.query(
      `count_over_time(ALERTS{exchange="venue-a"}[${seconds}s]) or count_over_time(ALERTS{exchange="venue-b", symbol="BTCUSDT"}[${seconds}s]) or count_over_time(ALERTS{exchange="venue-c", symbol="ETHUSDT"}[${seconds}s])`,
    );
    assert.deepEqual(calm.map((s) => s.metric), [], 'no alert on the calm venue and symbols');
    const others = stack.notes().filter((n) => !INCIDENTS.some((i) => n.head.includes(`· ${i.exchange} ${i.symbol}`)));
    assert.deepEqual(others.map((n) => n.head), [], 'no message beyond the incidents');
    assert.ok(stack.tg.requests.every((m) => m.accepted), 'Telegram accepted every message');
    assert.deepEqual(problems, []);
  });
});
