/**
 * A fake venue for live tests: a real `ws` server on 127.0.0.1 port 0 that speaks one venue's
 * protocol through a small VenueProtocol (what to say when a client connects, what to answer to
 * each client frame), and lets the test push fixture frames, inject gaps and drop sockets.
 * Built on TestWsServer, which records every client frame.
 */
import { waitFor } from './wait-for.js';
import { TestWsServer, type ServerSocket } from './ws-test-server.js';

export { fixtureJson, fixtureText } from './fixtures.js';

/** How a venue talks. Both hooks return the frames to send, in order. */
export interface VenueProtocol {
  /** Frames sent as soon as a client connects (Kraken's status, for example). */
  greeting?(): string[];
  /** Answer to one client frame (subscribe acks, snapshots, pongs); [] to stay silent. */
  reply(text: string, socket: ServerSocket): string[];
}

export class VenueServer {
  private constructor(private readonly server: TestWsServer) {}

  static async start(protocol: VenueProtocol): Promise<VenueServer> {
    const server = await TestWsServer.start({
      onConnection: (s) => {
        for (const f of protocol.greeting?.() ?? []) s.ws.send(f);
      },
      onMessage: (s, text) => {
        for (const f of protocol.reply(text, s)) s.ws.send(f);
      },
    });
    return new VenueServer(server);
  }

  /** ws://127.0.0.1:<port>/ */
  get url(): string {
    return this.server.url;
  }

  /** Every client connection so far, oldest first. */
  get sockets(): readonly ServerSocket[] {
    return this.server.sockets;
  }

  /** Wait for the `n`th client connection (1-based) to have sent a frame matching `sent`. */
  async connection(n: number, sent: (text: string) => boolean, timeoutMs = 10_000): Promise<ServerSocket> {
    return waitFor(
      () => {
        const s = this.server.sockets[n - 1];
        return s && s.messages.some(sent) ? s : undefined;
      },
      `connection #${n} to send the expected frame`,
      { timeoutMs },
    );
  }

  /** Send frames to the newest client. */
  send(...frames: string[]): void {
    const s = this.server.last;
    if (!s) throw new Error('no client connected');
    for (const f of frames) s.ws.send(f);
  }

  /** Tear the newest client's socket down without a close frame, like a dropped network. */
  dropLast(): void {
    this.server.last?.ws.terminate();
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
