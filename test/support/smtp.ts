/**
 * A real SMTP server (smtp-server) on 127.0.0.1 port 0 that keeps every message it receives,
 * parsed with postal-mime. Plain connections with optional AUTH, like a local mail catcher:
 * STARTTLS is not offered, so clients configured with require_tls: false talk in the clear.
 */
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { pollUntil } from './service-process.js';

export interface ReceivedMail {
  /** SMTP envelope. */
  mailFrom: string;
  rcptTo: string[];
  /** AUTH credentials the client used, if any. */
  auth?: { username: string; password: string };
  subject: string;
  text: string;
  html: string;
  headers: { key: string; value: string }[];
  /** Date.now() when the DATA command completed. */
  receivedAt: number;
}

export interface SmtpCatcher {
  readonly host: string;
  readonly port: number;
  readonly messages: ReceivedMail[];
  waitForMail(pred: (m: ReceivedMail) => boolean, what: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** Start the catcher on 127.0.0.1 port 0. */
export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const messages: ReceivedMail[] = [];
  const credentials = new Map<string, { username: string; password: string }>();
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, session, callback) {
      credentials.set(session.id, { username: auth.username ?? '', password: auth.password ?? '' });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const receivedAt = Date.now();
        PostalMime.parse(Buffer.concat(chunks)).then(
          (email) => {
            messages.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              auth: credentials.get(session.id),
              subject: email.subject ?? '',
              text: email.text ?? '',
              html: email.html ?? '',
              headers: email.headers.map((h) => ({ key: h.key, value: h.value })),
              receivedAt,
            });
            callback();
          },
          (e: Error) => callback(e),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('smtp catcher: no address');
  return {
    host: '127.0.0.1',
    port: addr.port,
    messages,
    waitForMail: (pred, what, timeoutMs = 30_000) => pollUntil(() => messages.find(pred), what, { timeoutMs, everyMs: 50 }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
