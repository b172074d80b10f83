import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Four projects: `unit` answers in seconds; `integration` starts real processes (the exporter,
// Prometheus, Alertmanager, SMTP and Telegram stand-ins); `alert-pack` runs the shipped alert
// pack end to end in real time (incident replay, messages, restarts, clustered Alertmanagers);
// `containers` runs the shipped image and docker-compose.yml on a Docker engine
// (scripts/docker-engine.sh, scripts/docker-images.sh).
// All four run in `npm test` and CI; without Docker, run `--project unit --project integration`.
const processSuites = [
  'test/{integration,e2e,reliability,scale}/**/*.test.ts',
  'test/alerting/{alertmanager,names,rules}.test.ts',
  'test/compose/*.test.ts',
  'test/grafana/live-queries.test.ts',
  'test/bench/smoke.test.ts',
  'test/bench/rss-floor.test.ts',
  'test/runtime/node-flags.test.ts',
  'test/service.test.ts',
  'test/service-{reload,flags}.test.ts',
  'test/{main,start}.test.ts',
  'test/metrics/counters-move.test.ts',
];
const containerSuites = ['test/containers/**/*.test.ts'];
// The shipped alert pack in real time, with its own `for:`, intervals and Alertmanager timings
// (~11 min for the incident replay, minutes for the others): they judge Prometheus and
// Alertmanager with our configs, not Node, so CI runs them once, on the main Node line.
const alertPackSuites = ['test/e2e/*.test.ts', 'test/scale/alertmanager-cluster.test.ts'];

export default defineConfig({
  test: {
    // Tests start and signal child processes and listen on sockets: forks keep each file in a
    // process of its own, where worker threads would share one.
    pool: 'forks',
    // vitest's default leaves a core free, one fork on a 2-core machine; the tests mostly wait on
    // sockets and child processes, so two forks halve the wall time there (unit: 57 -> 32 s).
    maxWorkers: Math.max(2, availableParallelism()),
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
        // Unit files share their forks (no re-import per file): a third of the time on this
        // 2-core machine. Each file builds its own state (fresh registries, servers on port 0).
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...processSuites, ...containerSuites, ...alertPackSuites], isolate: false, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        // One file at a time: the clustered-Alertmanager and restart suites judge gossip and
        // notification timing, which a second process suite on the other core can upset.
        test: { name: 'integration', include: processSuites, exclude: alertPackSuites, fileParallelism: false, testTimeout: 300_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        // One file at a time, for the same reason: each judges notification timing.
        test: { name: 'alert-pack', include: alertPackSuites, testTimeout: 1_500_000, hookTimeout: 300_000, fileParallelism: false },
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
