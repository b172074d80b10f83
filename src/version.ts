/** The package's own facts, read once from package.json (found from here in src/ or dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageFacts {
  version: string;
  engines: { node?: string };
}

function find(): PackageFacts {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')) as PackageFacts;
  }
  return { version: 'unknown', engines: {} };
}

const PACKAGE = find();
export const VERSION = PACKAGE.version;
/** The Node versions package.json promises, e.g. `>=22.22 <27`. */
export const NODE_ENGINES = PACKAGE.engines.node ?? '';
