/**
 * Logfmt (or JSON) lines on stderr. Repeated per-kind messages (a malformed frame every millisecond) are
 * rate limited: the first few per window are written, the rest counted and summarised, so a bad
 * feed cannot flood the log or slow the hot path.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error';
export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** Like warn, but at most `burst` lines per `windowMs` for this kind; the rest are counted. */
  limited(kind: string, msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
  setLevel(level: Level): void;
  /** Shared with every child, like the level. */
  setFormat(format: LogFormat): void;
}

export interface LoggerOptions {
  level?: Level;
  /** logfmt (default) or one JSON object per line, with the same keys. */
  format?: LogFormat;
  write?: (line: string) => void;
  now?: () => number;
  burst?: number;
  windowMs?: number;
  /** Called for every line the rate limit suppresses, with its kind and 1. */
  onSuppressed?: (kind: string, count: number) => void;
}

function quote(v: string): string {
  return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
}

/** The same line as one JSON object: ts, level, msg, then the fields. */
export function formatJson(level: Level, msg: string, fields: Fields, time: Date): string {
  return JSON.stringify({ ts: time.toISOString(), level, msg, ...fields });
}

export function formatLine(level: Level, msg: string, fields: Fields, time: Date): string {
  let line = `ts=${time.toISOString()} level=${level} msg=${quote(msg)}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${quote(String(v))}`;
  return line;
}

interface Shared {
  level: Level;
  format: typeof formatLine;
  write: (line: string) => void;
  now: () => number;
  burst: number;
  windowMs: number;
  onSuppressed?: (kind: string, count: number) => void;
  windows: Map<string, { start: number; written: number; suppressed: number }>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const shared: Shared = {
    level: opts.level ?? 'info',
    format: opts.format === 'json' ? formatJson : formatLine,
    write: opts.write ?? ((line) => process.stderr.write(line + '\n')),
    now: opts.now ?? Date.now,
    burst: opts.burst ?? 5,
    windowMs: opts.windowMs ?? 10_000,
    onSuppressed: opts.onSuppressed,
    windows: new Map(),
  };
  return make(shared, {});
}

function make(s: Shared, base: Fields): Logger {
  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (ORDER[level] < ORDER[s.level]) return;
    s.write(s.format(level, msg, { ...base, ...fields }, new Date(s.now())));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    limited(kind, msg, fields) {
      const now = s.now();
      let w = s.windows.get(kind);
      if (!w || now - w.start >= s.windowMs) {
        if (w && w.suppressed > 0) emit('warn', 'log lines suppressed by rate limit', { kind, suppressed: w.suppressed });
        w = { start: now, written: 0, suppressed: 0 };
        s.windows.set(kind, w);
      }
      if (w.written < s.burst) {
        w.written++;
        emit('warn', msg, { kind, ...fields });
      } else {
        w.suppressed++;
        // Counted as it happens: the summary line waits for the next line of the kind, which may never come.
        s.onSuppressed?.(kind, 1);
      }
    },
    child: (fields) => make(s, { ...base, ...fields }),
    setLevel(level) {
      s.level = level;
    },
    setFormat(format) {
      s.format = format === 'json' ? formatJson : formatLine;
    },
  };
}
