import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADX, CCI, MFI, OBV, PSAR, Stochastic, TRIX, WilliamsR } from 'technicalindicators';
import { EXTRA_INDICATORS, EXTRA_OUTPUT_NAMES, createExtra, renewEvery } from '../../src/indicators/extra.js';
import { NATIVE_OUTPUT_NAMES } from '../../src/indicators/registry.js';
import { mulberry32 } from '../../src/simulator/market.js';

const identity = (v: number) => v;
type Bar = { high: number; low: number; close: number; volume: number };

/** The library as its README shows it, one object per indicator, answering by output name. */
const PLAIN: Record<string, (p: Record<string, number>) => (b: Bar) => Record<string, number | undefined>> = {
  stochastic: (p) => {
    const s = new Stochastic({ high: [], low: [], close: [], period: p.period!, signalPeriod: p.signalPeriod!, format: identity });
    return (b) => {
      const v = s.nextValue(b as unknown as Parameters<typeof s.nextValue>[0]);
      return { stoch_k: v?.k, stoch_d: v?.d };
    };
  },
  adx: (p) => {
    const s = new ADX({ high: [], low: [], close: [], period: p.period!, format: identity });
    return (b) => {
      const v = s.nextValue(b as unknown as number);
      return { adx: v?.adx, adx_plus_di: v?.pdi, adx_minus_di: v?.mdi };
    };
  },
  cci: (p) => {
    const s = new CCI({ high: [], low: [], close: [], period: p.period!, format: identity });
    return (b) => ({ cci: s.nextValue(b) });
  },
  obv: () => {
    const s = new OBV({ close: [], volume: [], format: identity });
    return (b) => ({ obv: s.nextValue(b) });
  },
  mfi: (p) => {
    const s = new MFI({ high: [], low: [], close: [], volume: [], period: p.period!, format: identity });
    return (b) => ({ mfi: s.nextValue(b) });
  },
  williamsr: (p) => {
    const s = new WilliamsR({ high: [], low: [], close: [], period: p.period!, format: identity });
    return (b) => ({ williams_r: s.nextValue(b as unknown as number) });
  },
  psar: (p) => {
    const s = new PSAR({ high: [], low: [], step: p.step!, max: p.max!, format: identity });
    return (b) => ({ psar: s.nextValue(b as unknown as Parameters<typeof s.nextValue>[0]) });
  },
  trix: (p) => {
    const s = new TRIX({ values: [], period: p.period!, format: identity });
    return (b) => ({ trix: s.nextValue(b.close) });
  },
};

function bars(count: number, seed: number): Bar[] {
  const rnd = mulberry32(seed);
  let c = 100;
  return Array.from({ length: count }, (_, i) => {
    // Flat stretches too: windows where high = low are where ratios of ranges divide by 0.
    if (i % 90 >= 80) return { high: c, low: c, close: c, volume: 0 };
    c *= 1 + (rnd() - 0.5) * 0.03;
    return { high: c * (1 + rnd() * 0.01), low: c * (1 - rnd() * 0.01), close: c, volume: Math.round(rnd() * 1000) / 10 };
  });
}

const defaults = (key: string) => Object.fromEntries(Object.entries(EXTRA_INDICATORS.find((d) => d.key === key)!.params).map(([k, v]) => [k, v.default]));

describe('extra indicators', () => {
  test('label values: a closed set apart from the native ones', () => {
    assert.equal(new Set(EXTRA_OUTPUT_NAMES).size, EXTRA_OUTPUT_NAMES.length);
    for (const n of EXTRA_OUTPUT_NAMES) assert.ok(!(NATIVE_OUTPUT_NAMES as readonly string[]).includes(n), n);
    assert.deepEqual(Object.keys(PLAIN).sort(), EXTRA_INDICATORS.map((d) => d.key).sort());
  });

  for (const d of EXTRA_INDICATORS) {
    test(`${d.key}: what the library gives used plainly, bar by bar, across rebuilds`, () => {
      const p = defaults(d.key);
      // Periods other than the defaults too, so a window that misses a bar shows.
      const variants = [p, Object.fromEntries(Object.entries(p).map(([k, v]) => [k, d.params[k]!.integer ? v + 3 : v / 2]))];
      for (const params of variants) {
        const ours = createExtra(d.key, params);
        const plain = PLAIN[d.key]!(params);
        const out = new Float64Array(d.outputs.length).fill(NaN);
        const series = bars(1_200, 3);
        let compared = 0;
        for (const [i, b] of series.entries()) {
          ours.update(b, out, 0);
          const want = plain(b);
          d.outputs.forEach((o, k) => {
            const w = want[o.name];
            if (w === undefined || !Number.isFinite(w)) return;
            const g = out[k]!;
            // Rebuilt instances re-sum their windows: the same values to rounding.
            assert.ok(Math.abs(g - w) <= 1e-9 * Math.abs(w) + 1e-9, `${d.key} ${o.name} at bar ${i}: got ${g}, the library gives ${w}`);
            compared++;
          });
        }
        assert.ok(compared > 1_000, `${d.key}: only ${compared} values compared`);
      }
    });
  }

  test('growing classes are rebuilt within a few windows; their memory stays under the documented bound', async () => {
    assert.equal(renewEvery(14), 64);
    assert.equal(renewEvery(100), 400);
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'extra', '700'], { timeout: 120_000 });
    const r = JSON.parse(stdout) as { bytes: Record<string, number> };
    for (const d of EXTRA_INDICATORS) {
      const got = r.bytes[d.key]!;
      // Unbounded classes reached 130-190 kB per instance by 1,000 bars.
      assert.ok(got > 0 && got <= d.bytesPerInstance, `${d.key}: ${Math.round(got)} bytes per instance, documented ${d.bytesPerInstance}`);
    }
  });

  test('rejects parameters validation would refuse, and unknown keys', () => {
    assert.throws(() => createExtra('stochastic', { period: 0, signalPeriod: 3 }), RangeError);
    assert.throws(() => createExtra('psar', { step: 0.02 }), RangeError);
    assert.throws(() => createExtra('nope', {}), RangeError);
  });
});
