/**
 * V8 flags the exporter runs with (npm start, the container, the package's bin, the benchmark).
 * A high message rate makes V8 grow its young generation to 32 MB per semi-space, most of RSS at
 * 1k symbols; 4 MB keeps it small with throughput within the noise (docs/performance.md). V8 reads
 * it only at start-up, so it has to be on the command line or in NODE_OPTIONS.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
