/**
 * Poll until a condition holds: tests wait for states, never for fixed sleeps. It keeps real time
 * (node:timers/promises, process.hrtime) under a fake clock that replaces setTimeout, Date and
 * performance.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const realMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);

export async function waitFor<T>(
  check: () => T | undefined | false | null,
  what: string,
  { timeoutMs = 5_000, everyMs = 5 } = {},
): Promise<T> {
  const deadline = realMs() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false && v !== null) return v;
    if (realMs() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
