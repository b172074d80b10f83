/**
 * The ceiling: a bare `ws` client that subscribes to the same streams as the exporter and only
 * JSON-parses each frame. What one core can do with these frames before any exporter work.
 *
 * With `with-deps` it is the memory floor instead (bench/rss-floor.ts): the same client in a
 * process that has also loaded every runtime dependency the exporter loads and serves prom-client's
 * default metrics over express, as the exporter does, so its RSS is what any exporter built on
 * them would hold at that load before it keeps a single series.
 * Usage (spawned by the harness): ceiling-child.js WS_URL STREAMS_FILE [with-deps]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket, { type RawData } from 'ws';
import type { CeilingCount, CeilingRequest, Reply } from './ipc.js';

const [url, streamsFile, mode] = process.argv.slice(2);
if (!url || !streamsFile || !process.send || (mode !== undefined && mode !== 'with-deps')) {
  process.stderr.write('usage: ceiling-child WS_URL STREAMS_FILE [with-deps] (spawned with an IPC channel)\n');
  process.exit(2);
}
if (mode === 'with-deps') await serveLikeTheExporter();

/** express serving prom-client's default metrics on 127.0.0.1; js-yaml and technicalindicators loaded. */
async function serveLikeTheExporter(): Promise<void> {
  const [{ default: express }, { collectDefaultMetrics, Registry }] = await Promise.all([import('express'), import('prom-client'), import('js-yaml'), import('technicalindicators')]);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const app = express();
  app.get('/metrics', (_req, res) => void registry.metrics().then((text) => res.type(registry.contentType).send(text)));
  await new Promise<void>((resolve, reject) => void app.listen(0, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
}
const send = (m: unknown) => process.send!(m);
const streams = readFileSync(streamsFile, 'utf8').split('\n').filter((s) => s !== '');

let frames = 0;
let bytes = 0;
// Kept so the parse cannot be optimised away.
let sink: unknown;
const ws = new WebSocket(`${url.replace(/\/$/, '')}/stream`, { perMessageDeflate: false });
// The same conversion the exporter's connection makes: Buffer to string, then parse.
ws.on('message', (data: RawData) => {
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  sink = JSON.parse(text);
  frames++;
  bytes += text.length;
});
ws.on('error', (e) => {
  process.stderr.write(`ceiling-child: ${e.message}\n`);
  process.exit(1);
});

process.on('message', (req: CeilingRequest) => {
  if (req.cmd === 'count') {
    const cpu = process.cpuUsage();
    const c: CeilingCount = { t: performance.now(), cpuUs: cpu.user + cpu.system, frames, bytes };
    send({ id: req.id, ok: true, result: c } satisfies Reply);
  } else {
    ws.terminate();
    send({ id: req.id, ok: true, result: sink === undefined ? 0 : 1 } satisfies Reply);
    setImmediate(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

ws.on('open', () => {
  const pending = new Set<number>();
  ws.on('message', function ack(data: RawData) {
    // Acks are {"result":null,"id":N}; data frames never start like that.
    const text = String(data);
    const m = /^\{"result":null,"id":(\d+)\}$/.exec(text);
    if (m) pending.delete(Number(m[1]));
    if (pending.size === 0) {
      ws.off('message', ack);
      frames = bytes = 0;
      send({ ready: true });
    }
  });
  for (let i = 0, id = 1; i < streams.length; i += 200, id++) {
    pending.add(id);
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: streams.slice(i, i + 200), id }));
  }
});
