import { test } from 'vitest';
import assert from 'node:assert/strict';
import { closest } from '../../src/config/suggest.js';

const FEED_KEYS = ['name', 'venue', 'symbols', 'url', 'channels', 'streamsPerConnection', 'connection', 'options'];

test('closest suggests plausible typos and other spellings', () => {
  assert.equal(closest('symbol', FEED_KEYS), 'symbols');
  assert.equal(closest('chanels', FEED_KEYS), 'channels');
  assert.equal(closest('vneue', FEED_KEYS), 'venue');
  assert.equal(closest('streams_per_connection', FEED_KEYS), 'streamsPerConnection');
  assert.equal(closest('Options', FEED_KEYS), 'options');
  assert.equal(closest('lsiten', ['listen', 'logLevel']), 'listen');
  assert.equal(closest('warning', ['debug', 'info', 'warn', 'error']), 'warn');
  assert.equal(closest('connectTimeoutMs', ['connectTimeout', 'pingInterval']), 'connectTimeout');
});

test('closest suggests nothing for unrelated words', () => {
  assert.equal(closest('scrapeInterval', FEED_KEYS), undefined);
  assert.equal(closest('foo', FEED_KEYS), undefined);
  assert.equal(closest('x', []), undefined);
});
