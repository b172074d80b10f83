import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { binance, fullParse, hotFrame } from '../../src/feeds/binance.js';
import { BOOL, DEC, INT, Shape, SKIP, STR } from '../../src/feeds/shape.js';
import { bookTickerPayload, combinedFrame, tradePayload } from '../../src/simulator/market.js';
import { adapterFixtures } from '../support/adapter-fixtures.js';

const fx = adapterFixtures('binance', binance);
const usdm = adapterFixtures('binance-usdm', binance);

describe('a frame shape', () => {
  const shape = new Shape('{"n":', INT, ',"s":"', STR, '","b":', BOOL, '}');
  const read = (text: string) => {
    const out: (number | string | boolean)[] = [];
    return shape.match(text, 0, out) === text.length ? out : undefined;
  };

  test('reads integers, strings and booleans between the literal pieces', () => {
    assert.deepEqual(read('{"n":0,"s":"BTC-USD","b":true}'), [0, 'BTC-USD', true]);
    assert.deepEqual(read('{"n":9007199254740991,"s":"","b":false}'), [2 ** 53 - 1, '', false]);
  });

  test('declines what JSON.parse would read otherwise, or not at all', () => {
    for (const text of [
      '{"n":01,"s":"x","b":true}', // a leading zero is not JSON
      '{"n":-1,"s":"x","b":true}', // a sign
      '{"n":1.5,"s":"x","b":true}', // a fraction
      '{"n":1e3,"s":"x","b":true}', // an exponent
      '{"n":9007199254740993,"s":"x","b":true}', // past 2^53: JSON.parse rounds it
      '{"n":12345678901234567,"s":"x","b":true}',
      '{"n":,"s":"x","b":true}', // no digits
      '{"n":1,"s":"a\\"b","b":true}', // an escape
      '{"n":1,"s":"a\nb","b":true}', // a control character
      '{"n":1,"s":"abc', // unterminated
      '{"n":1,"s":"x","b":null}', // not a boolean
      '{"n":1,"s":"x","b":tru}',
      '{"n":1, "s":"x","b":true}', // whitespace
      '{"s":"x","n":1,"b":true}', // another order
    ])
      assert.equal(read(text), undefined, text);
  });

  test('a match ends where the shape ends: what follows is the caller\'s to check', () => {
    const out: (number | string | boolean)[] = [];
    assert.equal(shape.match('{"n":1,"s":"x","b":true}}', 0, out), 24);
    assert.equal(shape.match('xx{"n":1,"s":"x","b":true}', 2, out), 26);
  });

  describe('a quoted decimal (DEC) and a skipped string (SKIP)', () => {
    const dec = new Shape('{"k":"', SKIP, '","p":"', DEC, '"}');
    const readDec = (text: string): number | undefined => {
      const out: (number | string | boolean)[] = [];
      return dec.match(`{"k":"any","p":"${text}"}`, 0, out) < 0 ? undefined : (out as number[])[0];
    };

    test('reads exactly the number `+text` gives, on the fast path and past it', () => {
      // Fast path: at most 15 digits, digits on both sides of any dot. Past it: `+text` itself.
      for (const text of ['0', '7', '0.0100', '100.12345678', '67123.45000000', '999999999999999', '0.000000000000001', '1234567890.12345',
        '1234567890.123456', '99999999999999999999', '0.1000000000000000055511151231257827', '5.', '.5', '1e5', '-1', '+1', '1.2.3', '', 'abc', 'Infinity', ' 1'])
        assert.ok(Object.is(readDec(text), +text), text);
    });

    test('equals `+text` for generated decimals of 1 to 20 digits, the dot anywhere', () => {
      const decimal = fc
        .tuple(fc.stringMatching(/^[0-9]{1,20}$/), fc.nat())
        .map(([digits, at]) => {
          const dot = at % (digits.length + 1);
          return dot === digits.length ? digits : `${digits.slice(0, dot)}.${digits.slice(dot)}`;
        });
      fc.assert(fc.property(decimal, (text) => assert.ok(Object.is(readDec(text), +text), text)), { numRuns: 5000 });
    });

    test('declines an escape or a control character, as STR does, in either field', () => {
      for (const [k, p] of [['a', '1\\u0031'], ['a', '1\n'], ['a\\"b', '1'], ['a\tb', '1']]) {
        const out: (number | string | boolean)[] = [];
        assert.equal(dec.match(`{"k":"${k}","p":"${p}"}`, 0, out), -1, `${k} ${p}`);
      }
    });

    test('SKIP yields no field: the next field comes first', () => {
      const out: (number | string | boolean)[] = [];
      assert.equal(dec.match('{"k":"btcusdt@trade","p":"2.5"}', 0, out), 31);
      assert.deepEqual(out, [2.5]);
    });
  });

  test('two fields side by side cannot be told apart, so a shape refuses them', () => {
    assert.throws(() => new Shape('{', INT, STR, '}'), /separated by literal text/);
  });
});

describe('binance: the hot frames read by shape equal the full parse', () => {
  const trade = fc.record({
    symbol: fc.stringMatching(/^[A-Z0-9]{1,12}$/),
    id: fc.integer({ min: 0, max: 2 ** 52 }),
    price: fc.double({ min: 1e-8, max: 1e9, noNaN: true }).map((x) => x.toFixed(8)),
    qty: fc.double({ min: 1e-8, max: 1e6, noNaN: true }).map((x) => x.toFixed(8)),
    time: fc.integer({ min: 1, max: 2 ** 45 }),
    maker: fc.boolean(),
  });
  const tradeFrame = fc.tuple(trade, fc.boolean()).map(([t, combined]) => {
    const payload = tradePayload(t.symbol, t.id, t.price, t.qty, t.time, t.time + 2, t.maker);
    return combined ? combinedFrame(`${t.symbol.toLowerCase()}@trade`, payload) : payload;
  });
  // Aggregate trades as spot sends them (with "M") and as USD-M futures do (without).
  const aggTradeFrame = fc.tuple(trade, fc.integer({ min: 0, max: 2 ** 52 }), fc.boolean(), fc.boolean()).map(([t, first, spot, combined]) => {
    const payload = `{"e":"aggTrade","E":${t.time + 2},"s":"${t.symbol}","a":${t.id},"p":"${t.price}","q":"${t.qty}","f":${first},"l":${first + 3},"T":${t.time},"m":${t.maker}${spot ? ',"M":true' : ''}}`;
    return combined ? combinedFrame(`${t.symbol.toLowerCase()}@aggTrade`, payload) : payload;
  });
  const ticker = fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,12}$/), fc.integer({ min: 0, max: 2 ** 52 }), fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }).map((x) => x.toFixed(8)), { minLength: 4, maxLength: 4 }), fc.boolean());
  const futuresTickerFrame = fc.tuple(ticker, fc.integer({ min: 1, max: 2 ** 45 })).map(([[s, u, [b, bq, a, aq], combined], time]) => {
    const payload = `{"e":"bookTicker","u":${u},"E":${time + 2},"T":${time},"s":"${s}","b":"${b}","B":"${bq}","a":"${a}","A":"${aq}"}`;
    return combined ? combinedFrame(`${s.toLowerCase()}@bookTicker`, payload) : payload;
  });
  const tickerFrame = ticker
    .map(([s, u, [b, bq, a, aq], combined]) => {
      const payload = bookTickerPayload(s, u, b!, bq!, a!, aq!);
      return combined ? combinedFrame(`${s.toLowerCase()}@bookTicker`, payload) : payload;
    });

  /** Where the shape reads a frame, it reads what the full parse reads; elsewhere it stands aside. */
  const agrees = (frame: string): boolean => {
    const fast = hotFrame(frame);
    if (fast) assert.deepStrictEqual([fast], fullParse(frame), frame);
    assert.deepStrictEqual(binance.parse(frame), fast ? [fast] : fullParse(frame), frame);
    return fast !== undefined;
  };

  test('the documented trade, aggregate trade and book ticker frames, plain and combined, spot and USD-M futures, are read by shape', () => {
    for (const name of ['trade', 'trade-combined', 'trade-combined-buy', 'aggtrade-combined', 'bookticker', 'bookticker-combined']) assert.ok(agrees(fx.frame(name)), name);
    for (const name of ['aggtrade-combined', 'bookticker-combined']) assert.ok(agrees(usdm.frame(name)), `binance-usdm ${name}`);
  });

  test('every other fixture (errors, other events, malformed frames) goes to the full parse unchanged', () => {
    for (const set of [fx, usdm]) for (const name of set.names) if (!/^(trade|aggtrade|bookticker)/.test(name)) assert.equal(agrees(set.frame(name)), false, name);
  });

  test('generated trades, aggregate trades and book tickers: read by shape, equal to the full parse', () => {
    fc.assert(fc.property(tradeFrame, (f) => assert.ok(agrees(f), f)), { numRuns: 500 });
    fc.assert(fc.property(aggTradeFrame, (f) => assert.ok(agrees(f), f)), { numRuns: 500 });
    fc.assert(fc.property(tickerFrame, (f) => void agrees(f)), { numRuns: 500 });
    fc.assert(fc.property(futuresTickerFrame, (f) => void agrees(f)), { numRuns: 500 });
  });

  test('a frame with any one character changed, removed or added: the shape reads it as the full parse does, or stands aside', () => {
    const edit = fc.tuple(fc.oneof(tradeFrame, aggTradeFrame, tickerFrame, futuresTickerFrame), fc.nat(), fc.constantFrom('replace', 'remove', 'insert'), fc.constantFrom(...'0123456789.-+eE"\\:,{}[] tfnaxXsSu\n\u00e9'));
    fc.assert(
      fc.property(edit, ([f, n, how, c]) => {
        const i = n % f.length;
        const g = how === 'remove' ? f.slice(0, i) + f.slice(i + 1) : f.slice(0, i) + c + f.slice(how === 'replace' ? i + 1 : i);
        agrees(g);
      }),
      { numRuns: 6000 },
    );
  });

  test('values the full parse reports as errors are left to it', () => {
    for (const f of [
      tradePayload('BTCUSDT', 1, '0.00000000', '1', 5, 5, true), // price 0
      tradePayload('BTCUSDT', 1, '1', '0', 5, 5, true), // size 0
      tradePayload('BTCUSDT', 1, 'abc', '1', 5, 5, true),
      tradePayload('BTCUSDT', 1, '1', '1', 0, 0, true), // no usable time
      bookTickerPayload('BTCUSDT', 1, '0', '1', '2', '1'),
    ]) {
      assert.equal(hotFrame(f), undefined, f);
      assert.equal(binance.parse(f)[0]?.kind, 'error', f);
    }
  });
});
