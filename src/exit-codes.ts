/**
 * The exporter's exit statuses, one per kind of failure, so a supervisor or script can tell a
 * config to fix from a port to free from a bug. docs/errors.md lists them; a test checks it.
 */
import { ExporterError, type ErrorCode } from './errors.js';
import { EXIT_NODE_TOO_OLD } from './runtime/node-floor.js';

export const EXIT = {
  /** Done: --help, --version, a valid --check-config, or stopped by SIGTERM/SIGINT. */
  OK: 0,
  /** The config or the web config is invalid (also from --check-config). */
  CONFIG: 1,
  /** Bad command-line flags. */
  USAGE: 2,
  /** Node older than package.json's engines: src/runtime/node-floor.ts exits with it before anything runs. */
  NODE_TOO_OLD: EXIT_NODE_TOO_OLD,
  /** The HTTP address could not be bound. */
  LISTEN: 4,
  /** An unexpected failure: a bug, or an error from a library or the system. */
  INTERNAL: 70,
} as const;

const BY_CODE: Partial<Record<ErrorCode, number>> = {
  CLI_USAGE: EXIT.USAGE,
  LISTEN_FAILED: EXIT.LISTEN,
  INTERNAL: EXIT.INTERNAL,
};

/** The status to exit with after `e` stopped the exporter. */
export function exitCodeFor(e: unknown): number {
  if (!(e instanceof ExporterError)) return EXIT.INTERNAL;
  return BY_CODE[e.code] ?? EXIT.CONFIG;
}
