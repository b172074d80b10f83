import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEFAULT_INDICATORS } from '../../src/config/defaults.js';
import { CONFIG_KEYS } from '../../src/config/validate.js';
import { parseConfig } from '../../src/config/load.js';
import { EXTRA_INDICATORS } from '../../src/indicators/extra.js';
import { NATIVE_INDICATORS, NATIVE_OUTPUT_NAMES, enabledKernels } from '../../src/indicators/registry.js';
import { INDICATOR_NAMES } from '../../src/metrics/catalog.js';
import { INDICATOR_MEANING } from '../../src/metrics/doc.js';

test('the config keys, defaults, label values and meanings are the registry entries', () => {
  assert.deepEqual(CONFIG_KEYS.indicators, NATIVE_INDICATORS.map((d) => d.key));
  for (const d of NATIVE_INDICATORS) {
    assert.deepEqual(CONFIG_KEYS[`indicators.${d.key}`], ['enabled', ...Object.keys(d.params)]);
    const dflt = (DEFAULT_INDICATORS as unknown as Record<string, Record<string, unknown>>)[d.key];
    assert.deepEqual(dflt, { enabled: true, ...Object.fromEntries(Object.entries(d.params).map(([k, p]) => [k, p.default])) });
  }
  for (const d of EXTRA_INDICATORS) assert.deepEqual(CONFIG_KEYS[`extraIndicators.${d.key}`], [...Object.keys(d.params), 'feeds', 'symbols']);
  assert.deepEqual(INDICATOR_NAMES, NATIVE_INDICATORS.flatMap((d) => d.outputs.map((o) => o.name)));
  assert.equal(INDICATOR_NAMES, NATIVE_OUTPUT_NAMES);
  for (const d of [...NATIVE_INDICATORS, ...EXTRA_INDICATORS]) for (const o of d.outputs) assert.equal(INDICATOR_MEANING[o.name], o.meaning);
});

test('validation follows each parameter definition: bounds, integers, and an indicator’s own check', () => {
  const problems = (indicators: string) => {
    try {
      parseConfig(`feeds: [{venue: binance, symbols: [BTCUSDT]}]\nindicators: ${indicators}\n`, 'c.yml', { env: {} });
      return '';
    } catch (e) {
      return String((e as Error).message);
    }
  };
  assert.match(problems('{bollinger: {period: 1}}'), /indicators\.bollinger\.period: expected an integer from 2 to 100000, got 1/);
  assert.match(problems('{bollinger: {stdDev: 0}}'), /indicators\.bollinger\.stdDev: expected a number > 0 and <= 100, got 0/);
  assert.match(problems('{rsi: {period: 2.5}}'), /indicators\.rsi\.period: expected an integer/);
  assert.match(problems('{macd: {slow: 10}}'), /indicators\.macd\.slow: expected more than fast \(12\), got 10/);
  assert.equal(problems('{macd: {fast: 3, slow: 10}, volatility: {enabled: false, period: 5}}'), '');
});

test('kernels are placed at their outputs and only enabled ones are built', () => {
  const placed = enabledKernels({ ...DEFAULT_INDICATORS, rsi: { enabled: false, period: 14 } });
  assert.equal(placed.length, NATIVE_INDICATORS.length - 1);
  assert.deepEqual(
    placed.map((p) => NATIVE_OUTPUT_NAMES[p.out]),
    ['bb_upper', 'sma', 'ema', 'macd', 'atr', 'volatility'],
  );
});
