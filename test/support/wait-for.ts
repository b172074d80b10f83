/** Poll until a condition holds: tests wait for states, never for fixed sleeps. */
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitFor<T>(
  check: () => T | undefined | false | null,
  what: string,
  { timeoutMs = 5_000, everyMs = 5 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
