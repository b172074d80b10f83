/**
 * A local stand-in for the Telegram Bot API (POST /bot<token>/sendMessage) on 127.0.0.1.
 * It answers like the real API, including `result.chat.id` (without it Alertmanager panics),
 * and rejects what the real API rejects for parse_mode HTML: tags Telegram doesn't support,
 * unescaped `<`/`&`, unbalanced tags, unknown entities, and text over 4096 characters after
 * entity parsing. Every request is recorded, accepted or not.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pollUntil } from './service-process.js';

export interface TelegramRequest {
  token: string;
  method: string;
  chatId: string;
  text: string;
  parseMode?: string;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  accepted: boolean;
  /** The API's error description when rejected. */
  error?: string;
  params: Record<string, unknown>;
}

export interface TelegramStub {
  /** Base URL for Alertmanager's telegram api_url, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: TelegramRequest[];
  /** Accepted sendMessage requests. */
  messages(): TelegramRequest[];
  waitForMessage(pred: (m: TelegramRequest) => boolean, what: string, timeoutMs?: number): Promise<TelegramRequest>;
  close(): Promise<void>;
}

/** The tags the Bot API accepts in HTML mode (https://core.telegram.org/bots/api#html-style). */
const TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre',
  'blockquote', 'tg-emoji',
]);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const MAX_CHARS = 4096;

export type HtmlCheck = { ok: true; plain: string } | { ok: false; description: string };

/** Parses text as Telegram HTML; returns the plain text, or the API's error description. */
export function parseTelegramHtml(text: string): HtmlCheck {
  const bad = (why: string): HtmlCheck => ({ ok: false, description: `Bad Request: can't parse entities: ${why}` });
  const stack: string[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '<') {
      const end = text.indexOf('>', i);
      if (end < 0) return bad(`unclosed start tag at byte offset ${i}`);
      const inner = text.slice(i + 1, end);
      const closing = inner.startsWith('/');
      const m = /^\/?([a-z][a-z0-9-]*)(\s[^]*)?$/i.exec(inner);
      const name = m?.[1]?.toLowerCase();
      if (!m || !name) return bad(`unsupported start tag "${inner}" at byte offset ${i}`);
      if (!TAGS.has(name)) return bad(`unsupported start tag "${name}" at byte offset ${i}`);
      if (closing) {
        if (stack.pop() !== name) return bad(`unmatched end tag at byte offset ${i}, expected "</${stack.at(-1) ?? ''}>"`);
      } else {
        const attrs = m[2] ?? '';
        if (name === 'a') {
          const href = /^\s+href\s*=\s*"([^"<>]*)"\s*$/.exec(attrs)?.[1];
          if (href === undefined) return bad(`bad <a> tag at byte offset ${i}`);
          // An attribute value is HTML too: a bare "&" must start an entity.
          if (/&(?!(#\d{1,7}|#x[0-9a-f]{1,6}|lt|gt|amp|quot);)/i.test(href)) return bad(`character '&' is reserved and must be escaped at byte offset ${i}`);
        }
        stack.push(name);
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/i.exec(text.slice(i, i + 12));
      if (!m || !m[1]) return bad(`character '&' is reserved and must be escaped at byte offset ${i}`);
      const e = m[1];
      if (e.startsWith('#x') || e.startsWith('#X')) plain += String.fromCodePoint(parseInt(e.slice(2), 16));
      else if (e.startsWith('#')) plain += String.fromCodePoint(parseInt(e.slice(1), 10));
      else if (NAMED_ENTITIES[e] !== undefined) plain += NAMED_ENTITIES[e];
      else return bad(`unsupported HTML entity "&${e};" at byte offset ${i}`);
      i += m[0].length;
    } else if (c === '>') {
      return bad(`character '>' is reserved and must be escaped at byte offset ${i}`);
    } else {
      plain += c;
      i++;
    }
  }
  if (stack.length > 0) return bad(`can't find end tag corresponding to start tag "${stack.at(-1)}"`);
  return { ok: true, plain };
}

function checkMessage(text: string, parseMode: string | undefined): string | undefined {
  if (text.trim() === '') return 'Bad Request: message text is empty';
  let plain = text;
  if (parseMode?.toUpperCase() === 'HTML') {
    const parsed = parseTelegramHtml(text);
    if (!parsed.ok) return parsed.description;
    plain = parsed.plain;
  }
  // The limit counts characters after entity parsing, in UTF-16 code units like the API's offsets.
  if (plain.length > MAX_CHARS) return 'Bad Request: message is too long';
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  // telebot sends JSON; anything else is a client bug worth seeing.
  throw new Error(`unsupported content-type ${type}`);
}

/** Start the stand-in on 127.0.0.1 port 0. */
export async function startTelegramStub(): Promise<TelegramStub> {
  const requests: TelegramRequest[] = [];
  let nextId = 1;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const receivedAt = Date.now();
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m || !m[1] || !m[2]) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = m;
    readBody(req).then(
      (params) => {
        const chatId = String(params.chat_id ?? '');
        const text = String(params.text ?? '');
        const parseMode = params.parse_mode === undefined ? undefined : String(params.parse_mode);
        const error =
          method !== 'sendMessage'
            ? 'Not Found: method not found'
            : chatId === ''
              ? 'Bad Request: chat_id is empty'
              : checkMessage(text, parseMode);
        requests.push({ token, method, chatId, text, parseMode, receivedAt, accepted: !error, error, params });
        if (error) return send(res, error.startsWith('Not Found') ? 404 : 400, { ok: false, error_code: 400, description: error });
        const id = Number(chatId);
        send(res, 200, {
          ok: true,
          result: {
            message_id: nextId++,
            chat: { id: Number.isFinite(id) ? id : chatId, type: 'supergroup', title: 'market-exporter test' },
            date: Math.floor(receivedAt / 1000),
            text,
          },
        });
      },
      (e: Error) => send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${e.message}` }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('telegram stub: no address');
  const messages = () => requests.filter((r) => r.accepted && r.method === 'sendMessage');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    messages,
    waitForMessage: (pred, what, timeoutMs = 30_000) => pollUntil(() => messages().find(pred), what, { timeoutMs, everyMs: 50 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
