/**
 * The simulator's pure core: a seeded random walk and trade-id counter per symbol, and the
 * Binance-format frame builders. No sockets, no timers: server.ts decides when and to whom.
 *
 * Frames are template strings, not JSON.stringify of objects: a load generator built on this
 * pushes hundreds of thousands of frames a second, and the shapes are fixed.
 */

/** mulberry32: tiny, fast and good enough for a price walk; the same seed gives the same run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of the symbol mixed with the seed: each symbol gets its own stream of randomness. */
function symbolSeed(seed: number, symbol: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface WalkParams {
  startPrice: number;
  /** Per-trade relative volatility (standard deviation of the log step). */
  volatility: number;
  seed: number;
  /** Id of each symbol's first trade (default 1). */
  firstTradeId?: number;
}

/** Half the bid/ask spread, relative to the last price (1 basis point wide in total). */
const HALF_SPREAD = 0.00005;

/** Binance prints prices and quantities as decimal strings with 8 places. */
function dec(x: number): string {
  return x.toFixed(8);
}

/** Raw `<symbol>@trade` payload as Binance sends it. */
export function tradePayload(
  symbol: string,
  id: number,
  price: string,
  qty: string,
  tradeTime: number,
  eventTime: number,
  buyerIsMaker: boolean,
): string {
  return `{"e":"trade","E":${eventTime},"s":"${symbol}","t":${id},"p":"${price}","q":"${qty}","T":${tradeTime},"m":${buyerIsMaker},"M":true}`;
}

/** Raw `<symbol>@bookTicker` payload (spot: no event type, no event time). */
export function bookTickerPayload(symbol: string, updateId: number, bid: string, bidQty: string, ask: string, askQty: string): string {
  return `{"u":${updateId},"s":"${symbol}","b":"${bid}","B":"${bidQty}","a":"${ask}","A":"${askQty}"}`;
}

/** The combined-stream wrapper. */
export function combinedFrame(stream: string, payload: string): string {
  return `{"stream":"${stream}","data":${payload}}`;
}

/** One symbol's market: price walk, trade ids, book update ids and the last trade sent. */
export class SymbolMarket {
  readonly symbol: string;
  /** The symbol as stream names spell it (lowercase). */
  readonly streamSymbol: string;
  readonly tradeStream: string;
  readonly bookStream: string;
  /** Last traded price (full precision; frames carry it rounded to 8 places). */
  price: number;
  /** Id the next trade will carry. */
  nextTradeId: number;
  private nextUpdateId = 1;
  /** Raw payload of the last trade, for the duplicate knob. */
  lastTrade: string | undefined;
  /** Event time of the last trade, epoch ms (-Infinity before the first). */
  lastEventTime = -Infinity;
  /** The simulator's running trade count when this symbol last traded (Simulator sets it). */
  tradeNo = 0;
  private readonly rng: () => number;
  private readonly volatility: number;
  private pendingShockPct: number | undefined;
  /** Frozen: every trade prints this price, moved by at most `frozenNoise` of it (pyth-observer's "frozen under noise"). */
  private frozenAt: number | undefined;
  private frozenNoise = 0;

  constructor(symbol: string, params: WalkParams) {
    this.symbol = symbol;
    this.streamSymbol = symbol.toLowerCase();
    this.tradeStream = `${this.streamSymbol}@trade`;
    this.bookStream = `${this.streamSymbol}@bookTicker`;
    this.price = params.startPrice;
    this.nextTradeId = params.firstTradeId ?? 1;
    this.volatility = params.volatility;
    this.rng = mulberry32(symbolSeed(params.seed, symbol));
  }

  /** The next trade skips `n` ids (they are "lost"). */
  gap(n: number): void {
    this.nextTradeId += n;
  }

  /** The next trade moves the price by `pct` percent; the walk continues from there. */
  shock(pct: number): void {
    this.pendingShockPct = pct;
  }

  /**
   * Trades keep coming at the current price, each moved by a uniform draw of at most `noise`
   * (a ratio: 0.000001 = 0.01 bps) of it, until `thaw`; the walk then continues from there.
   */
  freeze(noise = 0): void {
    this.frozenAt ??= this.price;
    this.frozenNoise = noise;
  }

  thaw(): void {
    if (this.frozenAt !== undefined) this.price = this.frozenAt;
    this.frozenAt = undefined;
  }

  /** Advance one trade and return its raw payload. */
  trade(tradeTime: number, eventTime: number): string {
    const r = this.rng;
    if (this.frozenAt !== undefined) this.price = this.frozenAt * (1 + this.frozenNoise * (r() * 2 - 1));
    else if (this.pendingShockPct !== undefined) {
      this.price *= 1 + this.pendingShockPct / 100;
      this.pendingShockPct = undefined;
    } else {
      // Sum of three uniforms, rescaled to unit variance: close enough to normal, and cheap.
      const z = (r() + r() + r() - 1.5) * 2;
      this.price *= Math.exp(this.volatility * z);
    }
    const qty = 0.0001 + r() * 0.5;
    const payload = tradePayload(this.symbol, this.nextTradeId++, dec(this.price), dec(qty), tradeTime, eventTime, r() < 0.5);
    this.lastTrade = payload;
    this.lastEventTime = eventTime;
    return payload;
  }

  /** Top of book around the last price. */
  bookTicker(): string {
    const r = this.rng;
    return bookTickerPayload(
      this.symbol,
      this.nextUpdateId++,
      dec(this.price * (1 - HALF_SPREAD)),
      dec(0.01 + r() * 5),
      dec(this.price * (1 + HALF_SPREAD)),
      dec(0.01 + r() * 5),
    );
  }

  /** A trade-shaped payload with a bad price; it does not consume a trade id (it is not a trade). */
  badTrade(price: string, time: number): string {
    return tradePayload(this.symbol, this.nextTradeId, price, '1.00000000', time, time, false);
  }
}

/** Every symbol's market, created on first use (synthetic burst symbols included). */
export class Market {
  private readonly symbols = new Map<string, SymbolMarket>();
  constructor(readonly params: WalkParams) {}

  get(symbol: string): SymbolMarket {
    let m = this.symbols.get(symbol);
    if (!m) {
      m = new SymbolMarket(symbol, this.params);
      this.symbols.set(symbol, m);
    }
    return m;
  }

  has(symbol: string): boolean {
    return this.symbols.has(symbol);
  }
}

/** Name of the i-th synthetic symbol a burst adds beyond the configured ones. */
export function syntheticSymbol(i: number): string {
  return `SYM${String(i).padStart(4, '0')}`;
}

/** The bad frames the `malformed` knob can send. */
export const MALFORMED_KINDS = ['json', 'truncated', 'binary', 'nan_price', 'negative_price', 'unknown_event', 'oversized'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export function isMalformedKind(s: string): s is MalformedKind {
  return (MALFORMED_KINDS as readonly string[]).includes(s);
}

/**
 * One bad frame of `kind` for `m`, wrapped for a combined (`/stream`) or raw (`/ws`) client.
 * `oversizeBytes` is the size the `oversized` frame must exceed. Binary comes back as a Buffer.
 * None of them consumes a trade id, so the good stream around them stays gap-free.
 */
export function malformedFrame(kind: MalformedKind, m: SymbolMarket, time: number, combined: boolean, oversizeBytes: number): string | Buffer {
  const wrap = (stream: string, payload: string) => (combined ? combinedFrame(stream, payload) : payload);
  switch (kind) {
    case 'json':
      // What a proxy in the path sends when the upstream is down.
      return '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>';
    case 'truncated': {
      const full = wrap(m.tradeStream, m.badTrade(dec(m.price), time));
      return full.slice(0, full.length >> 1);
    }
    case 'binary':
      // Not valid UTF-8 and not JSON: what a compressed or SBE frame looks like to a JSON client.
      return Buffer.from([0x00, 0x9f, 0x92, 0x96, 0xff, 0xfe, 0x1f, 0x8b, 0x08, 0x00]);
    case 'nan_price':
      return wrap(m.tradeStream, m.badTrade('NaN', time));
    case 'negative_price':
      return wrap(m.tradeStream, m.badTrade(dec(-m.price), time));
    case 'unknown_event':
      return wrap(`${m.streamSymbol}@simulatorTest`, `{"e":"simulatorTest","E":${time},"s":"${m.symbol}"}`);
    case 'oversized': {
      // A valid trade padded past the limit: only the size check may stop it, so a socket layer
      // that forgets that check lets a (duplicate-id) trade through and a test can see it.
      const base = m.badTrade(dec(m.price), time);
      const pad = 'x'.repeat(Math.max(0, oversizeBytes + 1 - base.length));
      return wrap(m.tradeStream, `${base.slice(0, -1)},"pad":"${pad}"}`);
    }
  }
}
