import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { binance } from '../../src/feeds/binance.js';
import type { ErrorEvent, MarketEvent, QuoteEvent, TradeEvent } from '../../src/feeds/types.js';
import { createLogger } from '../../src/log.js';
import { Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { waitFor } from '../support/wait-for.js';

const quiet = createLogger({ write: () => {} });

/** A real ws client that records what arrives and what the Binance adapter makes of it. */
class Client {
  readonly texts: string[] = [];
  readonly binaries: Buffer[] = [];
  readonly events: MarketEvent[] = [];
  pongs = 0;
  pings = 0;
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return void this.binaries.push(data);
      const s = data.toString('utf8');
      this.texts.push(s);
      this.events.push(...binance.parse(s));
    });
    ws.on('pong', () => this.pongs++);
    ws.on('ping', () => this.pings++);
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => {});
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  private nextId = 1;
  /** Send a request and wait for its answer (the frame carrying our id). */
  async request(method: string, params?: unknown[]): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const start = this.texts.length;
    this.ws.send(JSON.stringify(params ? { method, params, id } : { method, id }));
    return waitFor(
      () =>
        this.texts
          .slice(start)
          .map((t) => JSON.parse(t) as Record<string, unknown>)
          .find((m) => m.id === id),
      `answer to ${method} ${id}`,
    );
  }

  trades(symbol?: string): TradeEvent[] {
    return this.events.filter((e): e is TradeEvent => e.kind === 'trade' && (!symbol || e.symbol === symbol));
  }

  errors(): ErrorEvent[] {
    return this.events.filter((e): e is ErrorEvent => e.kind === 'error');
  }

  close(): void {
    this.ws.terminate();
  }
}

async function withSim(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await Simulator.start({ symbols: ['BTCUSDT', 'ETHUSDT'], ratePerSymbol: 0, seed: 1, log: quiet, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

async function subscribed(sim: Simulator, streams: string[], path = '/stream'): Promise<Client> {
  const c = await Client.open(sim.url + path);
  const answer = await c.request('SUBSCRIBE', streams);
  assert.deepEqual(answer, { result: null, id: 1 });
  return c;
}

async function post(sim: Simulator, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url.replace('ws:', 'http:')}${path}`, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('simulator server: protocol', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await Simulator.start({ symbols: ['BTCUSDT', 'ETHUSDT'], ratePerSymbol: 200, seed: 1, log: quiet });
  });
  afterAll(() => sim.stop());

  test('listens on loopback and reports a ws:// URL without a path', () => {
    assert.match(sim.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.url, `ws://127.0.0.1:${sim.port}`);
  });

  test('subscribe -> combined trade frames the adapter parses, consecutive seqs', async () => {
    const c = await subscribed(sim, ['btcusdt@trade']);
    await waitFor(() => c.trades().length >= 20, '20 trades');
    const ts = c.trades();
    assert.ok(ts.every((t) => t.symbol === 'BTCUSDT'), 'only the subscribed stream');
    for (let i = 1; i < ts.length; i++) assert.equal(ts[i]!.seq, ts[i - 1]!.seq! + 1);
    assert.ok(c.texts.filter((t) => !t.includes('"result"')).every((t) => t.startsWith('{"stream":"btcusdt@trade","data":')));
    assert.deepEqual(c.errors(), []);
    c.close();
  });

  test('bookTicker frames become quotes', async () => {
    const c = await subscribed(sim, ['ethusdt@bookTicker']);
    await waitFor(() => c.events.filter((e) => e.kind === 'quote').length >= 5, '5 quotes');
    const q = c.events.find((e): e is QuoteEvent => e.kind === 'quote');
    assert.equal(q?.symbol, 'ETHUSDT');
    assert.ok(q!.bid! < q!.ask!);
    assert.equal(c.trades().length, 0, 'no trade stream, no trades');
    c.close();
  });

  test('raw /ws/<stream>/<stream> URLs get unwrapped payloads for both streams', async () => {
    const c = await Client.open(`${sim.url}/ws/btcusdt@trade/ethusdt@trade`);
    await waitFor(() => c.trades('BTCUSDT').length >= 3 && c.trades('ETHUSDT').length >= 3, 'trades of both symbols');
    assert.ok(c.texts.every((t) => t.startsWith('{"e":"trade"')));
    c.close();
  });

  test('combined URL with ?streams= subscribes without a SUBSCRIBE frame', async () => {
    const c = await Client.open(`${sim.url}/stream?streams=ethusdt@trade`);
    await waitFor(() => c.trades('ETHUSDT').length >= 3, 'trades');
    c.close();
  });

  test('LIST_SUBSCRIPTIONS, UNSUBSCRIBE, properties', async () => {
    const c = await subscribed(sim, ['btcusdt@trade', 'ETHUSDT@bookTicker']);
    assert.deepEqual(await c.request('LIST_SUBSCRIPTIONS'), { result: ['btcusdt@trade', 'ethusdt@bookTicker'], id: 2 });
    assert.deepEqual(await c.request('UNSUBSCRIBE', ['btcusdt@trade']), { result: null, id: 3 });
    assert.deepEqual(await c.request('LIST_SUBSCRIPTIONS'), { result: ['ethusdt@bookTicker'], id: 4 });
    assert.deepEqual(await c.request('GET_PROPERTY', ['combined']), { result: true, id: 5 });
    assert.deepEqual(await c.request('SET_PROPERTY', ['combined', false]), { result: null, id: 6 });
    assert.deepEqual(await c.request('GET_PROPERTY', ['nope']), { code: 0, msg: 'Unknown property', id: 7 });
    c.close();
  });

  test('bad requests get Binance-style error frames the adapter maps to subscribe_failed', async () => {
    const c = await Client.open(`${sim.url}/stream`);
    c.ws.send('{not json');
    c.ws.send(JSON.stringify({ method: 'SUBSCRIB', params: ['btcusdt@trade'], id: 9 }));
    await waitFor(() => c.errors().length === 2, 'two errors');
    assert.deepEqual(c.errors().map((e) => [e.type, e.reconnect]), [
      ['subscribe_failed', 'subscribe_failed'],
      ['subscribe_failed', 'subscribe_failed'],
    ]);
    assert.match(c.errors()[1]!.message, /^binance error 2: Invalid request: unknown variant/);
    c.close();
  });

  test('unknown symbols are accepted and produce no data', async () => {
    const c = await subscribed(sim, ['nosuchusdt@trade', 'btcusdt@trade']);
    await waitFor(() => c.trades('BTCUSDT').length >= 10, 'BTC trades');
    assert.equal(c.events.filter((e) => e.kind !== 'subscribed' && e.kind !== 'trade').length, 0);
    assert.ok(c.trades().every((t) => t.symbol === 'BTCUSDT'));
    c.close();
  });

  test('answers client pings', async () => {
    const c = await Client.open(`${sim.url}/stream`);
    c.ws.ping();
    await waitFor(() => c.pongs === 1, 'a pong');
    c.close();
  });

  test('other paths are refused', async () => {
    await assert.rejects(Client.open(`${sim.url}/nope`), /404/);
  });
});

describe('simulator server: keepalive', () => {
  test('pings clients on its interval and drops one that stops answering', async () => {
    await withSim({ pingIntervalMs: 20, pongTimeoutMs: 200 }, async (sim) => {
      const c = await Client.open(`${sim.url}/stream`);
      await waitFor(() => c.pings >= 3, 'three server pings');
      // A client that does not pong: ws clients answer pings automatically unless told not to.
      const mute = new WebSocket(`${sim.url}/stream`, { autoPong: false });
      const closed = new Promise<number>((resolve) => mute.once('close', (code) => resolve(code)));
      assert.equal(await closed, 1006, 'terminated without a close frame');
      assert.equal(c.closed, undefined, 'the answering client stays');
      c.close();
    });
  });
});

describe('simulator server: knobs', () => {
  test('burstSymbol delivers K frames in the same millisecond, consecutive ids', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      assert.equal(sim.burstSymbol('BTCUSDT', 500), 500);
      await waitFor(() => c.trades().length === 500, '500 trades');
      const ts = c.trades();
      assert.deepEqual(ts.map((t) => t.seq), Array.from({ length: 500 }, (_, i) => i + 1));
      assert.equal(new Set(ts.map((t) => t.eventTime)).size, 1, 'same millisecond');
      c.close();
    });
  });

  test('burst(n): one trade for each of n symbols, synthetic ones included, same millisecond', async () => {
    await withSim({}, async (sim) => {
      const n = 400;
      const streams = ['btcusdt@trade', 'ethusdt@trade', ...Array.from({ length: n - 2 }, (_, i) => `sym${String(i).padStart(4, '0')}@trade`)];
      const c = await subscribed(sim, streams);
      const other = await subscribed(sim, ['btcusdt@trade']);
      assert.equal(sim.burst(n), n + 1, 'n frames for c, one for the BTCUSDT-only client');
      await waitFor(() => c.trades().length === n, `${n} trades`);
      await waitFor(() => other.trades().length === 1, 'one trade for the BTC-only client');
      const ts = c.trades();
      assert.equal(new Set(ts.map((t) => t.symbol)).size, n);
      assert.ok(ts.some((t) => t.symbol === 'SYM0397'));
      assert.equal(new Set(ts.map((t) => t.eventTime)).size, 1, 'same millisecond');
      // More symbols than exist is refused, not answered with fewer trades than asked for.
      assert.throws(() => sim.burst(n + 1000), { name: 'RangeError', message: /n=1400, but only 400 symbols/ });
      c.close();
      other.close();
    });
  });

  test('gap shows as a seq jump', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      sim.burstSymbol('BTCUSDT', 2);
      sim.gap('BTCUSDT', 5);
      sim.burstSymbol('BTCUSDT', 2);
      await waitFor(() => c.trades().length === 4, '4 trades');
      assert.deepEqual(c.trades().map((t) => t.seq), [1, 2, 8, 9]);
      c.close();
    });
  });

  test('duplicate resends the last trade: a repeated seq', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      assert.equal(sim.duplicate('BTCUSDT'), 0, 'nothing to duplicate yet');
      sim.burstSymbol('BTCUSDT', 3);
      assert.equal(sim.duplicate('BTCUSDT'), 1);
      sim.burstSymbol('BTCUSDT', 1);
      await waitFor(() => c.trades().length === 5, '5 trades');
      assert.deepEqual(c.trades().map((t) => t.seq), [1, 2, 3, 3, 4]);
      assert.deepEqual(c.trades()[3], c.trades()[2], 'byte-identical frame');
      c.close();
    });
  });

  test('malformed: every kind reaches the client; the adapter turns the text ones into errors', async () => {
    await withSim({ oversizeBytes: 64 * 1024 }, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      sim.burstSymbol('BTCUSDT', 1);
      for (const kind of ['json', 'truncated', 'nan_price', 'negative_price', 'unknown_event', 'binary', 'oversized'] as const) {
        assert.equal(sim.malformed(kind, 'BTCUSDT'), 1, kind);
      }
      sim.burstSymbol('BTCUSDT', 1);
      await waitFor(() => c.binaries.length === 1 && c.trades().length === 3, 'all frames');
      assert.deepEqual(c.errors().map((e) => e.type), ['malformed_frame', 'malformed_frame', 'invalid_price', 'invalid_price', 'unknown_message']);
      assert.ok(c.texts.some((t) => t.length > 64 * 1024), 'an oversized frame arrived');
      assert.deepEqual(c.trades().map((t) => t.seq), [1, 2, 2], 'the oversized frame is a trade; only its size marks it');
      c.close();
    });
  });

  test('silence stops frames and leaves pings unanswered; lifting it restores both', async () => {
    await withSim({ ratePerSymbol: 200 }, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      await waitFor(() => c.trades().length >= 5, 'flowing');
      sim.silence(true);
      await sleep(100); // frames already on the wire may still land
      const seen = c.texts.length;
      c.ws.ping();
      await sleep(300); // 60 trades would arrive in this window at 200/s
      assert.equal(c.texts.length, seen, 'no frames while silent');
      assert.equal(c.pongs, 0, 'ping unanswered while silent');
      sim.silence(false);
      c.ws.ping();
      await waitFor(() => c.pongs >= 1 && c.texts.length > seen + 5, 'pongs and frames again');
      c.close();
    });
  });

  test('pause stops the flow but not the connection; resume restarts it', async () => {
    await withSim({ ratePerSymbol: 200 }, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      await waitFor(() => c.trades().length >= 5, 'flowing');
      sim.pause();
      await sleep(100);
      const seen = c.trades().length;
      await sleep(300);
      assert.equal(c.trades().length, seen, 'no trades while paused');
      c.ws.ping();
      await waitFor(() => c.pongs === 1, 'pings still answered while paused');
      sim.resume();
      await waitFor(() => c.trades().length > seen + 5, 'flowing again');
      const ts = c.trades();
      for (let i = 1; i < ts.length; i++) assert.equal(ts[i]!.seq, ts[i - 1]!.seq! + 1, 'pause loses nothing');
      c.close();
    });
  });

  test('disconnect(code) closes every client with that code; disconnect() resets them', async () => {
    await withSim({}, async (sim) => {
      const a = await subscribed(sim, ['btcusdt@trade']);
      const b = await Client.open(`${sim.url}/ws`);
      assert.equal(sim.disconnect(4001), 2);
      await waitFor(() => a.closed && b.closed, 'both closed');
      assert.equal(a.closed?.code, 4001);
      assert.equal(b.closed?.code, 4001);
      const c = await Client.open(`${sim.url}/stream`);
      assert.equal(sim.disconnect(), 1);
      await waitFor(() => c.closed, 'reset');
      assert.equal(c.closed?.code, 1006, 'no close frame: an abnormal closure');
      assert.throws(() => sim.disconnect(1006), RangeError);
      await waitFor(() => sim.state().clients === 0, 'clients forgotten');
    });
  });

  test('shock moves the next trade by pct; the walk continues from the new level', async () => {
    await withSim({ volatility: 0.0001 }, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      sim.burstSymbol('BTCUSDT', 1);
      sim.shock('BTCUSDT', 5);
      sim.burstSymbol('BTCUSDT', 2);
      await waitFor(() => c.trades().length === 3, '3 trades');
      const [p0, p1, p2] = c.trades().map((t) => t.price) as [number, number, number];
      assert.ok(Math.abs(p1 / p0 - 1.05) < 1e-8, `${p1} / ${p0}`);
      assert.ok(Math.abs(p2 / p1 - 1) < 0.001, 'no reversion: the next step is a small one');
      assert.throws(() => sim.shock('BTCUSDT', -100), RangeError);
      c.close();
    });
  });

  test('freeze keeps trades coming at one price until thaw, over the API and the HTTP control', async () => {
    await withSim({ volatility: 0.001 }, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      sim.burstSymbol('BTCUSDT', 1);
      const r = await fetch(`${sim.url.replace('ws:', 'http:')}/control/freeze?symbol=BTCUSDT`, { method: 'POST' });
      assert.equal(r.status, 200, await r.text());
      sim.burstSymbol('BTCUSDT', 20);
      await waitFor(() => c.trades().length === 21, '21 trades');
      assert.equal(new Set(c.trades().map((t) => t.price)).size, 1, 'one price');
      sim.thaw('BTCUSDT');
      sim.burstSymbol('BTCUSDT', 20);
      await waitFor(() => c.trades().length === 41, '41 trades');
      assert.ok(new Set(c.trades().slice(21).map((t) => t.price)).size > 1, 'walking again');
      assert.throws(() => sim.freeze('BTCUSDT', 0.5), RangeError);
      c.close();
    });
  });

  test('lag sets event times that many ms in the past', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      sim.lag(5_000);
      const sentAfter = Date.now();
      sim.burstSymbol('BTCUSDT', 1);
      await waitFor(() => c.trades().length === 1, 'a trade');
      const t = c.trades()[0]!;
      assert.ok(t.eventTime <= Date.now() - 5_000, 'at least 5 s old on arrival');
      assert.ok(t.eventTime >= sentAfter - 5_000, 'and not older than asked');
      c.close();
    });
  });

  test('rate 0 sends nothing; setting a rate starts the flow; a negative rate is refused', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      await sleep(100);
      assert.equal(c.trades().length, 0, 'rate 0: nothing');
      sim.setRate(500);
      await waitFor(() => c.trades().length >= 20, 'trades at the new rate');
      assert.throws(() => sim.setRate(-1), RangeError);
      c.close();
    });
  });
});

describe('simulator server: HTTP control API', () => {
  test('knobs over HTTP act like the methods and answer JSON', async () => {
    await withSim({}, async (sim) => {
      const c = await subscribed(sim, ['btcusdt@trade']);
      let r = await post(sim, '/control/burst?symbol=btcusdt&n=2');
      assert.equal(r.status, 200);
      assert.equal(r.body.result, 2);
      r = await post(sim, '/control/gap?symbol=BTCUSDT&n=3');
      assert.equal(r.status, 200);
      r = await post(sim, '/control/shock?pct=10'); // symbol defaults to the first configured
      assert.equal(r.status, 200);
      r = await post(sim, '/control/burst?symbol=BTCUSDT&n=1');
      assert.equal(r.body.result, 1);
      r = await post(sim, '/control/duplicate');
      assert.equal(r.body.result, 1);
      r = await post(sim, '/control/malformed?kind=nan_price');
      assert.equal(r.body.result, 1);
      await waitFor(() => c.trades().length === 4 && c.errors().length === 1, 'frames');
      const ts = c.trades();
      assert.deepEqual(ts.map((t) => t.seq), [1, 2, 6, 6]);
      assert.ok(Math.abs(ts[2]!.price / ts[1]!.price - 1.1) < 1e-8);
      assert.equal(c.errors()[0]?.type, 'invalid_price');

      for (const knob of ['lag?ms=250', 'rate?value=7', 'pause']) assert.equal((await post(sim, `/control/${knob}`)).status, 200, knob);
      r = await post(sim, '/control/silence?on=true');
      const state = r.body.state as Record<string, unknown>;
      assert.equal(state.lagMs, 250);
      assert.equal(state.ratePerSymbol, 7);
      assert.equal(state.paused, true);
      assert.equal(state.silent, true);
      assert.equal(state.clients, 1);
      assert.deepEqual(state.symbols, ['BTCUSDT', 'ETHUSDT']);
      await post(sim, '/control/silence?on=false');
      await post(sim, '/control/resume');
      const got = await fetch(`${sim.url.replace('ws:', 'http:')}/control/state`);
      const body = (await got.json()) as { state: Record<string, unknown> };
      assert.equal(body.state.paused, false);
      assert.equal(body.state.silent, false);
      assert.equal(body.state.framesSent, 5, '2 + 1 trades, 1 duplicate, 1 malformed');

      r = await post(sim, '/control/disconnect?code=4002');
      assert.equal(r.body.result, 1);
      await waitFor(() => c.closed, 'closed');
      assert.equal(c.closed?.code, 4002);
    });
  });

  test('bad parameters are 400, unknown knobs 404, wrong methods 405', async () => {
    await withSim({}, async (sim) => {
      for (const [path, status] of [
        ['/control/rate?value=abc', 400],
        ['/control/rate', 400],
        ['/control/gap?n=1.5', 400],
        ['/control/malformed?kind=weird', 400],
        ['/control/disconnect?code=1006', 400],
        ['/control/shock?pct=-100', 400],
        ['/control/silence?on=maybe', 400],
        ['/control/shock?symbol=NOPE&pct=1', 400],
        ['/control/gap?symbol=NOPE', 400],
        ['/control/duplicate?symbol=NOPE', 400],
        ['/control/malformed?kind=json&symbol=NOPE', 400],
        ['/control/burst?symbol=NOPE&n=1', 400],
        ['/control/burst?n=5000', 400],
        ['/control/explode', 404],
        ['/control/state', 405],
      ] as const) {
        const r = await post(sim, path);
        assert.equal(r.status, status, path);
        assert.equal(r.body.ok, false, path);
        assert.equal(typeof r.body.error, 'string', path);
      }
      const get = await fetch(`${sim.url.replace('ws:', 'http:')}/control/rate`);
      assert.equal(get.status, 405);
      const list = (await (await fetch(`${sim.url.replace('ws:', 'http:')}/control`)).json()) as { knobs: Record<string, { effect: string; params: Record<string, string> }> };
      const names = (await post(sim, '/control/explode')).body.error as string;
      // Every knob the router knows (its 404 lists them) is described, with every parameter.
      assert.deepEqual(Object.keys(list.knobs).join(', '), names.replace(/^no knob explode; knobs: /, ''));
      assert.deepEqual(Object.keys(list.knobs.burst!.params), ['n', 'symbol']);
      assert.deepEqual(Object.keys(list.knobs.backfill!.params), ['minutes', 'step', 'end', 'allowLate']);
      for (const [k, d] of Object.entries(list.knobs)) assert.ok(d.effect.length > 10, k);
    });
  });
});

describe('simulator server: stop', () => {
  test('stop closes clients with 1001 and frees the port', async () => {
    const sim = await Simulator.start({ symbols: ['BTCUSDT'], ratePerSymbol: 100, log: quiet });
    const c = await subscribed(sim, ['btcusdt@trade']);
    await sim.stop();
    await waitFor(() => c.closed, 'closed');
    assert.equal(c.closed?.code, 1001);
    await assert.rejects(Client.open(`${sim.url}/stream`));
    await sim.stop(); // idempotent
  });
});
