/**
 * Where a running process's RSS is, from /proc/<pid>/smaps: pages of the executable and other
 * files, glibc's main heap (brk), V8 heap pages (256 kB mappings), thread malloc arenas (64 MB
 * reservations, partly touched) and the rest. Linux only.
 *
 *   node dist/bench/rss-parts.js <pid>
 *
 * For how much of the malloc heap is in use rather than freed and kept:
 *   gdb -p <pid> -batch -ex 'call (void)malloc_stats()'   (printed on the process's stderr)
 */
import { readFileSync } from 'node:fs';

export interface Mapping {
  start: number;
  end: number;
  path: string;
  rssKb: number;
}

/** The mappings of an smaps text. */
export function parseSmaps(text: string): Mapping[] {
  return text.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/).filter((b) => b.trim() !== '').map((block) => {
    const head = block.slice(0, block.indexOf('\n') === -1 ? undefined : block.indexOf('\n'));
    const [range = '', , , , , ...rest] = head.split(/\s+/);
    const [start, end] = range.split('-').map((x) => parseInt(x, 16));
    return { start: start!, end: end!, path: rest.join(' '), rssKb: Number(/\nRss:\s+(\d+)/.exec(block)?.[1] ?? 0) };
  });
}

const KB = 1024;
const V8_PAGE = 256 * KB;
const ARENA = 64 * KB * KB;

/** RSS in kB by part. */
export function rssParts(maps: readonly Mapping[], executable: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const m of maps) {
    const size = m.end - m.start;
    const part =
      m.path === executable ? 'executable'
      : m.path === '[heap]' ? 'malloc main heap'
      : m.path.startsWith('/') ? 'other files'
      : m.path !== '' ? m.path
      : size === V8_PAGE ? 'V8 heap pages'
      : size > V8_PAGE && size <= ARENA ? 'thread arenas and large blocks'
      : 'other anonymous';
    parts[part] = (parts[part] ?? 0) + m.rssKb;
  }
  return parts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pid = process.argv[2];
  if (!pid || !/^\d+$/.test(pid)) {
    console.error('usage: node dist/bench/rss-parts.js <pid>');
    process.exit(2);
  }
  const exe = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]!;
  const parts = rssParts(parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8')), exe.startsWith('/') ? exe : process.execPath);
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(parts).sort((a, b) => b[1] - a[1])) console.log(`${(v / KB).toFixed(1).padStart(8)} MiB  ${k}`);
  console.log(`${(total / KB).toFixed(1).padStart(8)} MiB  RSS`);
}
