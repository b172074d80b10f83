/**
 * V8 and Node flags the exporter runs with (npm start, the container, the package's bin, the
 * benchmark). docs/performance.md ("third round") has the measurements:
 * - `--max-semi-space-size=8`: a high message rate makes V8 grow its young generation to 32 MB
 *   per semi-space, most of RSS at 1k symbols. 8 MB keeps it small; 4 MB saved another ~15 MB
 *   but cost ~10% of throughput in more frequent scavenges (59% of the ceiling, below target).
 * - `--heap-growing-percent=20`: after a full collection V8 lets the old generation grow to 2-4
 *   times what survived before collecting again, and under load it fills steadily, so RSS swung
 *   by 100+ MB. 1.2 times keeps the peak near the live size; the extra full collections mark
 *   concurrently, on a heap of tens of MB at 1k symbols.
 * - `--v8-pool-size=1`: one V8 helper thread instead of one per core; each kept its own malloc
 *   arena (~4 MB at 1k symbols), and the exporter's work is on the main thread anyway.
 * - `--no-allocation-site-pretenuring`: once most objects of one allocation site have outlived a
 *   young collection, V8 allocates that site's objects straight into the old generation. Node
 *   makes every `process.nextTick` object at one site, and each socket read schedules one. Under
 *   the bench's load at 10k symbols that site was pretenured: every tick after it was garbage in
 *   the old generation, a third of what it took in. Without pretenuring there were a fifth to a
 *   third fewer full collections, and throughput was as before (docs/performance.md, twenty-first
 *   round).
 * V8 reads them only at start-up, so they have to be on the command line or in NODE_OPTIONS.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=20', '--v8-pool-size=1', '--no-allocation-site-pretenuring'];
