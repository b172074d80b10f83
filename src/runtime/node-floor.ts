/**
 * Refuses a Node older than package.json's `engines` floor with one line and exit code 3, before
 * anything else runs: entry points import this module first, and ES modules evaluate their
 * imports in order, so no other module's code has run yet (an old Node would otherwise fail later
 * with a stack trace from deep inside a dependency).
 */
import { NODE_ENGINES } from '../version.js';

/** The exit code of a refused Node version (docs/errors.md). */
export const EXIT_NODE_TOO_OLD = 3;

type Version = [number, number, number];

function parse(v: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function older(a: Version, b: Version): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * The refusal for `running` (like `v20.20.2`) under `engines` (like `>=22.22 <27`), or undefined
 * when it meets the floor. Only the floor is enforced: a newer Node than tested may well work.
 */
export function nodeFloorRefusal(running: string, engines: string): string | undefined {
  const floorText = /(?:^|\s)>=\s*v?(\d+(?:\.\d+){0,2})/.exec(engines)?.[1];
  const floor = floorText === undefined ? undefined : parse(floorText);
  const have = parse(running);
  if (floor === undefined || have === undefined || !older(have, floor)) return undefined;
  return `market-exporter needs Node >= ${floorText}; this is ${running}`;
}

const refusal = nodeFloorRefusal(process.version, NODE_ENGINES);
if (refusal !== undefined) {
  process.stderr.write(`${refusal}\n`);
  process.exit(EXIT_NODE_TOO_OLD);
}
