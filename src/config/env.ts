/**
 * `${VAR}` and `${VAR:-default}` substitution in the config text, before YAML parsing, so a
 * variable can supply any scalar (a URL, a port, a number). `$${` is a literal `${`. Lines whose
 * first non-blank character is `#` are left alone, so commented-out settings never need their
 * variables set.
 */

/** One variable replaced by a value from the environment (defaults written in the file are not listed). */
export interface Substitution {
  name: string;
  value: string;
}

/** A problem found while substituting; `line` is 1-based. */
export interface EnvProblem {
  line: number;
  kind: 'unset' | 'syntax' | 'value';
  message: string;
}

export interface EnvResult {
  text: string;
  substitutions: Substitution[];
  problems: EnvProblem[];
  /**
   * Maps a 0-based column of the substituted text back to the file's own column on the same
   * 0-based line, so YAML errors point at what the user wrote. A column inside a substituted
   * value maps to the start of its `${...}`.
   */
  originalColumn(line: number, column: number): number;
}

/** Where one replacement sits in a line: [start, end) before and after substitution. */
interface Span {
  inStart: number;
  inEnd: number;
  outStart: number;
  outEnd: number;
}

const TOKEN_RE = /\$\$\{|\$\{([^}\n]*)(\})?/g;
const INNER_RE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Substitute variables from `env` in `text`. Never throws: problems are returned for the caller to report. */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): EnvResult {
  const substitutions: Substitution[] = [];
  const problems: EnvProblem[] = [];
  const spans = new Map<number, Span[]>();
  const lines = text.split('\n').map((line, i) => {
    if (/^\s*#/.test(line)) return line;
    const lineSpans: Span[] = [];
    let shift = 0;
    const out = line.replace(TOKEN_RE, (token: string, inner: string | undefined, close: string | undefined, offset: number) => {
      const replacement = replace(token, inner, close, i + 1);
      lineSpans.push({ inStart: offset, inEnd: offset + token.length, outStart: offset + shift, outEnd: offset + shift + replacement.length });
      shift += replacement.length - token.length;
      return replacement;
    });
    if (lineSpans.length > 0) spans.set(i, lineSpans);
    return out;
  });

  function replace(token: string, inner: string | undefined, close: string | undefined, line: number): string {
    if (token === '$${') return '${';
    const m = close === undefined ? null : INNER_RE.exec(inner ?? '');
    if (!m) {
      problems.push({
        line,
        kind: 'syntax',
        message: `bad substitution "${token}"; expected \${NAME} or \${NAME:-default} (write $\${ for a literal \${)`,
      });
      return token;
    }
    const name = m[1]!;
    const fallback = m[2];
    const value = env[name];
    // Like the shell and Compose, ":-" falls back when the variable is unset or empty.
    if (value !== undefined && (value !== '' || fallback === undefined)) {
      // A line break would move every later line and let one variable inject YAML structure.
      if (/[\r\n]/.test(value)) {
        problems.push({ line, kind: 'value', message: `environment variable ${name} contains a line break; config values must be one line` });
        return token;
      }
      if (value !== '') substitutions.push({ name, value });
      return value;
    }
    if (fallback !== undefined) return fallback;
    problems.push({
      line,
      kind: 'unset',
      message: `environment variable ${name} is not set; set it or write \${${name}:-default}`,
    });
    return token;
  }

  function originalColumn(line: number, column: number): number {
    let shift = 0;
    for (const s of spans.get(line) ?? []) {
      if (column < s.outStart) break;
      if (column < s.outEnd) return s.inStart;
      shift = s.inEnd - s.outEnd;
    }
    return column + shift;
  }

  return { text: lines.join('\n'), substitutions, problems, originalColumn };
}

/**
 * A function that hides substituted values in text meant for people: each value becomes
 * `${NAME}`, so an error can name the variable without echoing a secret.
 */
export function redactor(substitutions: readonly Substitution[]): (text: string) => string {
  const subs = [...substitutions].sort((a, b) => b.value.length - a.value.length);
  if (subs.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const { name, value } of subs) out = out.split(value).join(`\${${name}}`);
    return out;
  };
}
