import { test } from 'vitest';
import assert from 'node:assert/strict';
import { preview, show } from '../../src/feeds/frame.js';
import { ADAPTERS } from '../../src/feeds/index.js';

test('show() never throws on hostile JSON and stays bounded', () => {
  const hostile = JSON.parse('{"toString":{},"valueOf":{}}') as unknown;
  assert.equal(show(hostile), '{"toString":{},"valueOf":{}}');
  assert.equal(show('x'.repeat(500)).length, 99);
  assert.equal(preview('short'), 'short');
});

test('no adapter throws when a field it prints is an object with a toString key', () => {
  const frames = [
    '{"e":{"toString":{}}}',
    '{"type":{"toString":{}}}',
    '{"channel":{"toString":{}}}',
    '{"event":{"toString":{}}}',
    '{"op":{"toString":{}}}',
    '{"topic":{"toString":{}}}',
    '{"code":{"toString":{}},"msg":{"toString":{}}}',
  ];
  for (const [venue, adapter] of Object.entries(ADAPTERS)) {
    const a = adapter.configure ? undefined : adapter;
    if (!a) continue; // per-feed adapters are built from options; their own tests cover them
    for (const f of frames) assert.doesNotThrow(() => a.parse(f), `${venue}: ${f}`);
  }
});
