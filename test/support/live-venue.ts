/**
 * One venue, live: a VenueServer speaking the venue's protocol and the real exporter running one
 * feed against it, started before the enclosing describe block's tests and stopped after them,
 * plus the scrapes those tests repeat. What the venue says and what /metrics must show stay in
 * each test/integration/<venue>.test.ts.
 */
import { afterAll, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { createLogger, type Logger } from '../../src/log.js';
import { startService, type Service } from '../../src/service.js';
import { scrape, scrapeUntil, type Series } from './scrape.js';
import { VenueServer, type VenueProtocol } from './venue-server.js';
import type { ServerSocket } from './ws-test-server.js';

/** The one feed of the config. Reconnect backoff is always short (20 ms to 200 ms). */
export interface LiveFeed {
  /** Venue key. */
  venue: string;
  symbols: readonly string[];
  /** Feed name (its `exchange` label) where it is not the venue key. */
  name?: string;
  /** Appended to the fake venue's ws://127.0.0.1:<port>/ (Bybit's category path). */
  path?: string;
  /** pingInterval 0: no protocol pings, so a round trip on /metrics can only come from an app pong. */
  noProtocolPings?: boolean;
  /** More keys of the feed entry, as YAML lines indented under it (the generic adapter's options). */
  yaml?: string;
}

export interface LiveVenue {
  readonly venue: VenueServer;
  readonly svc: Service;
  scrape(): Promise<Series>;
  /** Scrape until `check` returns a value (not undefined/false). */
  until<T>(check: (s: Series) => T | undefined | false, what: string): Promise<T>;
  /** Wait for the feed's market_feed_up to be 1. */
  feedUp(what: string): Promise<void>;
  /**
   * Drop the newest socket, wait for the reconnect (reason closed) to be counted once more and
   * for connection `n` to send a frame matching `sent`; `closed` is the count then.
   */
  dropAndReconnect(n: number, sent: (text: string) => boolean): Promise<{ socket: ServerSocket; closed: number }>;
}

/** The exporter's config for `feed` against the fake venue at `url`. */
export function liveConfigYaml(feed: LiveFeed, url: string): string {
  return [
    'listen: 127.0.0.1:0',
    'feeds:',
    `  - venue: ${feed.venue}`,
    ...(feed.name ? [`    name: ${feed.name}`] : []),
    `    url: ${url}${feed.path ?? ''}`,
    `    symbols: [${feed.symbols.join(', ')}]`,
    '    connection:',
    ...(feed.noProtocolPings ? ['      pingInterval: 0'] : []),
    '      backoff: { initial: 20ms, max: 200ms }',
    ...(feed.yaml ? [feed.yaml.replace(/^\n+|\s+$/g, '')] : []),
    '',
  ].join('\n');
}

/**
 * Registers before/after hooks in the enclosing describe block: start a VenueServer speaking
 * `protocol`, then the exporter with `feed` against it; stop both after. Errors are the only log
 * lines unless `log` is given.
 */
export function liveVenue(protocol: VenueProtocol, feed: LiveFeed, { log }: { log?: Logger } = {}): LiveVenue {
  let venue: VenueServer | undefined;
  let svc: Service | undefined;
  const x = `exchange="${feed.name ?? feed.venue}"`;

  beforeAll(async () => {
    venue = await VenueServer.start(protocol);
    const config = parseConfig(liveConfigYaml(feed, venue.url), 'test.yml');
    svc = await startService(config, { log: log ?? createLogger({ level: 'error' }) });
  });

  afterAll(async () => {
    await svc?.stop();
    await venue?.close();
  });

  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('liveVenue: used outside a test (the before hook has not run)');
    return v;
  };

  const live: LiveVenue = {
    get venue() {
      return started(venue);
    },
    get svc() {
      return started(svc);
    },
    scrape: () => scrape(live.svc.url),
    until: (check, what) => scrapeUntil(live.svc.url, check, what),
    async feedUp(what) {
      await live.until((m) => m.get(`market_feed_up{${x}}`) === 1, what);
    },
    async dropAndReconnect(n, sent) {
      const key = `market_feed_reconnects_total{${x},reason="closed"}`;
      const before = (await live.scrape()).get(key);
      assert.ok(before !== undefined, `${key} is exported before the drop`);
      const closed = before + 1;
      live.venue.dropLast();
      await live.until((m) => m.get(key) === closed, 'reconnect counted');
      return { socket: await live.venue.connection(n, sent), closed };
    },
  };
  return live;
}
