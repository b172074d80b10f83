/** Errors with stable codes; docs/errors.md documents every code and a test checks it. */

export const ERROR_CODES = {
  CONFIG_READ: 'the config file could not be read',
  CONFIG_YAML: 'the config file is not valid YAML',
  CONFIG_INVALID: 'the config has an unknown key or a bad value',
  CONFIG_ENV: 'the config names an environment variable that is not set',
  CLI_USAGE: 'bad command-line arguments',
  LISTEN_FAILED: 'the HTTP server could not bind its address',
  UNKNOWN_VENUE: 'a feed names a venue with no adapter',
  WEB_CONFIG: 'the web config file (TLS, basic auth) is unreadable or invalid',
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
