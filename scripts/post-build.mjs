// After tsc: record what was built (dist/build-info.json, read by src/version.ts for --version and
// market_exporter_build_info) and make the bin executable. BUILD_REVISION and BUILD_BRANCH
// override git (a container build has no .git); SOURCE_DATE_EPOCH fixes the date (reproducible builds).
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';

const git = (...args) => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
};
const epoch = Number(process.env.SOURCE_DATE_EPOCH);
const info = {
  revision: process.env.BUILD_REVISION || git('rev-parse', 'HEAD'),
  branch: process.env.BUILD_BRANCH || git('rev-parse', '--abbrev-ref', 'HEAD'),
  buildDate: (Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date()).toISOString(),
};
writeFileSync('dist/build-info.json', JSON.stringify(info) + '\n');
chmodSync('dist/src/main.js', 0o755);
