// Exporter-level faults before a connection opens: HTTP 429/418/5xx on the upgrade (with and
// without Retry-After), connection refused, DNS failure, TLS failure, an upgrade that never
// completes. The exporter keeps serving, counts each attempt by reason, backs off (harder when
// told to slow down), and connects once the venue is back, without a restart.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { makePki, type TestPki } from '../support/tls.js';
import { FakeVenue, feedYaml, reconnects, startExporter, trades, up, type RunningExporter } from './harness.js';

/** The next_delay_ms of every failed attempt the exporter logged, in order. */
function delays(exp: RunningExporter, reason: string): number[] {
  return exp.logs.filter((l) => l.includes('msg="connect failed"') && l.includes(`reason=${reason}`)).map((l) => Number(/next_delay_ms=(\d+)/.exec(l)?.[1]));
}

describe('the venue refuses the upgrade with an HTTP status', () => {
  let venue: FakeVenue;
  let exp: RunningExporter | undefined;
  beforeAll(async () => {
    venue = await FakeVenue.start();
    venue.flow(10);
  });
  afterAll(async () => {
    await exp?.stop();
    await venue.close();
  });
  const run = async () => {
    await exp?.stop();
    venue.attempts.length = 0;
    exp = await startExporter([feedYaml(venue.url)]);
    return exp;
  };

  test('429 with Retry-After: handshake_rejected, the next attempt waits at least Retry-After, then recovery', async () => {
    venue.reject(429, { 'Retry-After': '1' });
    const e = await run();
    const s1 = await e.until((s) => reconnects(s, 'handshake_rejected') >= 1 && s, 'a rejected handshake');
    assert.equal(up(s1), 0);
    await e.until(() => venue.attempts.length >= 2, 'a second attempt', 10_000);
    assert.ok(venue.attempts[1]! - venue.attempts[0]! >= 990, `retried after ${venue.attempts[1]! - venue.attempts[0]!} ms, Retry-After said 1 s`);
    assert.ok(delays(e, 'handshake_rejected').every((d) => d >= 1000), 'every wait honours Retry-After');
    assert.ok(e.logs.some((l) => l.includes('status=429') && l.includes('retry_after_ms=1000')));
    venue.accept();
    await e.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > 0, 'connected once the venue accepts', 10_000);
  });

  test('418 (IP banned) and 429 back off harder than a 5xx: the first waits are 4x longer', async () => {
    const first = async (status: number) => {
      venue.reject(status);
      const e = await run();
      await e.until(() => delays(e, 'handshake_rejected').length >= 2 || undefined, `two ${status} refusals`);
      return delays(e, 'handshake_rejected').slice(0, 2);
    };
    // backoff: initial 20 ms, x2, no jitter. 5xx: 20, 40. 418/429 skip two steps: 80, 160.
    assert.deepEqual(await first(503), [20, 40]);
    assert.deepEqual(await first(418), [80, 160]);
    assert.deepEqual(await first(429), [80, 160]);
    assert.ok(venue.attempts[1]! - venue.attempts[0]! >= 78, 'and the venue saw the 429 retry no sooner');
    venue.accept();
  });

  for (const status of [500, 502, 503, 504]) {
    test(`${status} on the upgrade: counted, /metrics answers meanwhile, recovery when the venue is back`, async () => {
      venue.reject(status);
      const e = await run();
      const s = await e.until((s) => reconnects(s, 'handshake_rejected') >= 3 && s, `three ${status} refusals`);
      assert.equal(up(s), 0);
      assert.ok(e.logs.some((l) => l.includes(`status=${status}`)));
      venue.accept();
      await e.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > 0, 'connected once the venue accepts');
    });
  }
});

describe('the network fails before any HTTP', () => {
  let pki: TestPki;
  let tlsServer: HttpsServer;
  let venue: FakeVenue;
  beforeAll(async () => {
    pki = makePki();
    venue = await FakeVenue.start();
    venue.flow(10);
    // A TLS server with a certificate from a CA the exporter does not trust.
    tlsServer = createHttpsServer({ cert: readFileSync(pki.server.cert), key: readFileSync(pki.server.key) });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    tlsServer.closeAllConnections();
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    await venue.close();
    pki.remove();
  });

  test('connection refused (the venue is gone), then the venue comes back on the same port', async () => {
    const e = await startExporter([feedYaml(venue.url)]);
    try {
      await e.until((s) => up(s) === 1, 'up');
      await venue.stopListening();
      const s1 = await e.until((s) => reconnects(s, 'error') >= 2 && s, 'refused attempts counted as error');
      assert.equal(up(s1), 0);
      assert.ok(e.logs.some((l) => l.includes('reason=error') && l.includes('ECONNREFUSED')));
      await venue.resumeListening();
      await e.until((s) => up(s) === 1 && trades(s, 'AAAUSDT') > trades(s1, 'AAAUSDT'), 'back once the venue listens again');
    } finally {
      await e.stop();
    }
  });

  test('DNS failure, TLS failure and a never-answered upgrade fail their own feeds only', async () => {
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    const blackhole = await FakeVenue.start();
    blackhole.blackhole();
    const e = await startExporter([
      feedYaml(venue.url, { name: 'healthy' }),
      // RFC 2606: .invalid never resolves.
      feedYaml('ws://exchange.invalid:9443', { name: 'dns', connection: { connectTimeout: '5s' } }),
      feedYaml(`wss://127.0.0.1:${tlsPort}`, { name: 'tls' }),
      feedYaml(blackhole.url, { name: 'hang', connection: { connectTimeout: '150ms' } }),
    ]);
    try {
      const s = await e.until(
        (s) => reconnects(s, 'error', 'dns') + reconnects(s, 'connect_timeout', 'dns') >= 1 && reconnects(s, 'error', 'tls') >= 2 && reconnects(s, 'connect_timeout', 'hang') >= 2 && up(s, 'healthy') === 1 && trades(s, 'AAAUSDT', 'healthy') > 5 && s,
        'each broken feed failing its own way while the healthy one trades',
        15_000,
      );
      for (const f of ['dns', 'tls', 'hang']) assert.equal(up(s, f), 0, `${f} is down`);
      assert.ok(e.logs.some((l) => l.includes('feed=tls') && /certificate|self.signed|verify/i.test(l)), 'the TLS reason is logged');
      if (reconnects(s, 'error', 'dns') > 0) assert.ok(e.logs.some((l) => l.includes('feed=dns') && /ENOTFOUND|EAI_AGAIN/.test(l)), 'the DNS reason is logged');
      assert.equal(reconnects(s, 'connect_timeout', 'healthy') + reconnects(s, 'error', 'healthy'), 0, 'the healthy feed never noticed');
    } finally {
      await e.stop();
      await blackhole.close();
    }
  });
});
