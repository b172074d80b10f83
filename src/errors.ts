/** Errors with stable codes; docs/errors.md documents every code and a test checks it. */

export const ERROR_CODES = {
  CONFIG_READ: 'the config file could not be read',
  CONFIG_YAML: 'the config file is not valid YAML',
  CONFIG_INVALID: 'the config has an unknown key or a bad value',
  CONFIG_ENV: 'the config names an environment variable that is not set',
  CLI_USAGE: 'bad command-line arguments',
  LISTEN_FAILED: 'the HTTP server could not bind its address',
  UNKNOWN_VENUE: 'a feed names a venue with no adapter',
  INTERNAL: 'an unexpected failure (a bug, or an error from a library or the system)',
  WEB_CONFIG: 'the web config file (TLS, basic auth) is unreadable or invalid',
  RELOAD_RESTART_REQUIRED: 'the reloaded config changes a key that only takes effect at start',
  RELOAD_NO_CONFIG: 'a reload was asked for, but the exporter runs without a config file',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class ExporterError extends Error {
  override name = 'ExporterError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What a log line says about an error: its code (docs/errors.md) and message. Anything thrown
 * that is not an ExporterError is a bug or a failure from below us, logged as INTERNAL with its
 * stack so it can be traced.
 */
export function errorFields(e: unknown): { code: string; error: string } {
  if (e instanceof ExporterError) return { code: e.code, error: e.message };
  return { code: 'INTERNAL', error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
