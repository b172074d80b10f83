/**
 * Keys a reload cannot apply: they shape what was set up once at start (the HTTP server, its
 * routes). A reload that changes one is refused, naming it, rather than
 * reporting success while the old value keeps running.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from './types.js';

export const RESTART_ONLY_KEYS = ['listen', 'enableReloadEndpoint'] as const;
export type RestartOnlyKey = (typeof RESTART_ONLY_KEYS)[number];

/**
 * The restart-only keys whose value differs between the running and the reloaded config. Keys a
 * flag overrides (`--listen`) are left out: the file's value is not in use either way.
 */
export function restartOnlyChanges(running: Config, next: Config, overridden: readonly RestartOnlyKey[] = []): RestartOnlyKey[] {
  return RESTART_ONLY_KEYS.filter((k) => !overridden.includes(k) && !isDeepStrictEqual(running[k], next[k]));
}
