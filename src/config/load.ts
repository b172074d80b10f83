/**
 * Reading a config: text → ${ENV} substitution → YAML → validation with defaults → deep freeze.
 * Every failure is one ExporterError whose message names the file and, line by line, each problem.
 */
import { readFileSync } from 'node:fs';
import { CORE_SCHEMA, load, mergeTag, YAMLException } from 'js-yaml';
import { ExporterError } from '../errors.js';
import { ADAPTERS } from '../feeds/index.js';
import { REST_VENUES } from '../backfill/index.js';
import type { Config } from './types.js';
import { redactor, substituteEnv } from './env.js';
import { validateConfig } from './validate.js';

export interface LoadOptions {
  /** Variables for ${VAR} substitution; process.env when absent. */
  env?: Record<string, string | undefined>;
  /** Known venue keys; Object.keys(ADAPTERS) when absent. */
  venues?: readonly string[];
  /** A venue's channels; ADAPTERS[venue].channels when absent. */
  channelsOf?: (venue: string) => readonly string[] | undefined;
  /** A venue's streams-per-connection limit; ADAPTERS[venue].limits when absent. */
  streamsLimitOf?: (venue: string) => number | undefined;
}

// `<<: *defaults` merge keys are handy for sharing settings; aliases are capped so a hostile
// file cannot make validation walk an exponential tree.
const YAML_OPTIONS = { schema: CORE_SCHEMA.withTags(mergeTag), maxAliases: 100 };

/**
 * Parse, substitute ${ENV}, validate, fill defaults and deep-freeze. Throws ExporterError
 * (CONFIG_ENV, CONFIG_YAML or CONFIG_INVALID) with one clear message, problems one per line.
 */
export function parseConfig(text: string, source: string, opts: LoadOptions = {}): Config {
  const env = substituteEnv(text, opts.env ?? process.env);
  if (env.problems.length > 0) {
    const code = env.problems.some((p) => p.kind === 'unset') ? 'CONFIG_ENV' : 'CONFIG_INVALID';
    throw new ExporterError(code, env.problems.map((p) => `${source}:${p.line}: ${p.message}`).join('\n'));
  }
  const redact = redactor(env.substitutions);

  let raw: unknown = null;
  // js-yaml refuses a document with no content; an empty file is reported by validation instead.
  if (env.text.split('\n').some((line) => !/^\s*(#.*)?$/.test(line))) {
    try {
      raw = load(env.text, YAML_OPTIONS);
    } catch (err) {
      throw yamlError(err, source, redact, env.originalColumn);
    }
  }

  return buildConfig(raw, { ...opts, source, redact });
}

/**
 * Validate an already parsed document (a config built in code rather than read from a file), fill
 * defaults and deep-freeze; CONFIG_INVALID with every problem, one per line.
 */
export function buildConfig(raw: unknown, opts: Omit<LoadOptions, 'env'> & { source?: string; redact?: (text: string) => string } = {}): Config {
  const { config, problems } = validateConfig(raw, {
    source: opts.source,
    venues: opts.venues ?? Object.keys(ADAPTERS),
    channelsOf: opts.channelsOf ?? ((venue) => ADAPTERS[venue]?.channels),
    streamsLimitOf: opts.streamsLimitOf ?? ((venue) => ADAPTERS[venue]?.limits.streamsPerConnection),
    symbolSpellingOf: (venue) => ADAPTERS[venue]?.symbolSpelling,
    bookOf: (venue) => ADAPTERS[venue]?.book,
    optionsProblemsOf: (venue, options, feed) => ADAPTERS[venue]?.validateOptions?.(options, feed) ?? [],
    backfillIntervalsOf: (venue) => {
      const rest = REST_VENUES[venue];
      return rest && ((ms: number) => rest.intervalCode(ms) !== undefined);
    },
    redact: opts.redact ?? ((t) => t),
  });
  if (problems.length > 0) throw new ExporterError('CONFIG_INVALID', problems.join('\n'));
  return deepFreeze(config);
}

/** Read and parse a config file; CONFIG_READ when the file cannot be read. */
export function loadConfig(path: string, opts: LoadOptions = {}): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ExporterError('CONFIG_READ', `${path}: cannot read the config file: ${readReason(err)}`, { cause: err });
  }
  return parseConfig(text, path, opts);
}

function yamlError(err: unknown, source: string, redact: (t: string) => string, column: (line: number, col: number) => number): ExporterError {
  if (!(err instanceof YAMLException)) {
    return new ExporterError('CONFIG_YAML', `${source}: ${redact(err instanceof Error ? err.message : String(err))}`);
  }
  // js-yaml's mark is 0-based and counts in the substituted text; report the file's own position.
  const m = err.mark;
  const where = m && m.line >= 0 ? `${source}:${m.line + 1}:${column(m.line, m.column) + 1}` : source;
  // The reason can quote the file (an alias name, a tag), so it is redacted. No `cause`: js-yaml's
  // message carries a source snippet, which may hold a substituted secret.
  return new ExporterError('CONFIG_YAML', `${where}: ${redact(err.reason)}`);
}

function readReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return err instanceof Error ? err.message : String(err);
}

/** Freeze `value` and everything reachable from it, so no part of the running exporter can edit its config. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
