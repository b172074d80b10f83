/**
 * A tiny venue for testing the socket shell without any real venue's adapter: it subscribes with
 * one JSON frame, puts its symbols in the URL query (so a test server can tell connections
 * apart) and parses the simple JSON frames under test/fixtures/echo/.
 */
import type { Adapter, AppPing, MarketEvent, VenueLimits } from '../../src/feeds/types.js';

export interface EchoAdapterOptions {
  limits?: Partial<VenueLimits>;
  appPing?: AppPing;
  defaultChannels?: string[];
}

/** The subscribe frame the echo venue expects. */
export interface EchoSubscribe {
  op: 'subscribe';
  symbols: string[];
  channels: string[];
}

export function createEchoAdapter(opts: EchoAdapterOptions = {}): Adapter {
  return {
    venue: 'echo',
    defaultUrl: 'ws://127.0.0.1:9/',
    limits: { streamsPerConnection: 100, ...opts.limits },
    defaultChannels: opts.defaultChannels ?? ['trade'],
    channels: ['trade', 'quote'],
    appPing: opts.appPing,
    streamsFor: (symbols, channels) => symbols.length * channels.length,
    url: (base, symbols) => `${base}?symbols=${encodeURIComponent(symbols.join(','))}`,
    subscribeFrames: (symbols, channels) => [
      JSON.stringify({ op: 'subscribe', symbols: [...symbols], channels: [...channels] } satisfies EchoSubscribe),
    ],
    parse,
  };
}

function parse(frame: string): MarketEvent[] {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(frame) as Record<string, unknown>;
  } catch {
    return [{ kind: 'error', type: 'malformed_frame', message: 'not JSON' }];
  }
  switch (msg.type) {
    case 'trade':
      return [
        {
          kind: 'trade',
          symbol: String(msg.s),
          price: Number(msg.p),
          size: Number(msg.q),
          eventTime: Number(msg.T),
          seq: Number(msg.t),
        },
      ];
    case 'quote':
      return [{ kind: 'quote', symbol: String(msg.s), bid: Number(msg.b), ask: Number(msg.a), eventTime: Number(msg.T) }];
    case 'subscribed':
      return [{ kind: 'subscribed', ok: msg.ok === true }];
    case 'pong':
      return [{ kind: 'pong', sentAt: Number(msg.echo) }];
    default:
      return [{ kind: 'error', type: 'unknown_message', message: `unknown type ${String(msg.type)}` }];
  }
}
