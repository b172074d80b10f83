/**
 * One symbol: price with its Bollinger bands, RSI, MACD, volume and returns, each next to the
 * threshold its alert uses. Indicators are computed on closed bars of the selected interval.
 */
import { alertAnnotation, byName, byRegex, dashboard, EX, EXS, limit, q, stat, table, timeseries, variable } from '../build.js';
import type { DashboardJson } from '../schema.js';
import { exchangeVar, symbolVar, UID } from './common.js';
import { derivativesRow } from './derivatives.js';

const IND = `${EXS}, interval="$bar"`;
/** The selected symbol's instrument, to select every venue of it with `and on(job, instrument)`. */
const INFO = `market_instrument_info{${EXS}}`;

const dashed = [
  { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
  { id: 'custom.fillOpacity', value: 0 },
];

export function symbol(): DashboardJson {
  return dashboard({
    uid: UID.symbol,
    title: 'Symbol',
    description: 'Price, Bollinger bands, RSI, MACD, volume and returns of one symbol.',
    variables: [
      exchangeVar(false),
      symbolVar(false),
      variable({
        name: 'bar',
        label: 'Bar interval',
        description: 'Bars (and the indicators computed on them) of this interval.',
        query: 'label_values(market_bar_close{exchange=~"$exchange", symbol=~"$symbol"}, interval)',
        multi: false,
      }),
    ],
    annotation: alertAnnotation('exchange=~"$exchange|", symbol=~"$symbol|"'),
    rows: [
      {
        title: '$exchange $symbol',
        panels: [
          stat({
            title: 'Last price',
            description: 'Last traded price (quote currency).',
            w: 4,
            h: 4,
            decimals: 4,
            sparkline: true,
            queries: [q(`market_price{${EXS}}`, 'price')],
          }),
          stat({
            title: 'Return 1m',
            description: 'Price change over the trailing minute, from its first to its last tick.',
            w: 4,
            h: 4,
            unit: 'percentunit',
            decimals: 2,
            queries: [q(`market_window_return_ratio{${EXS}, window="1m"}`, '1m')],
          }),
          stat({
            title: 'Return 5m',
            description: 'Price change over the trailing five minutes.',
            w: 4,
            h: 4,
            unit: 'percentunit',
            decimals: 2,
            queries: [q(`market_window_return_ratio{${EXS}, window="5m"}`, '5m')],
          }),
          stat({
            title: 'RSI ($bar)',
            description: 'Relative strength index of closed bars; red above the overbought level, blue below oversold.',
            w: 4,
            h: 4,
            decimals: 1,
            queries: [q(`market_indicator{${IND}, indicator="rsi"}`, 'RSI')],
            steps: [
              { color: 'blue', value: null },
              { color: 'green', value: 30 },
              { color: 'red', value: 70 },
            ],
          }),
          stat({
            title: 'Bollinger %B ($bar)',
            description: 'Where the last close sits in the bands: above 1 is a close above the upper band, below 0 below the lower.',
            w: 4,
            h: 4,
            decimals: 2,
            queries: [q(`market_indicator{${IND}, indicator="bb_percent_b"}`, '%B')],
            steps: [
              { color: 'red', value: null },
              { color: 'green', value: 0 },
              { color: 'red', value: 1 },
            ],
          }),
          stat({
            title: 'Spread',
            description: 'Best ask minus best bid, where the venue sends quotes.',
            w: 4,
            h: 4,
            decimals: 4,
            queries: [q(`market_spread{${EXS}}`, 'spread')],
          }),
        ],
      },
      {
        title: 'Price',
        panels: [
          timeseries({
            title: 'Price and Bollinger bands ($bar)',
            description: 'Last trade, best bid/ask, and the Bollinger bands, SMA and EMA of closed bars.',
            w: 16,
            h: 10,
            decimals: 4,
            queries: [
              q(`market_price{${EXS}}`, 'price'),
              q(`market_bid_price{${EXS}}`, 'bid'),
              q(`market_ask_price{${EXS}}`, 'ask'),
              q(`market_indicator{${IND}, indicator=~"bb_upper|bb_middle|bb_lower"}`, '{{indicator}}'),
              q(`market_indicator{${IND}, indicator=~"sma|ema"}`, '{{indicator}}'),
            ],
            overrides: [
              byName('price', [
                { id: 'custom.lineWidth', value: 2 },
                { id: 'color', value: { mode: 'fixed', fixedColor: 'text' } },
              ]),
              byRegex('^(bid|ask)$', [{ id: 'custom.fillOpacity', value: 0 }, { id: 'custom.lineStyle', value: { fill: 'dot' } }]),
              byName('bb_upper', [
                { id: 'custom.fillBelowTo', value: 'bb_lower' },
                { id: 'custom.fillOpacity', value: 8 },
                { id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } },
              ]),
              byName('bb_lower', [{ id: 'custom.fillOpacity', value: 0 }, { id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } }]),
              byName('bb_middle', [...dashed, { id: 'color', value: { mode: 'fixed', fixedColor: 'blue' } }]),
              byRegex('^(sma|ema)$', [{ id: 'custom.fillOpacity', value: 0 }, { id: 'custom.hideFrom', value: { legend: false, tooltip: false, viz: true } }]),
            ],
          }),
          table({
            title: 'Last closed bars',
            description: 'OHLCV of the last closed bar of every interval, and when it ended.',
            w: 8,
            h: 10,
            decimals: 4,
            queries: [
              q(`market_bar_open{${EXS}}`),
              q(`market_bar_high{${EXS}}`),
              q(`market_bar_low{${EXS}}`),
              q(`market_bar_close{${EXS}}`),
              q(`market_bar_volume{${EXS}}`),
              q(`market_bar_end_timestamp_seconds{${EXS}} * 1000`),
            ],
            columns: {
              interval: 'Interval',
              'Value #A': 'Open',
              'Value #B': 'High',
              'Value #C': 'Low',
              'Value #D': 'Close',
              'Value #E': 'Volume',
              'Value #F': 'Ended',
            },
            hide: ['exchange', 'symbol', 'job', 'instance'],
            overrides: [{ matcher: { id: 'byName', options: 'Ended' }, properties: [{ id: 'unit', value: 'dateTimeFromNow' }] }],
          }),
        ],
      },
      {
        title: 'Indicators',
        panels: [
          timeseries({
            title: 'RSI ($bar)',
            description: 'RSI of closed bars with the overbought and oversold levels of the MarketRSI alerts (dashed).',
            w: 12,
            h: 8,
            min: 0,
            max: 100,
            queries: [
              q(`market_indicator{${IND}, indicator="rsi"}`, 'RSI'),
              limit('market:threshold_rsi_overbought:value', 'overbought'),
              limit('market:threshold_rsi_oversold:value', 'oversold'),
            ],
          }),
          timeseries({
            title: 'MACD ($bar)',
            description: 'MACD line, signal line, and their difference as bars.',
            w: 12,
            h: 8,
            queries: [q(`market_indicator{${IND}, indicator=~"macd|macd_signal|macd_histogram"}`, '{{indicator}}')],
            overrides: [
              byName('macd_histogram', [
                { id: 'custom.drawStyle', value: 'bars' },
                { id: 'custom.fillOpacity', value: 60 },
              ]),
              byRegex('^macd(_signal)?$', [{ id: 'custom.fillOpacity', value: 0 }]),
            ],
          }),
          timeseries({
            title: 'Bollinger %B and bandwidth ($bar)',
            description: '%B against the MarketBollingerBreakout levels (dashed); bandwidth on the right axis.',
            w: 12,
            h: 8,
            queries: [
              q(`market_indicator{${IND}, indicator="bb_percent_b"}`, '%B'),
              q(`market_indicator{${IND}, indicator="bb_bandwidth"}`, 'bandwidth'),
              limit('market:threshold_bollinger_upper:percent_b', 'upper breakout'),
              limit('market:threshold_bollinger_lower:percent_b', 'lower breakout'),
            ],
            overrides: [byName('bandwidth', [{ id: 'custom.axisPlacement', value: 'right' }, { id: 'unit', value: 'percentunit' }])],
          }),
          timeseries({
            title: 'ATR and volatility ($bar)',
            description: 'Average true range (price units, left) and volatility of bar returns (right).',
            w: 12,
            h: 8,
            queries: [
              q(`market_indicator{${IND}, indicator="atr"}`, 'ATR'),
              q(`market_indicator{${IND}, indicator="volatility"}`, 'volatility'),
            ],
            overrides: [byName('volatility', [{ id: 'custom.axisPlacement', value: 'right' }, { id: 'unit', value: 'percentunit' }])],
          }),
        ],
      },
      {
        title: 'Volume and returns',
        panels: [
          timeseries({
            title: 'Volume',
            description: 'Base-currency volume of the last closed bar (bars), the 1m traded rate and its baseline: the hour that ended 5m ago.',
            w: 12,
            h: 8,
            queries: [
              q(`market_bar_volume{${IND}}`, 'bar volume ($bar)'),
              q(`exchange_symbol:market_traded_volume:rate1m{${EXS}}`, 'volume/s (1m)'),
              q(`exchange_symbol:market_traded_volume:rate1m_avg1h_offset5m{${EXS}}`, 'baseline volume/s'),
            ],
            overrides: [
              byName('bar volume ($bar)', [
                { id: 'custom.drawStyle', value: 'bars' },
                { id: 'custom.fillOpacity', value: 50 },
              ]),
              byRegex('volume/s', [{ id: 'custom.axisPlacement', value: 'right' }]),
              byName('baseline volume/s', dashed),
            ],
          }),
          timeseries({
            title: 'Returns',
            description: 'Trailing-window returns computed on every tick (1m, 5m) and the 1h return of the scraped price.',
            w: 12,
            h: 8,
            unit: 'percentunit',
            queries: [
              q(`market_window_return_ratio{${EXS}}`, '{{window}}'),
              q(`exchange_symbol:market_price:return_ratio_1h{${EXS}}`, '1h'),
            ],
          }),
          timeseries({
            title: 'Return z-score',
            description: 'How unusual the window return is against the hour that ended 5m ago, with the MarketPriceMoveZScore limits (dashed).',
            w: 12,
            h: 8,
            queries: [
              q(`exchange_symbol_window:market_window_return_ratio:zscore1h{${EXS}}`, '{{window}}'),
              limit('market:threshold_price_zscore:sigma', '+limit'),
              limit('-market:threshold_price_zscore:sigma', '-limit'),
            ],
          }),
          timeseries({
            title: 'Window high / low',
            description: 'Highest and lowest tick over each trailing window, so a spike between two scrapes still shows.',
            w: 12,
            h: 8,
            decimals: 4,
            queries: [
              q(`market_window_high_price{${EXS}}`, '{{window}} high'),
              q(`market_window_low_price{${EXS}}`, '{{window}} low'),
            ],
          }),
        ],
      },
      {
        title: 'Data quality',
        panels: [
          timeseries({
            title: 'Trades per second',
            description: 'Trades received for the symbol.',
            w: 8,
            h: 7,
            unit: 'ops',
            queries: [q(`rate(market_trades_total{${EXS}}[$__rate_interval])`, 'trades/s')],
          }),
          timeseries({
            title: 'Age of last update',
            description: 'Seconds since the last trade, quote or heartbeat arrived, and since the venue time of the last trade.',
            w: 8,
            h: 7,
            unit: 's',
            min: 0,
            queries: [
              q(`time() - market_symbol_last_update_timestamp_seconds{${EXS}}`, 'since last update'),
              q(`time() - market_last_trade_timestamp_seconds{${EXS}}`, 'since last trade (venue time)'),
            ],
          }),
          timeseries({
            title: 'Sequence anomalies',
            description: 'Gaps, duplicates and out-of-order messages in the venue sequence, and trades too late for their bar.',
            w: 8,
            h: 7,
            decimals: 0,
            min: 0,
            queries: [
              q(`increase(market_sequence_gaps_total{${EXS}}[$__rate_interval])`, 'gaps'),
              q(`increase(market_sequence_duplicates_total{${EXS}}[$__rate_interval])`, 'duplicates'),
              q(`increase(market_sequence_out_of_order_total{${EXS}}[$__rate_interval])`, 'out of order'),
              q(`increase(market_bar_late_trades_total{${EXS}}[$__rate_interval])`, 'late trades'),
            ],
          }),
        ],
      },
      {
        // Empty unless the feed keeps a book for the symbol (`book:` in the config).
        title: 'Order book',
        panels: [
          stat({
            title: 'Book in sync',
            description: '1 while the book is in step with the venue (snapshot applied, no checksum or sequence failure since).',
            w: 4,
            h: 7,
            decimals: 0,
            queries: [q(`market_book_synced{${EXS}}`, 'synced')],
          }),
          timeseries({
            title: 'Best bid / ask size',
            description: 'Base quantity at the best bid and the best ask.',
            w: 10,
            h: 7,
            min: 0,
            queries: [q(`market_book_best_bid_size{${EXS}}`, 'bid'), q(`market_book_best_ask_size{${EXS}}`, 'ask')],
          }),
          timeseries({
            title: 'Spread (bps)',
            description: 'Best ask minus best bid, in basis points of the mid.',
            w: 10,
            h: 7,
            min: 0,
            queries: [q(`market_book_spread_bps{${EXS}}`, 'spread')],
          }),
          timeseries({
            title: 'Depth within bands',
            description: 'Base quantity resting within each configured band (bps of the mid), per side.',
            w: 8,
            h: 8,
            min: 0,
            queries: [q(`market_book_depth{${EXS}}`, '{{side}} {{band_bps}} bps')],
          }),
          timeseries({
            title: 'Imbalance',
            description: '(bid depth - ask depth) / (bid depth + ask depth) within each band: +1 all bids, -1 all asks.',
            w: 8,
            h: 8,
            min: -1,
            max: 1,
            queries: [q(`market_book_imbalance_ratio{${EXS}}`, '{{band_bps}} bps')],
          }),
          timeseries({
            title: 'Book integrity',
            description: 'Book updates per second, and checksum failures, sequence breaks and resyncs (MarketBookUnstable fires when they keep coming).',
            w: 8,
            h: 8,
            min: 0,
            queries: [
              q(`rate(market_book_updates_total{${EXS}}[$__rate_interval])`, 'updates/s'),
              q(`increase(market_book_checksum_failures_total{${EXS}}[$__rate_interval])`, 'checksum failures'),
              q(`increase(market_book_sequence_breaks_total{${EXS}}[$__rate_interval])`, 'sequence breaks'),
              q(`increase(market_book_resyncs_total{${EXS}}[$__rate_interval])`, 'resyncs'),
            ],
          }),
        ],
      },
      derivativesRow(),
      {
        // Every venue of the selected symbol's instrument (market_instrument_info): BTCUSDT on
        // binance brings BTC-USDT on okx and BTCUSDT on bybit with it.
        title: 'Across venues: $symbol\'s instrument',
        panels: [
          timeseries({
            title: 'Price on each venue and the median',
            description: 'Each venue quoting the same instrument as this symbol, and the median across them (prometheus/rules/market.rules.yml).',
            w: 8,
            h: 8,
            decimals: 4,
            queries: [
              q(`instrument_exchange_symbol:market_price:max and on(job, instrument) ${INFO}`, '{{exchange}} {{symbol}}'),
              q(`instrument:market_price:median and on(job, instrument) ${INFO}`, 'median {{instrument}}'),
            ],
            overrides: [byRegex('median.*', dashed)],
          }),
          timeseries({
            title: 'Deviation from the median (bps)',
            description: 'Each venue\'s price over the cross-venue median, minus 1, in basis points. MarketPriceDivergence fires past the dashed lines for a minute, with at least the minimum number of venues.',
            w: 8,
            h: 8,
            unit: 'none',
            decimals: 1,
            queries: [
              q(`instrument_exchange_symbol:market_price:deviation_ratio * 10000 and on(job, instrument) ${INFO}`, '{{exchange}} {{symbol}}'),
              limit('market:threshold_price_divergence:ratio * 10000', '+threshold'),
              limit('-market:threshold_price_divergence:ratio * 10000', '-threshold'),
            ],
          }),
          timeseries({
            title: 'Not moved for',
            description: 'How long each venue\'s price has ranged less than the frozen epsilon within a minute. MarketPriceFrozen fires past its venue\'s threshold while another venue moves and the feed delivers.',
            w: 8,
            h: 8,
            unit: 's',
            min: 0,
            queries: [
              q(`instrument_exchange_symbol:market_price:unmoved_seconds and on(job, instrument) ${INFO}`, '{{exchange}} {{symbol}}'),
              limit(`exchange:threshold_price_frozen:seconds{${EX}}`, 'threshold ({{exchange}})'),
            ],
          }),
        ],
      },
    ],
  });
}
