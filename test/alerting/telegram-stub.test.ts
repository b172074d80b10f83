// The Telegram stand-in must reject what the real Bot API rejects, or the template tests that
// rely on it prove nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { parseTelegramHtml, startTelegramStub } from '../support/telegram.js';

describe('parseTelegramHtml', () => {
  test('accepts supported tags, entities and links, and returns the plain text', () => {
    const r = parseTelegramHtml('<b>FIRING</b> &lt;x&gt; &amp; &quot;q&quot; &#39;s&#x27; <i>it</i> <a href="https://e.x/?a=1&amp;b=2">l</a>');
    assert.deepEqual(r, { ok: true, plain: 'FIRING <x> & "q" \'s\' it l' });
  });

  const rejected: [string, string][] = [
    ['a bare <', 'price < 5'],
    ['an unknown tag', '<script>x</script>'],
    ['a bare &', 'a & b'],
    ['an entity Telegram does not know', 'a&nbsp;b'],
    ['an unclosed tag', '<b>bold'],
    ['crossed tags', '<b><i>x</b></i>'],
    ['a bare & inside href', '<a href="https://e.x/?a=1&b=2">l</a>'],
    ['a stray >', 'a > b'],
  ];
  for (const [what, text] of rejected) {
    test(`rejects ${what}`, () => {
      const r = parseTelegramHtml(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.description, /^Bad Request: can't parse entities/);
    });
  }
});

describe('Telegram stand-in server', () => {
  test('answers sendMessage with result.chat.id and rejects over-long or bad HTML like the API', async () => {
    const stub = await startTelegramStub();
    try {
      const post = (body: object) =>
        fetch(`${stub.url}/bot123:abc/sendMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

      const ok = await post({ chat_id: '-100123', text: '<b>hi</b>', parse_mode: 'HTML' });
      assert.equal(ok.status, 200);
      assert.equal(ok.body.ok, true);
      assert.deepEqual((ok.body.result as { chat: { id: number } }).chat.id, -100123);

      // 4096 characters after entity parsing is the limit: "&amp;" counts as one.
      const atLimit = await post({ chat_id: '1', text: '&amp;'.repeat(4096), parse_mode: 'HTML' });
      assert.equal(atLimit.status, 200);
      const tooLong = await post({ chat_id: '1', text: 'x'.repeat(4097), parse_mode: 'HTML' });
      assert.deepEqual(tooLong.body, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
      const badHtml = await post({ chat_id: '1', text: '1 < 2', parse_mode: 'HTML' });
      assert.equal(badHtml.status, 400);

      assert.equal(stub.requests.length, 4);
      assert.deepEqual(
        stub.messages().map((m) => [m.token, m.chatId]),
        [
          ['123:abc', '-100123'],
          ['123:abc', '1'],
        ],
      );
    } finally {
      await stub.close();
    }
  });
});
