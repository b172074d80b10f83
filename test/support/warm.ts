/** What the warm-start tests wait for and check: readiness, then every indicator on one scrape. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { NATIVE_OUTPUT_NAMES } from '../../src/indicators/registry.js';
import type { Series } from './scrape.js';

/** Polls `/-/ready` until 200; a backfilled feed holds readiness back for at most 30 s. */
export async function untilReady(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    if ((await fetch(`${url}/-/ready`)).status === 200) return;
    assert.ok(i < 600, 'ready within 30 s');
    await sleep(50);
  }
}

/** The `market_indicator` series of every native output that the scrape lacks or holds as NaN. */
export function missingIndicators(s: Series, exchange: string, symbols: readonly string[], intervals: readonly string[]): string[] {
  const missing: string[] = [];
  for (const symbol of symbols)
    for (const interval of intervals)
      for (const indicator of NATIVE_OUTPUT_NAMES) {
        const key = `market_indicator{exchange="${exchange}",symbol="${symbol}",interval="${interval}",indicator="${indicator}"}`;
        if (!Number.isFinite(s.get(key))) missing.push(key);
      }
  return missing;
}
