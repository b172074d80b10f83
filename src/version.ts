/**
 * What is running: the package's own facts (package.json, found from here in src/ or dist/src/)
 * and, for a build, the revision, branch and date scripts/post-build.mjs recorded beside it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  /** ISO 8601. */
  buildDate: string;
}

interface PackageFacts {
  version: string;
  engines: { node?: string };
}

function read(): { build: BuildInfo; engines: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const build: BuildInfo = { version: 'unknown', revision: 'unknown', branch: 'unknown', buildDate: 'unknown' };
  let engines = '';
  let dir = here;
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, 'utf8')) as PackageFacts;
    build.version = pkg.version;
    engines = pkg.engines?.node ?? '';
    // Only a build has a record; run from src/ (tsx), an old dist/ must not speak for it.
    const record = join(dir, 'dist', 'build-info.json');
    if (here.startsWith(join(dir, 'dist') + sep) && existsSync(record)) {
      try {
        Object.assign(build, JSON.parse(readFileSync(record, 'utf8')) as Partial<BuildInfo>);
      } catch {
        // A damaged record: the version alone is still right.
      }
    }
    break;
  }
  return { build, engines };
}

const FACTS = read();
export const BUILD: Readonly<BuildInfo> = Object.freeze(FACTS.build);
export const VERSION = BUILD.version;
/** The Node versions package.json promises, e.g. `>=22.22 <27`. */
export const NODE_ENGINES = FACTS.engines;

/** `--version`, in the shape of the Prometheus tools' own. */
export function versionText(build: BuildInfo = BUILD, node = process.version): string {
  return `market-exporter, version ${build.version} (branch: ${build.branch}, revision: ${build.revision})\n  build date: ${build.buildDate}\n  node version: ${node}`;
}
