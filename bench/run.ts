#!/usr/bin/env node
/**
 * `npm run bench`: builds, then runs this. Prints progress on stderr, the result table on stdout,
 * and writes the JSON report (--out). Exit code 0 even when a target is missed: the report says so.
 * Exit code 1 when a /metrics run measured a half-warm exporter (report.ts warmProblems): those
 * numbers are not the ones the table claims, so the run is a failure, though its report is kept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runBench } from './harness.js';
import { parseBenchArgs, USAGE } from './options.js';
import { formatReport, warmProblems } from './report.js';

let parsed;
try {
  parsed = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { options } = parsed;
try {
  const report = await runBench(options, (line) => process.stderr.write(`bench: ${line}\n`));
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`${formatReport(report)}\n\nJSON report: ${options.out} (${report.durationS} s)\n`);
  const cold = warmProblems(report);
  if (cold.length > 0) {
    process.stderr.write(`bench failed: ${cold.join('; ')}\n`);
    process.exitCode = 1;
  }
} catch (e) {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}
