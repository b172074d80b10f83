import { test } from 'vitest';
import assert from 'node:assert/strict';
import { OKX_NOTICE_UPGRADE, binanceServerShutdown, krakenStatus, okxNotice } from '../../src/feeds/venue-status.js';

test('OKX: only 64008 announces a restart; other notices are notices', () => {
  assert.equal(OKX_NOTICE_UPGRADE, '64008');
  assert.deepEqual(
    okxNotice({ event: 'notice', code: '64009', msg: 'x' }).map((e) => e.kind),
    ['notice'],
  );
  assert.deepEqual(
    okxNotice({ event: 'notice', code: '64008', msg: 'x' }).map((e) => e.kind),
    ['venue_status', 'notice'],
  );
});

test('Binance: serverShutdown is a restart announcement and a reconnect', () => {
  const [s, n] = binanceServerShutdown();
  assert.equal(s?.kind === 'venue_status' && s.status, 'restart_announced');
  assert.equal(n?.kind === 'notice' && n.reconnect, 'venue_notice');
});

test('Kraken: entries that are not objects are skipped, windows without a usable start or for other services are ignored', () => {
  assert.deepEqual(krakenStatus([1, null]), []);
  const [e] = krakenStatus([
    {
      system: 'online',
      upcoming_maintenance: [
        { expected_start_utc: 'soon', affected_services: ['spot_ws'] },
        { expected_start_utc: '2026-12-03T06:00:00Z', affected_services: ['futures_ws'] },
        { expected_start_utc: '2026-12-04T06:00:00Z' },
      ],
    },
  ]);
  // No affected_services: unspecified, so assumed to affect spot.
  assert.equal(e?.kind === 'venue_status' && e.maintenanceStart, Date.UTC(2026, 11, 4, 6));
  const [none] = krakenStatus([{ system: 'online', upcoming_maintenance: [{ expected_start_utc: '2026-12-03T06:00:00Z', affected_services: ['futures_ws'] }] }]);
  assert.equal(none?.kind === 'venue_status' && none.maintenanceStart, null);
});
