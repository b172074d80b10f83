import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseSmaps, rssParts } from '../../bench/rss-parts.js';

// Shaped like /proc/<pid>/smaps: a header line per mapping, then its fields.
const SMAPS = `00400000-02c00000 r-xp 00000000 08:01 123 /usr/bin/node
Size:              40960 kB
Rss:               30000 kB
0ab94000-0cdf2000 rw-p 00000000 00:00 0                                  [heap]
Size:              34168 kB
Rss:               33600 kB
2cd9f00000-2cd9f40000 rw-p 00000000 00:00 0 
Size:                256 kB
Rss:                 256 kB
2f9261c0000-2f926200000 rw-p 00000000 00:00 0 
Size:                256 kB
Rss:                 200 kB
7fc2e0000000-7fc2e4000000 rw-p 00000000 00:00 0 
Size:              65536 kB
Rss:                4700 kB
7fc2f0000000-7fc2f0001000 rw-p 00000000 00:00 0 
Size:                  4 kB
Rss:                   4 kB
7fc300000000-7fc300100000 r--p 00000000 08:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
Size:               1024 kB
Rss:                1376 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Size:                132 kB
Rss:                  40 kB
`;

test('smaps mappings are read with their range, path and RSS', () => {
  const maps = parseSmaps(SMAPS);
  assert.equal(maps.length, 8);
  assert.deepEqual(maps[0], { start: 0x400000, end: 0x2c00000, path: '/usr/bin/node', rssKb: 30000 });
  assert.equal(maps[2]!.path, '');
  assert.equal(maps[2]!.end - maps[2]!.start, 256 * 1024);
});

test('RSS is split into the executable, malloc, V8 pages, arenas and the rest', () => {
  assert.deepEqual(rssParts(parseSmaps(SMAPS), '/usr/bin/node'), {
    executable: 30000,
    'malloc main heap': 33600,
    'V8 heap pages': 456,
    'thread arenas and large blocks': 4700,
    'other anonymous': 4,
    'other files': 1376,
    '[stack]': 40,
  });
});
