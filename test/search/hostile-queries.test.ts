import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { get, json, seedArticle, seedChannel, testDb } from '../helpers';
import { select } from '../pages/html';

const at = Date.UTC(2025, 5, 1, 4);
let previous: Clock;
beforeAll(async () => {
  previous = useClock(fixedClock(at));
  const db = testDb();
  const channel = await seedChannel(db, { name: '盘锦要闻' });
  // Something to find, so hostile queries run against a non-empty index.
  await seedArticle(db, {
    channelSlug: channel.slug,
    title: '盘锦精神 先行区 AND OR NOT NEAR(2024) "引号" *星号* ^',
    body: '<p>辽政发〔2024〕12号 ＧＤＰ 盘锦 &lt;i data-echo&gt; &amp; 医</p>',
    publishedAt: new Date(at - 86_400_000),
  });
});
afterAll(() => {
  useClock(previous);
});

/** Pieces readers (and attackers) type: FTS5 syntax, markup, controls, lone surrogates, CJK. */
const piece = fc.oneof(
  fc.constantFrom(
    '"',
    '*',
    'NEAR(',
    'NEAR',
    ')',
    '(',
    'AND',
    'OR',
    'NOT',
    '^',
    '-',
    '+',
    ':',
    'title:',
    '{title body}:',
    '{',
    '}',
    ' ',
    '\u0000',
    '\u0007',
    '\u001b',
    '\u200b',
    '\u202e',
    '\ufeff',
    '\ud800',
    '\udfff',
    '“',
    '」',
    '〔2024〕',
    'ＧＤＰ',
    '盘锦',
    '先行区',
    '医',
    '盤錦',
    '<i data-echo>',
    '"><i data-echo x="',
    '&amp;',
    "'",
    '\\',
    '%',
    '--',
    '-"',
    '*盘*',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const hostileQuery = fc
  .array(piece, { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''));

/** Percent-encodes every UTF-16 unit, lone surrogates too (as the raw bytes a client could send). */
function encodeQuery(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair =
      unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length
        ? text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff
        : false;
    if (pair) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      // What a careless client's encoder writes for a lone surrogate: its three-byte form.
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

describe('hostile queries', () => {
  it('GET /api/v1/search answers 200 or a 400 problem for any query, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileQuery, async (q) => {
        const res = await get(`/api/v1/search?q=${encodeQuery(q)}`);
        expect([200, 400]).toContain(res.status);
        const body = await json(res);
        if (res.status === 200) {
          expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
          for (const hit of body.data) {
            // Only <mark> tags are markup in highlights; everything else arrives escaped.
            expect(hit.highlight.title).not.toMatch(/<(?!\/?mark>)/);
            expect(hit.highlight.snippet).not.toMatch(/<(?!\/?mark>)/);
          }
        } else {
          expect(body.code).toBe('invalid_parameter');
          expect(body.invalidParams[0].name).toBe('q');
        }
      }),
      { numRuns: 80 },
    );
  });

  it('GET /search renders 200 or 400 for any query and never echoes it unescaped', async () => {
    await fc.assert(
      fc.asyncProperty(hostileQuery, async (q) => {
        const res = await get(`/search?q=${encodeQuery(q)}`);
        expect([200, 400]).toContain(res.status);
        const html = await res.text();
        expect(await select(html, '[data-echo]')).toEqual([]);
        expect(html).not.toContain('<i data-echo');
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['"', 400],
    ['*', 400],
    ['NEAR(', 200],
    [')', 400],
    ['AND OR', 200],
    ['^', 400],
    ['盘锦 NOT', 200],
    ['"盘锦', 200],
    ['\u0000', 400],
  ])('answers %j with %i', async (q, status) => {
    const res = await get(`/api/v1/search?q=${encodeQuery(q)}`);
    expect(res.status).toBe(status);
  });

  it('answers bytes that are not UTF-8 (a lone surrogate) without a 5xx', async () => {
    for (const q of ['\ud800', '盘锦\udfff', '\udfff\ud800先行区']) {
      const res = await get(`/api/v1/search?q=${encodeQuery(q)}`);
      expect([200, 400]).toContain(res.status);
    }
  });

  it('answers a 10 KB query with a 400 problem naming q', async () => {
    const res = await get(`/api/v1/search?q=${encodeQuery('"盘锦" OR NEAR('.repeat(800))}`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.invalidParams).toEqual([
      { name: 'q', in: 'query', reason: expect.stringMatching(/at most 100 characters/) },
    ]);
  });
});
