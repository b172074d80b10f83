/**
 * Run as a child process by test/feeds/connection.test.ts: brings connections into every state
 * that holds a timer or socket (open with pings, app pings and silence timer; connecting; waiting
 * in backoff), stops them, and then must exit on its own. Prints what is still active, if anything.
 */
import { Connection } from '../../src/feeds/connection.js';
import { createLogger } from '../../src/log.js';
import { closedPort, silentTcpServer, TestWsServer } from './ws-test-server.js';
import { waitFor } from './wait-for.js';

const log = createLogger({ write: () => {} });
const config = {
  connectTimeoutMs: 10_000,
  pingIntervalMs: 20,
  maxMissedPings: 3,
  silenceTimeoutMs: 10_000,
  backoff: { initialMs: 10_000, maxMs: 60_000, multiplier: 2, jitter: 0.3, resetAfterMs: 60_000 },
};

function connection(url: string, onEvent: (e: string) => void): Connection {
  return new Connection({
    name: url,
    url: () => url,
    subscribeFrames: () => ['{"op":"subscribe"}', '{"op":"subscribe2"}'],
    appPing: { intervalMs: 20, frame: (now) => JSON.stringify({ op: 'ping', t: now }) },
    config,
    maxFrameBytes: 1 << 20,
    outgoingPerSecond: 1,
    log,
    handlers: {
      onOpen: () => onEvent('open'),
      onFrame: () => {},
      onDown: (reason) => onEvent(reason),
    },
  });
}

const events: string[] = [];
const server = await TestWsServer.start();
const silent = await silentTcpServer();
const refused = await closedPort();

// outgoingPerSecond 1 with two subscribe frames: stopped while the pacing timer is pending.
const open = connection(server.url, (e) => events.push(`open:${e}`));
const connecting = connection(`ws://127.0.0.1:${silent.port}/`, (e) => events.push(`connecting:${e}`));
const waiting = connection(`ws://127.0.0.1:${refused}/`, (e) => events.push(`waiting:${e}`));
open.start();
connecting.start();
waiting.start();

await waitFor(() => server.last?.messages.length === 1, 'the first subscribe frame');
await waitFor(() => silent.attempts.length === 1, 'the silent server to be reached');
await waitFor(() => events.includes('waiting:error'), 'the refused connection to back off');

await Promise.all([open.stop(), connecting.stop(), waiting.stop()]);
await server.close();
await silent.close();

// Handles finish closing in the loop's close phase, after the close callbacks above resolved.
await new Promise((r) => setTimeout(r, 20));
// What a connection could leave behind: timers, immediates and sockets. File reads in flight
// (FSReqCallback: the TypeScript loader's cache, on some Node versions) are not ours to judge.
const OURS = /^(Timeout|Immediate|TCPWRAP|TCPSocketWrap|TCPServerWrap|TLSWrap|GetAddrInfoReqWrap|TCPConnectWrap)$/;
const active = process.getActiveResourcesInfo().filter((r) => OURS.test(r));
process.stdout.write(JSON.stringify({ stopped: true, events, active }) + '\n');
