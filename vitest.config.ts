import { defineConfig } from 'vitest/config';

// Three projects: `unit` answers in seconds; `integration` starts real processes (the exporter,
// Prometheus, Alertmanager, SMTP and Telegram stand-ins); `containers` runs the shipped image and
// docker-compose.yml on a Docker engine (scripts/docker-engine.sh, scripts/docker-images.sh).
// All three run in `npm test` and CI; without Docker, run `--project unit --project integration`.
const processSuites = [
  'test/{integration,e2e,reliability,scale}/**/*.test.ts',
  'test/alerting/{alertmanager,names,rules}.test.ts',
  'test/compose/*.test.ts',
  'test/grafana/live-queries.test.ts',
  'test/bench/smoke.test.ts',
  'test/runtime/node-flags.test.ts',
  'test/service.test.ts',
];
const containerSuites = ['test/containers/**/*.test.ts'];

export default defineConfig({
  test: {
    // Tests start and signal child processes and listen on sockets: forks keep each file in a
    // process of its own, where worker threads would share one.
    pool: 'forks',
    // node:test ran `after` hooks in the order they were registered; the suites rely on it
    // (stop Prometheus before the exporter it scrapes, and so on).
    sequence: { hooks: 'list' },
    reporters: ['default', './scripts/vitest-summary.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // A little below what `npm test` measured (see the README): coverage falls only on purpose.
      thresholds: { statements: 93, branches: 89, functions: 94, lines: 95 },
    },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...processSuites, ...containerSuites], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: 'integration', include: processSuites, testTimeout: 300_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        // After the other projects (groupOrder 1) and one file at a time: a compose stack competing
        // with the process suites for two cores would make both time out.
        test: {
          name: 'containers',
          include: containerSuites,
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { hooks: 'list', groupOrder: 1 },
        },
      },
    ],
  },
});
