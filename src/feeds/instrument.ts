/**
 * What a venue symbol is, across venues: `BTCUSDT` on Binance, `BTC-USDT` on OKX and `BTCUSDT` on
 * Bybit spot are one instrument, `BTC/USDT`; `XBT/USD` on Kraken and `BTC-USD` on Coinbase are
 * `BTC/USD`. Pure: each adapter names how its venue spells a pair (one of the splitters below),
 * and `canonicalInstrument` applies the asset aliases. Derivatives carry their settlement
 * currency after a colon, as ccxt writes them (`BTC/USDT:USDT` a linear perpetual, `BTC/USD:BTC`
 * an inverse one), so a perpetual's price is never compared with the spot price it trades a basis
 * away from.
 */

/** A pair as the venue spells it, split: `settle` only for derivatives. */
export interface InstrumentParts {
  readonly base: string;
  readonly quote: string;
  readonly settle?: string;
}

/** How a venue spells a pair, as a function from its symbol; undefined: no pair can be read from it. */
export type InstrumentOf = (symbol: string) => InstrumentParts | undefined;

/**
 * Quote currencies a concatenated symbol (Binance, Bybit: `BTCUSDT`) may end with, longest first
 * where one ends another (`FDUSD` before `USD`, `USDT` before `USD`). From the quote assets the
 * venues list (Binance exchangeInfo `quoteAsset`, Bybit instruments-info `quoteCoin`).
 */
export const KNOWN_QUOTES: readonly string[] = [
  'FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'USDP', 'USDE', 'USD1', 'DAI', 'USD',
  'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'AUD', 'ARS', 'MXN', 'PLN', 'RON', 'UAH', 'ZAR', 'IDR', 'COP', 'CZK',
  'BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'DOGE', 'TRX',
].sort((a, b) => b.length - a.length);

/**
 * Asset codes venues spell their own way, to the code the instrument uses. Kraken's legacy codes
 * (REST and v1 names; v2 mostly sends BTC, but XBT still appears in configs and docs). A config's `assetAliases` adds to and overrides these.
 */
export const DEFAULT_ASSET_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  XBT: 'BTC',
  XDG: 'DOGE',
  XXBT: 'BTC',
  XETH: 'ETH',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  ZGBP: 'GBP',
  ZJPY: 'JPY',
  ZCAD: 'CAD',
});

/** `BTCUSDT`: the longest known quote it ends with, the rest (non-empty) the base. */
export function splitConcatenated(symbol: string): InstrumentParts | undefined {
  for (const quote of KNOWN_QUOTES) {
    if (symbol.length > quote.length && symbol.endsWith(quote)) return { base: symbol.slice(0, -quote.length), quote };
  }
  return undefined;
}

/** `BTC-USD` / `BTC/USD`: exactly two non-empty parts around `sep`. */
export function splitSeparated(symbol: string, sep: string): InstrumentParts | undefined {
  const parts = symbol.split(sep);
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { base: parts[0]!, quote: parts[1]! };
}

/**
 * OKX instIds: spot `BTC-USDT`; perpetual swaps `BTC-USDT-SWAP` (linear, settled in the quote) and
 * `BTC-USD-SWAP` (inverse, settled in the base), as OKX documents its instrument families. Dated
 * futures and options (`BTC-USD-250328`, `BTC-USD-250328-90000-C`) are left to the config.
 */
export function splitOkx(symbol: string): InstrumentParts | undefined {
  const parts = symbol.split('-');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 2) return { base: parts[0]!, quote: parts[1]! };
  if (parts.length === 3 && parts[2] === 'SWAP') {
    const [base, quote] = parts as [string, string];
    return { base, quote, settle: quote === 'USD' ? base : quote };
  }
  return undefined;
}

/**
 * Bybit linear contracts: USDT perpetuals `BTCUSDT` (settled in USDT), USDC perpetuals `BTCPERP`
 * (settled in USDC). Dated futures (`BTC-27DEC24`) are left to the config.
 */
export function splitBybitLinear(symbol: string): InstrumentParts | undefined {
  if (symbol.endsWith('PERP') && symbol.length > 4) return { base: symbol.slice(0, -4), quote: 'USDC', settle: 'USDC' };
  if (symbol.includes('-')) return undefined;
  const p = splitConcatenated(symbol);
  return p && { ...p, settle: p.quote };
}

/**
 * Binance USD-M perpetuals `BTCUSDT`, `BTCUSDC`, settled in their quote. Quarterlies
 * (`BTCUSDT_250328`) are left to the config.
 */
export function splitUsdmPerpetual(symbol: string): InstrumentParts | undefined {
  if (symbol.includes('_')) return undefined;
  const p = splitConcatenated(symbol);
  return p && { ...p, settle: p.quote };
}

/** A canonical instrument as a config writes one: `BTC/USDT`, `BTC/USDT:USDT`. */
export const INSTRUMENT_RE = /^[A-Z0-9.]{1,20}\/[A-Z0-9.]{1,20}(:[A-Z0-9.]{1,20}(-[A-Z0-9]{1,20})*)?$/;
/** An asset code in `assetAliases`. */
export const ASSET_RE = /^[A-Z0-9.]{1,20}$/;

/** `BASE/QUOTE[:SETTLE]` with every part through `aliases`. */
export function canonicalInstrument(p: InstrumentParts, aliases: Readonly<Record<string, string>>): string {
  const a = (code: string) => aliases[code] ?? code;
  return `${a(p.base)}/${a(p.quote)}${p.settle === undefined ? '' : `:${a(p.settle)}`}`;
}

/**
 * The instrument of one configured symbol: the feed's override for it if any, else parsed by the
 * venue's splitter with the aliases applied, else (a venue without one, the generic feed, or a
 * spelling it cannot read) the symbol itself: an instrument of its own, compared with no other
 * venue until the config names it (docs/config.md, `instruments`).
 */
export function instrumentOf(
  symbol: string,
  split: InstrumentOf | undefined,
  overrides: Readonly<Record<string, string>> | undefined,
  aliases: Readonly<Record<string, string>>,
): string {
  const given = overrides?.[symbol];
  if (given !== undefined) return given;
  const parts = split?.(symbol);
  return parts ? canonicalInstrument(parts, aliases) : symbol;
}
