import { describe, expect, it } from 'vitest';
import {
  expectProblem,
  get,
  json,
  seedArticle,
  seedArticleInNewChannel,
  seedArticlesInNewChannel,
  seedChannel,
  testDb,
  uniqueSlug,
} from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const minute = 60_000;
const day = 86_400_000;

async function seedStory() {
  const db = testDb();
  const root = await seedChannel(db, { name: '要闻动态' });
  const leaf = await seedChannel(db, { name: '盘锦要闻', parentSlug: root.slug });
  const other = await seedChannel(db, { name: '其他栏目' });
  const t = clockNow() - 10 * day;
  const older = await seedArticle(db, {
    channelSlug: leaf.slug,
    title: '上一篇文章',
    publishedAt: new Date(t - minute),
  });
  const tag1 = { slug: uniqueSlug('tag'), name: '党代会' };
  const tag2 = { slug: uniqueSlug('tag'), name: '盘锦' };
  const article = await seedArticle(db, {
    channelSlug: leaf.slug,
    title: '本篇文章',
    subtitle: '副标题',
    body: '<p>第一段</p><p>第二段</p>',
    source: '盘锦日报',
    author: '张三',
    publishedAt: new Date(t),
    viewBase: 712,
    tags: [tag2, tag1],
    attachments: [
      {
        name: '附件一.pdf',
        url: 'https://example.com/1.pdf',
        size: 1024,
        contentType: 'application/pdf',
      },
      { name: '附件二.docx', url: 'https://example.com/2.docx', size: null, contentType: null },
    ],
    document: {
      indexNumber: '11211100MB1234567X/2021-00123',
      documentNumber: '盘政发〔2021〕12号',
      dateWritten: '2021-09-28',
      issuingBody: '盘锦市人民政府',
    },
  });
  const newer = await seedArticle(db, {
    channelSlug: leaf.slug,
    title: '下一篇文章',
    publishedAt: new Date(t + minute),
  });
  // Neighbours in other channels, or hidden ones, must not be picked.
  await seedArticle(db, { channelSlug: other.slug, publishedAt: new Date(t - 1) });
  await seedArticle(db, { channelSlug: other.slug, publishedAt: new Date(t + 1) });
  await seedArticle(db, { channelSlug: root.slug, publishedAt: new Date(t + 2) });
  await seedArticle(db, {
    channelSlug: leaf.slug,
    status: 'draft',
    publishedAt: new Date(t + 3),
  });
  await seedArticle(db, {
    channelSlug: leaf.slug,
    status: 'archived',
    publishedAt: new Date(t - 3),
  });
  return { root, leaf, older, article, newer, tag1, tag2 };
}

describe('GET /api/v1/articles/:idOrSlug', () => {
  it('returns the full article by id with breadcrumb, tags, attachments, document and neighbours', async () => {
    const s = await seedStory();
    const res = await get(`/api/v1/articles/${s.article.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    const { data } = await json(res);
    expect(data).toMatchObject({
      id: s.article.id,
      slug: s.article.slug,
      title: '本篇文章',
      subtitle: '副标题',
      body: '<p>第一段</p><p>第二段</p>',
      summary: '第一段 第二段',
      source: '盘锦日报',
      author: '张三',
      coverImageUrl: null,
      lang: 'zh-CN',
      views: 712,
      visitors: 0,
      channel: { id: s.leaf.id, slug: s.leaf.slug, name: '盘锦要闻' },
      tags: [s.tag2, s.tag1],
      url: `http://gazette.test/articles/${s.article.id}/${s.article.slug}`,
      breadcrumb: [
        { name: '首页', slug: null, url: 'http://gazette.test/' },
        { name: '要闻动态', slug: s.root.slug, url: `http://gazette.test/channels/${s.root.slug}` },
        { name: '盘锦要闻', slug: s.leaf.slug, url: `http://gazette.test/channels/${s.leaf.slug}` },
      ],
      attachments: [
        {
          name: '附件一.pdf',
          url: 'https://example.com/1.pdf',
          size: 1024,
          contentType: 'application/pdf',
          mediaId: null,
          format: 'PDF',
          sizeText: '1 KB',
        },
        {
          name: '附件二.docx',
          url: 'https://example.com/2.docx',
          size: null,
          contentType: null,
          mediaId: null,
          format: 'DOCX',
          sizeText: null,
        },
      ],
      document: {
        indexNumber: '11211100MB1234567X/2021-00123',
        documentNumber: '盘政发〔2021〕12号',
        dateWritten: '2021-09-28',
        issuingBody: '盘锦市人民政府',
      },
      prev: {
        id: s.older.id,
        slug: s.older.slug,
        title: '上一篇文章',
        url: `http://gazette.test/articles/${s.older.id}/${s.older.slug}`,
      },
      next: { id: s.newer.id, slug: s.newer.slug, title: '下一篇文章' },
    });
    expect(data.publishedAt).toMatch(/\+08:00$/);
    expect(data.prev.publishedAt).toMatch(/\+08:00$/);
    expect(new Date(data.prev.publishedAt).getTime()).toBeLessThan(
      new Date(data.publishedAt).getTime(),
    );
  });

  it('returns the same article by slug', async () => {
    const s = await seedStory();
    const byId = await json(await get(`/api/v1/articles/${s.article.id}`));
    const bySlug = await json(await get(`/api/v1/articles/${s.article.slug}`));
    expect(bySlug).toEqual(byId);
  });

  it('has no prev for the oldest and no next for the newest in a channel', async () => {
    const s = await seedStory();
    const oldest = await json(await get(`/api/v1/articles/${s.older.id}`));
    expect(oldest.data.prev).toBeNull();
    expect(oldest.data.next.id).toBe(s.article.id);
    const newest = await json(await get(`/api/v1/articles/${s.newer.id}`));
    expect(newest.data.next).toBeNull();
    expect(newest.data.prev.id).toBe(s.article.id);
  });

  it('does not offer a scheduled article as next before it is published', async () => {
    const {
      articles: [now],
    } = await seedArticlesInNewChannel([{}, { publishedAt: new Date(clockNow() + day) }]);
    const { data } = await json(await get(`/api/v1/articles/${now.id}`));
    expect(data.next).toBeNull();
  });

  it('returns document null and empty lists for a plain article', async () => {
    const plain = await seedArticleInNewChannel({}, { name: '顶级栏目' });
    const { data } = await json(await get(`/api/v1/articles/${plain.id}`));
    expect(data.document).toBeNull();
    expect(data.tags).toEqual([]);
    expect(data.attachments).toEqual([]);
    expect(data.breadcrumb.map((c: { name: string }) => c.name)).toEqual(['首页', '顶级栏目']);
  });

  it.each([
    ['a draft', { status: 'draft' as const, publishedAt: null }],
    ['a draft with a past publish date', { status: 'draft' as const }],
    ['an archived article', { status: 'archived' as const }],
    ['a future-dated article', { publishedAt: new Date(clockNow() + minute) }],
  ])('answers 404 for %s, by id and by slug, like an unknown one', async (_label, input) => {
    const hidden = await seedArticleInNewChannel({ title: '不应泄露的标题', ...input });
    const unknown = await json(await get('/api/v1/articles/999999998'));
    for (const key of [hidden.id, hidden.slug]) {
      const problem = await expectProblem(await get(`/api/v1/articles/${key}`), 404, 'not_found');
      expect(problem.instance).toBe(`/api/v1/articles/${key}`);
      expect(JSON.stringify(problem)).not.toContain('不应泄露');
      expect({ ...problem, instance: '', requestId: '' }).toEqual({
        ...unknown,
        instance: '',
        requestId: '',
      });
    }
  });

  it.each(['999999999', 'no-such-article', '9007199254740991'])(
    'answers 404 for the unknown article %s',
    async (key) => {
      await expectProblem(await get(`/api/v1/articles/${key}`), 404, 'not_found');
    },
  );

  it.each([
    ['zero', '0'],
    ['a negative id', '-1'],
    ['a leading zero', '012'],
    ['an id beyond 16 digits', '12345678901234567'],
    ['upper case', 'Hello-World'],
    ['a double hyphen', 'a--b'],
    ['a trailing hyphen', 'abc-'],
    ['an underscore', 'a_b'],
    ['a dot', 'a.b'],
    ['Chinese text', encodeURIComponent('盘锦要闻')],
    ['an 81-character slug', 'a'.repeat(81)],
    ['SQL', encodeURIComponent("1' or '1'='1")],
    ['HTML', encodeURIComponent('<script>alert(1)</script>')],
    ['a NUL byte', 'a%00b'],
    ['a lone surrogate', '%ED%A0%80'],
    ['an RTL override', 'abc%E2%80%AEdef'],
    ['a space', 'a%20b'],
  ])('answers 400 naming idOrSlug for %s', async (_label, key) => {
    const res = await get(`/api/v1/articles/${key}`);
    const problem = await expectProblem(res, 400, 'invalid_parameter');
    expect(problem.invalidParams).toEqual([
      expect.objectContaining({ name: 'idOrSlug', in: 'path' }),
    ]);
  });

  it('answers 404 for a path below an article', async () => {
    await expectProblem(await get('/api/v1/articles/1/extra'), 404, 'route_not_found');
  });

  it('rejects query parameters, which it does not take, naming each', async () => {
    const s = await seedStory();
    const res = await get(`/api/v1/articles/${s.article.id}?fields=title&utm_source=x`);
    const problem = await expectProblem(res, 400, 'invalid_parameter');
    expect(problem.invalidParams).toEqual([
      { name: 'fields', in: 'query', reason: 'unknown parameter' },
      { name: 'utm_source', in: 'query', reason: 'unknown parameter' },
    ]);
  });
});
