import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseListen } from '../../src/config/listen.js';

test('parseListen accepts host:port, IPv4 and bracketed IPv6', () => {
  assert.deepEqual(parseListen('127.0.0.1:10790'), { host: '127.0.0.1', port: 10790 });
  assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0 });
  assert.deepEqual(parseListen('localhost:65535'), { host: 'localhost', port: 65535 });
  assert.deepEqual(parseListen('exporter.internal-net.example:80'), { host: 'exporter.internal-net.example', port: 80 });
  assert.deepEqual(parseListen('[::1]:10790'), { host: '::1', port: 10790 });
  assert.deepEqual(parseListen('[::]:10790'), { host: '::', port: 10790 });
});

test('parseListen rejects malformed addresses and ports out of range', () => {
  for (const text of ['10790', ':10790', 'localhost', 'localhost:', 'localhost:65536', 'localhost:-1', '::1:10790',
    '[::1]', '[nothost]:80', '256.0.0.1:80', '1.2.3:80', 'a b:80', 'host:80:90', '-bad:80', 'localhost:123456']) {
    assert.equal(parseListen(text), undefined, text);
  }
});
