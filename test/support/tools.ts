// Locates the external binaries the tests drive (Prometheus, Alertmanager, compose).
// `bash scripts/get-tools.sh` installs them into <repo>/tools/bin; a copy on PATH also works.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type ToolName = 'prometheus' | 'promtool' | 'alertmanager' | 'amtool' | 'docker-compose';

// This file lives in <repo>/test/support/.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Debian installs Alertmanager as `prometheus-alertmanager`, so also accept that name on PATH.
const pathAliases: Partial<Record<ToolName, readonly string[]>> = {
  alertmanager: ['prometheus-alertmanager'],
};

function isExecutableFile(file: string): boolean {
  try {
    // statSync follows symlinks: tools/bin entries are links into tools/root.
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of `name`: $TOOLS_BIN or tools/bin first (pinned versions), then PATH, as
 * scripts/test-rules.mjs looks. Throws if neither has it.
 */
export function toolPath(name: ToolName): string {
  const local = path.join(process.env.TOOLS_BIN || path.join(repoRoot, 'tools', 'bin'), name);
  if (isExecutableFile(local)) return local;

  const names = [name, ...(pathAliases[name] ?? [])];
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  for (const candidateName of names) {
    for (const dir of dirs) {
      const candidate = path.resolve(dir, candidateName);
      if (isExecutableFile(candidate)) return candidate;
    }
  }

  throw new Error(
    `${name} not found: run "bash scripts/get-tools.sh" (fetches it from Debian's archive into tools/)`,
  );
}
