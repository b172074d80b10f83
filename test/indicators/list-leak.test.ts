import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FixedSizeLinkedList } from 'technicalindicators';
import { fixLinkedListLeak, linkedListLeakFixed } from '../../src/indicators/list-leak.js';

interface Node {
  prev?: Node;
  next?: Node;
  data: number;
}

describe('LinkedList leak fix', () => {
  test('after a shift the head no longer points back at removed items; the list works as before', () => {
    fixLinkedListLeak();
    assert.equal(fixLinkedListLeak(), false); // idempotent: patched once
    assert.equal(linkedListLeakFixed(), true);
    const list = new FixedSizeLinkedList(3);
    for (let i = 1; i <= 10; i++) list.push(i);
    const head = (list as unknown as { _head: Node })._head;
    assert.equal(head.prev, undefined);
    assert.deepEqual([...list.iterator()], [8, 9, 10]);
    assert.equal(list.length, 3);
    assert.equal(list.lastShift, 7);
    assert.equal(head.next?.prev, head); // inner links intact
  });

  test('1,000,000 indicator updates do not grow the heap', async () => {
    const child = fileURLToPath(new URL('./heap-child.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, 'set'], {
      timeout: 120_000,
    });
    const r = JSON.parse(stdout) as { at100k: number; at1m: number; growth: number };
    // Unfixed, the same run grows by ~230 MB (~256 bytes per bar).
    assert.ok(r.growth < 2 * 1024 * 1024, `heap grew by ${r.growth} bytes between 100k and 1M updates`);
  });
});
