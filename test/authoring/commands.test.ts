import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  createArticle,
  createChannel,
  setArticleStatus,
  WriteConflictError,
} from '../../src/authoring/commands';
import { findArticle } from '../../src/articles/queries';
import {
  clockAt,
  get,
  json,
  seedArticleInNewChannel,
  seedArticlesInNewChannel,
  seedChannel,
  testDb,
  timeZone,
  uniqueSlug,
} from '../helpers';
import { now as clockNow, nowDate } from '../../src/lib/clock';

// This file's data carries fixed dates in 2021-2024.
clockAt('2021-10-08T12:00:00+08:00');

async function bodyOf(id: number): Promise<string> {
  const row = await env.DB.prepare('select body from articles where id = ?')
    .bind(id)
    .first<{ body: string }>();
  return row!.body;
}

let serial = 0;
/** A Chinese title no other test uses: digits are not Latin letters, so the date rule applies. */
function chineseTitle(prefix: string): string {
  serial += 1;
  return `${prefix}${clockNow()}${serial}`;
}

async function create(title: string, publishedAt: Date | null, extra: object = {}) {
  const db = testDb();
  const channel = await seedChannel(db);
  return createArticle(
    db,
    {
      channelSlug: channel.slug,
      title,
      body: '<p>正文</p>',
      status: publishedAt ? 'published' : 'draft',
      publishedAt,
      ...extra,
    },
    { timeZone },
  );
}

describe('createArticle sanitizes the body before storing it', () => {
  it.each([
    ['a script element', '<p>前</p><script>alert(1)</script><p>后</p>', '<p>前</p><p>后</p>'],
    ['an event handler', '<p onclick="alert(1)" onmouseover="x()">段落</p>', '<p>段落</p>'],
    [
      'an image error handler',
      '<img src="https://example.com/a.png" onerror="alert(1)">',
      '<img src="https://example.com/a.png" loading="lazy" />',
    ],
    ['a javascript: link', '<a href="javascript:alert(1)">链接</a>', '<a>链接</a>'],
    [
      'an obfuscated javascript: link',
      '<a href="jav&#x09;ascript:alert(1)">链接</a>',
      '<a>链接</a>',
    ],
    ['a data: image', '<p>图</p><img src="data:image/svg+xml,<svg onload=alert(1)>">', '<p>图</p>'],
    ['an iframe', '<p>a</p><iframe src="https://evil.example"></iframe>', '<p>a</p>'],
    ['a style element and attribute', '<style>p{}</style><p style="color:red">字</p>', '<p>字</p>'],
    ['a form', '<form action="https://evil.example"><input name="x"></form><p>ok</p>', '<p>ok</p>'],
    ['an svg', '<svg><script>alert(1)</script></svg><p>ok</p>', '<p>ok</p>'],
  ])('removes %s', async (_label, input, expected) => {
    const { id } = await create(`sanitize ${uniqueSlug()}`, nowDate(), { body: input });
    const stored = await bodyOf(id);
    expect(stored).toBe(expected);
    expect(stored).not.toMatch(/<script|javascript:|onerror|onclick|onload/i);
  });

  it('keeps what an editor needs and makes outbound links safe', async () => {
    const html =
      '<h2>小标题</h2><p><strong>加粗</strong> <em>斜体</em> <a href="https://example.com" target="_blank">外链</a></p>' +
      '<ul><li>一</li></ul><table><tbody><tr><td colspan="2">格</td></tr></tbody></table>' +
      '<figure><img src="https://example.com/p.jpg" alt="图"><figcaption>说明</figcaption></figure>';
    const { id } = await create(`keep ${uniqueSlug()}`, nowDate(), { body: html });
    const stored = await bodyOf(id);
    expect(stored).toContain('<h2>小标题</h2>');
    expect(stored).toContain('<strong>加粗</strong>');
    expect(stored).toContain('<a href="https://example.com" rel="noopener noreferrer">外链</a>');
    expect(stored).toContain('<td colspan="2">格</td>');
    expect(stored).toContain('<img src="https://example.com/p.jpg" alt="图" loading="lazy" />');
    expect(stored).toContain('<figcaption>说明</figcaption>');
  });

  it('serves the sanitized body through the API', async () => {
    const { id } = await create(`api ${uniqueSlug()}`, new Date(clockNow() - 1000), {
      body: '<p onclick="x()">安全</p><script>bad()</script>',
    });
    const { data } = await json(await get(`/api/v1/articles/${id}`));
    expect(data.body).toBe('<p>安全</p>');
  });

  it('derives the summary from the sanitized text when none is given', async () => {
    const { id } = await create(`summary ${uniqueSlug()}`, new Date(clockNow() - 1000), {
      body: '<p>第一段&amp;符号</p><script>secret()</script><p>第二段</p>',
    });
    const { data } = await json(await get(`/api/v1/articles/${id}`));
    expect(data.summary).toBe('第一段&符号 第二段');
  });

  it('cuts a long derived summary to 120 characters with an ellipsis', async () => {
    const { id } = await create(`long ${uniqueSlug()}`, new Date(clockNow() - 1000), {
      body: `<p>${'长'.repeat(300)}</p>`,
    });
    const { data } = await json(await get(`/api/v1/articles/${id}`));
    expect(data.summary).toHaveLength(120);
    expect(data.summary.endsWith('…')).toBe(true);
  });
});

describe('createArticle slugs', () => {
  it('gives a Chinese title its Asia/Shanghai publish date plus a short hash', async () => {
    // 2021-09-29T20:00Z is already 2021-09-30 in Shanghai.
    const { slug } = await create('盘锦市第八次党代会胜利闭幕', new Date('2021-09-29T20:00:00Z'));
    expect(slug).toMatch(/^20210930-[a-z0-9]{6}$/);
  });

  it('gives the same Chinese title on the same day -2, then -3', async () => {
    const title = chineseTitle('同名标题');
    const at = new Date('2022-03-01T08:00:00+08:00');
    const first = await create(title, at);
    const second = await create(title, at);
    const third = await create(title, at);
    expect(first.slug).toMatch(/^20220301-[a-z0-9]{6}$/);
    expect(second.slug).toBe(`${first.slug}-2`);
    expect(third.slug).toBe(`${first.slug}-3`);
  });

  it('gives different Chinese titles on the same day different slugs', async () => {
    const at = new Date('2022-03-02T08:00:00+08:00');
    const a = await create('标题甲', at);
    const b = await create('标题乙', at);
    expect(a.slug).not.toBe(b.slug);
    expect(a.slug.slice(0, 9)).toBe(b.slug.slice(0, 9));
  });

  it('gives a draft without a date a non-numeric slug', async () => {
    const { slug } = await create(chineseTitle('草稿'), null);
    expect(slug).toMatch(/^a-[a-z0-9]{6}$/);
  });

  it('turns a Latin title into hyphenated words', async () => {
    const { slug } = await create(`Café Opens on Main Street ${uniqueSlug('x')}`, nowDate());
    expect(slug).toMatch(/^cafe-opens-on-main-street-x-/);
  });

  it('never makes a slug that reads as a numeric id', async () => {
    const { slug } = await create('2021', new Date('2021-01-01T00:00:00Z'));
    expect(slug).not.toMatch(/^[0-9]+$/);
    expect(slug).toMatch(/^20210101-/);
    const { data } = await json(await get(`/api/v1/articles/${slug}`));
    expect(data.slug).toBe(slug);
  });

  it('keeps an explicit slug and refuses an invalid or purely numeric one', async () => {
    const wanted = uniqueSlug('explicit');
    expect((await create('标题', nowDate(), { slug: wanted })).slug).toBe(wanted);
    await expect(create('标题', nowDate(), { slug: '12345' })).rejects.toThrow(RangeError);
    await expect(create('标题', nowDate(), { slug: 'Bad Slug' })).rejects.toThrow(RangeError);
  });

  it('never takes a slug that a sibling route already uses', async () => {
    const { slug } = await create('Popular', nowDate());
    expect(slug).toBe('popular-2');
    await expect(create('x', nowDate(), { slug: 'popular' })).rejects.toThrow(RangeError);
    const { data } = await json(await get(`/api/v1/articles/${slug}`));
    expect(data.slug).toBe('popular-2');
  });

  it('refuses an explicit slug that is taken, leaving nothing behind', async () => {
    const wanted = uniqueSlug('taken');
    await create('第一篇', nowDate(), { slug: wanted });
    const before = await env.DB.prepare('select count(*) as n from articles').first<{
      n: number;
    }>();
    await expect(
      create('第二篇', nowDate(), {
        slug: wanted,
        tags: [{ slug: uniqueSlug('tag'), name: '标签' }],
      }),
    ).rejects.toThrow(WriteConflictError);
    const after = await env.DB.prepare('select count(*) as n from articles').first<{ n: number }>();
    expect(after!.n).toBe(before!.n);
  });
});

describe('createArticle and createChannel input checks', () => {
  it('refuses a published article without a publish date', async () => {
    const channel = await seedChannel(testDb());
    await expect(
      createArticle(
        testDb(),
        { channelSlug: channel.slug, title: 't', body: '', status: 'published' },
        { timeZone },
      ),
    ).rejects.toThrow(/publishedAt/);
  });

  it('refuses an unknown channel with a clear error', async () => {
    await expect(
      createArticle(
        testDb(),
        {
          channelSlug: 'no-such-channel',
          title: 't',
          body: '',
          status: 'published',
          publishedAt: nowDate(),
        },
        { timeZone },
      ),
    ).rejects.toThrow(/unknown channel: no-such-channel/);
  });

  it('refuses an invalid channel slug and an unknown parent, creating nothing', async () => {
    const db = testDb();
    await expect(createChannel(db, { slug: 'Not Valid', name: 'x' })).rejects.toThrow(RangeError);
    const slug = uniqueSlug('orphan');
    await expect(createChannel(db, { slug, name: 'x', parentSlug: 'missing' })).rejects.toThrow(
      /unknown parent/,
    );
    await expect(get(`/api/v1/channels/${slug}`)).resolves.toHaveProperty('status', 404);
  });

  it('shares a tag between articles and keeps each article’s tag order', async () => {
    const db = testDb();
    const a = { slug: uniqueSlug('tag'), name: '甲' };
    const b = { slug: uniqueSlug('tag'), name: '乙' };
    const {
      articles: [first, second],
    } = await seedArticlesInNewChannel([{ tags: [a, b] }, { tags: [b, a] }]);
    const now = nowDate();
    const one = await findArticle(db, { id: first.id }, now);
    const two = await findArticle(db, { id: second.id }, now);
    expect(one.state === 'published' && one.article.tags).toEqual([a, b]);
    expect(two.state === 'published' && two.article.tags).toEqual([b, a]);
    const count = await env.DB.prepare('select count(*) as n from tags where slug in (?, ?)')
      .bind(a.slug, b.slug)
      .first<{ n: number }>();
    expect(count!.n).toBe(2);
  });
});

describe('setArticleStatus', () => {
  it('publishes a draft and archives it again, as the API sees it', async () => {
    const db = testDb();
    const draft = await seedArticleInNewChannel({ status: 'draft', publishedAt: null });
    expect((await get(`/api/v1/articles/${draft.id}`)).status).toBe(404);
    expect(await setArticleStatus(db, draft.id, 'published', new Date(clockNow() - 1000))).toBe(
      true,
    );
    expect((await get(`/api/v1/articles/${draft.id}`)).status).toBe(200);
    expect(await setArticleStatus(db, draft.id, 'archived')).toBe(true);
    expect((await get(`/api/v1/articles/${draft.id}`)).status).toBe(404);
    expect(await setArticleStatus(db, 987654321, 'archived')).toBe(false);
  });
});
