import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { VenueStatus } from '../../src/feeds/types.js';
import { CONTACT_HOLD_MS, NOTICE_HOLD_MS, VENUE_STATES, VenueState } from '../../src/market/venue-state.js';

const said = (status: VenueStatus, maintenanceStart?: number | null) =>
  maintenanceStart === undefined
    ? { kind: 'venue_status' as const, status, message: status }
    : { kind: 'venue_status' as const, status, message: status, maintenanceStart };

const T0 = 1_800_000_000_000;

describe('venue state: what the venue said, for as long as it can be true', () => {
  test('nothing said is unknown; the closed set holds every state once', () => {
    assert.equal(new VenueState().state(T0), 'unknown');
    assert.deepEqual([...VENUE_STATES], ['online', 'maintenance', 'cancel_only', 'post_only', 'restart_announced', 'unknown']);
  });

  test('an engine state holds while a connection is open, however old, and the next status replaces it', () => {
    const v = new VenueState();
    v.contact(1, T0);
    assert.equal(v.apply(said('maintenance'), T0), true, 'a change');
    assert.equal(v.state(T0 + 10 * CONTACT_HOLD_MS), 'maintenance', 'open: the venue would have said otherwise');
    assert.equal(v.apply(said('maintenance'), T0 + 1), false, 'repeated on reconnect: no change');
    assert.equal(v.apply(said('online'), T0 + 2), true);
    assert.equal(v.state(T0 + 2), 'online');
  });

  test('with every connection closed an engine state holds CONTACT_HOLD_MS, then is unknown; a reconnect brings it back', () => {
    const v = new VenueState();
    v.contact(2, T0);
    v.apply(said('maintenance'), T0);
    v.contact(1, T0 + 1000);
    v.contact(0, T0 + 2000);
    assert.equal(v.state(T0 + 2000 + CONTACT_HOLD_MS), 'maintenance', 'at the bound');
    assert.equal(v.state(T0 + 2001 + CONTACT_HOLD_MS), 'unknown', 'past it');
    v.contact(1, T0 + 3000 + CONTACT_HOLD_MS);
    assert.equal(v.state(T0 + 3000 + CONTACT_HOLD_MS), 'maintenance', 'open again: until the status sent on connect says otherwise');
  });

  test('a restart notice holds NOTICE_HOLD_MS after the latest one, then clears by itself', () => {
    const v = new VenueState();
    v.contact(1, T0);
    assert.equal(v.apply(said('restart_announced'), T0), true);
    v.apply(said('restart_announced'), T0 + 1000);
    assert.equal(v.state(T0 + 999 + NOTICE_HOLD_MS), 'restart_announced');
    assert.equal(v.state(T0 + 1000 + NOTICE_HOLD_MS), 'unknown', 'nothing else was ever said');
  });

  test('precedence: an engine state other than online over a restart notice over online', () => {
    const v = new VenueState();
    v.contact(1, T0);
    v.apply(said('online'), T0);
    v.apply(said('restart_announced'), T0);
    assert.equal(v.state(T0), 'restart_announced');
    v.apply(said('cancel_only'), T0);
    assert.equal(v.state(T0), 'cancel_only');
    v.apply(said('online'), T0);
    assert.equal(v.state(T0 + NOTICE_HOLD_MS), 'online', 'the notice has run out');
  });

  test('the next maintenance window: set by a list, kept by a frame without one, cleared by an empty list, gone with the engine state', () => {
    const v = new VenueState();
    v.contact(1, T0);
    assert.ok(Number.isNaN(v.nextMaintenance(T0)));
    v.apply(said('online', T0 + 3_600_000), T0);
    assert.equal(v.nextMaintenance(T0), T0 + 3_600_000);
    v.apply(said('online'), T0 + 1);
    assert.equal(v.nextMaintenance(T0 + 1), T0 + 3_600_000, 'no list: nothing said about it');
    v.apply(said('online', null), T0 + 2);
    assert.ok(Number.isNaN(v.nextMaintenance(T0 + 2)), 'an empty list');
    v.apply(said('online', T0 + 3_600_000), T0 + 3);
    v.contact(0, T0 + 4);
    assert.ok(Number.isNaN(v.nextMaintenance(T0 + 5 + CONTACT_HOLD_MS)), 'stale with the state');
  });
});
