import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import fixture from '../../../shared/fixtures/article-zh-municipal-news.json';
import { now } from '../../src/lib/clock';
import {
  admin,
  expectProblem,
  get,
  issueToken,
  json,
  seedChannel,
  testDb,
  uniqueSlug,
  clockAt,
} from '../helpers';

const restores: (() => void)[] = [];
afterEach(() => restores.splice(0).forEach((r) => r()));

async function counts() {
  const row = await env.DB.prepare(
    `select (select count(*) from articles) a, (select count(*) from article_revisions) r,
      (select count(*) from audit_log where outcome = 'ok') l, (select count(*) from tags) t,
      (select count(*) from article_tags) at, (select count(*) from attachments) f,
      (select coalesce(sum(version), 0) from articles) v`,
  ).first();
  return row;
}

async function setup() {
  const channel = await seedChannel(testDb(), { name: '盘锦要闻' });
  const editor = await issueToken('editor', { name: uniqueSlug('editor') });
  return { channel, editor };
}

async function createDraft(token: string, channel: string, extra: object = {}) {
  const res = await admin('/articles', {
    token,
    json: { title: `草稿 ${uniqueSlug()}`, body: '<p>正文</p>', channel, ...extra },
  });
  expect(res.status).toBe(201);
  return { res, article: (await json(res)).data, etag: res.headers.get('ETag')! };
}

describe('POST /api/v1/admin/articles', () => {
  it('creates a draft and answers 201 with Location, ETag and the admin view', async () => {
    const { channel, editor } = await setup();
    const { res, article, etag } = await createDraft(editor, channel.slug, {
      tags: ['防汛', '民生'],
      author: '记者 王明',
      attachments: [{ name: '通知.pdf', url: 'https://files.example/n.pdf', size: 1200 }],
    });
    expect(res.headers.get('Location')).toBe(`/api/v1/admin/articles/${article.id}`);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-D1-Bookmark')).toBeTruthy();
    expect(etag).toBe(`"a${article.id}-v1"`);
    expect(article).toMatchObject({
      status: 'draft',
      version: 1,
      publishedAt: null,
      channel: { slug: channel.slug },
      tags: [{ name: '防汛' }, { name: '民生' }],
      author: '记者 王明',
      attachments: [{ name: '通知.pdf', size: 1200, contentType: null }],
      summary: '正文',
    });
    // A draft is not public.
    expect((await get(`/api/v1/articles/${article.id}`)).status).toBe(404);
    const read = await admin(`/articles/${article.id}`, { token: editor });
    expect(read.headers.get('ETag')).toBe(etag);
    expect((await json(read)).data).toEqual(article);
  });

  it('sanitizes the body on write and derives the slug from the title', async () => {
    const { channel, editor } = await setup();
    const { article } = await createDraft(editor, channel.slug, {
      title: 'Flood Season Notice',
      body: '<p onclick="x()">a</p><script>alert(1)</script>',
    });
    expect(article.body).toBe('<p>a</p>');
    expect(article.slug).toMatch(/^flood-season-notice/);
  });

  describe('with the fixture in the past (it was published on 2021-09-30)', () => {
    clockAt('2021-10-08T12:00:00+08:00');

    it('creates the shared fixture, which the public API then returns unchanged', async () => {
      const db = testDb();
      const parent = await seedChannel(db, { name: fixture.channelPath[1]! });
      const channel = await seedChannel(db, {
        name: fixture.channelPath[2]!,
        parentSlug: parent.slug,
      });
      const token = await issueToken('editor');
      const body = fixture.paragraphs.map((p) => `<p>${p}</p>`).join('');
      const created = await admin('/articles', {
        token,
        json: {
          title: fixture.title,
          body,
          channel: channel.slug,
          source: fixture.source,
          lang: fixture.language,
          publishedAt: '2021-09-30T12:00:00+08:00',
          views: fixture.viewsShownOnOriginalPage,
        },
      });
      expect(created.status).toBe(201);
      const { data } = await json(created);
      const published = await admin(`/articles/${data.id}/publish`, { token, method: 'POST' });
      expect(published.status).toBe(200);
      expect((await json(published)).data).toMatchObject({
        status: 'published',
        publishedAt: '2021-09-30T12:00:00+08:00',
      });

      const res = await get(`/api/v1/articles/${data.id}`);
      expect(res.status).toBe(200);
      const pub = (await json(res)).data;
      expect(pub).toMatchObject({
        title: fixture.title,
        body,
        source: fixture.source,
        lang: fixture.language,
        views: 712,
        publishedAt: '2021-09-30T12:00:00+08:00',
        channel: { slug: channel.slug, name: fixture.channelPath[2] },
      });
      expect(pub.breadcrumb.map((b: { name: string }) => b.name)).toEqual(fixture.channelPath);
    });
  });
});

describe('bad input to POST /api/v1/admin/articles (nothing is written)', () => {
  it('answers 422 listing every field error, unknown fields included', async () => {
    const { editor } = await setup();
    const before = await counts();
    const res = await admin('/articles', {
      token: editor,
      json: { title: '', body: 5, channel: 'Not A Slug', colour: 'red', publishedAt: 'yesterday' },
    });
    const problem = await expectProblem(res, 422, 'unprocessable');
    expect(problem.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(
      ['body', 'channel', 'colour', 'publishedAt', 'title'].sort(),
    );
    expect(await counts()).toEqual(before);
  });

  it('answers 422 for an unknown channel', async () => {
    const { editor } = await setup();
    const before = await counts();
    const res = await admin('/articles', {
      token: editor,
      json: { title: '无栏目', body: '<p>x</p>', channel: 'no-such-channel', tags: ['新标签x'] },
    });
    const problem = await expectProblem(res, 422, 'unprocessable');
    expect(problem.invalidParams[0].name).toBe('channel');
    expect(await counts()).toEqual(before);
  });

  it('answers 409 for a slug already taken', async () => {
    const { channel, editor } = await setup();
    const slug = uniqueSlug('taken');
    await createDraft(editor, channel.slug, { slug });
    const before = await counts();
    const res = await admin('/articles', {
      token: editor,
      json: { title: 'dup', body: '<p>x</p>', channel: channel.slug, slug, tags: ['另一个'] },
    });
    await expectProblem(res, 409, 'conflict');
    expect(await counts()).toEqual(before);
  });

  it('answers 413 for a body over 1 MB', async () => {
    const { channel, editor } = await setup();
    const before = await counts();
    const res = await admin('/articles', {
      token: editor,
      json: { title: 'big', body: `<p>${'x'.repeat(1024 * 1024)}</p>`, channel: channel.slug },
    });
    await expectProblem(res, 413, 'payload_too_large');
    expect(await counts()).toEqual(before);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const { channel, editor } = await setup();
    const before = await counts();
    const res = await admin('/articles', {
      token: editor,
      body: `title=x&body=y&channel=${channel.slug}`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    await expectProblem(res, 415, 'unsupported_media_type');
    expect(await counts()).toEqual(before);
  });

  it('answers 401 without a token and 403 for a reader-preview token', async () => {
    const { channel } = await setup();
    const before = await counts();
    const payload = { title: 'x', body: '<p>x</p>', channel: channel.slug };
    const res = await admin('/articles', { json: payload });
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    await expectProblem(res, 401, 'unauthorized');
    const reviewer = await issueToken('reader-preview');
    await expectProblem(
      await admin('/articles', { token: reviewer, json: payload }),
      403,
      'forbidden',
    );
    expect(await counts()).toEqual(before);
  });
});

describe('PATCH /api/v1/admin/articles/:id', () => {
  it('changes the given fields only, bumps the version and answers the new ETag', async () => {
    const { channel, editor } = await setup();
    const { article, etag } = await createDraft(editor, channel.slug, { subtitle: '副题' });
    const res = await admin(`/articles/${article.id}`, {
      token: editor,
      method: 'PATCH',
      json: { title: '新标题', subtitle: null, tags: ['改'] },
      headers: { 'If-Match': etag, 'Content-Type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data).toMatchObject({ title: '新标题', subtitle: '', version: 2, body: '<p>正文</p>' });
    expect(data.tags.map((t: { name: string }) => t.name)).toEqual(['改']);
    expect(res.headers.get('ETag')).toBe(`"a${article.id}-v2"`);
  });

  it('answers 428 without If-Match and 412 with a stale one, carrying the current version', async () => {
    const { channel, editor } = await setup();
    const { article, etag } = await createDraft(editor, channel.slug);
    const before = await counts();
    await expectProblem(
      await admin(`/articles/${article.id}`, {
        token: editor,
        method: 'PATCH',
        json: { title: 'a' },
      }),
      428,
      'precondition_required',
    );
    expect(await counts()).toEqual(before);

    const first = await admin(`/articles/${article.id}`, {
      token: editor,
      method: 'PATCH',
      json: { title: 'first editor' },
      headers: { 'If-Match': etag },
    });
    expect(first.status).toBe(200);
    const afterFirst = await counts();
    const second = await admin(`/articles/${article.id}`, {
      token: editor,
      method: 'PATCH',
      json: { title: 'second editor' },
      headers: { 'If-Match': etag },
    });
    const problem = await expectProblem(second, 412, 'precondition_failed');
    expect(problem.currentVersion).toBe(2);
    expect(problem.currentEtag).toBe(`"a${article.id}-v2"`);
    expect(await counts()).toEqual(afterFirst);
    const read = await json(await admin(`/articles/${article.id}`, { token: editor }));
    expect(read.data.title).toBe('first editor');
  });

  it('lets only one of two concurrent writers with the same If-Match win', async () => {
    const { channel, editor } = await setup();
    const { article, etag } = await createDraft(editor, channel.slug);
    const results = await Promise.all(
      ['甲', '乙', '丙'].map((title) =>
        admin(`/articles/${article.id}`, {
          token: editor,
          method: 'PATCH',
          json: { title },
          headers: { 'If-Match': etag },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412]);
    const read = await json(await admin(`/articles/${article.id}`, { token: editor }));
    expect(read.data.version).toBe(2);
    const revisions = await json(
      await admin(`/articles/${article.id}/revisions`, { token: editor }),
    );
    expect(revisions.data).toHaveLength(2);
  });

  it('answers 422 for unknown fields and bad values, writing nothing', async () => {
    const { channel, editor } = await setup();
    const { article, etag } = await createDraft(editor, channel.slug);
    const before = await counts();
    const res = await admin(`/articles/${article.id}`, {
      token: editor,
      method: 'PATCH',
      json: { status: 'published', coverImageUrl: 'javascript:alert(1)', views: -1 },
      headers: { 'If-Match': etag },
    });
    const problem = await expectProblem(res, 422, 'unprocessable');
    expect(problem.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(
      ['coverImageUrl', 'status', 'views'].sort(),
    );
    expect(await counts()).toEqual(before);
  });

  it('answers 404 for an unknown article', async () => {
    const { editor } = await setup();
    await expectProblem(
      await admin('/articles/987654321', {
        token: editor,
        method: 'PATCH',
        json: { title: 'x' },
        headers: { 'If-Match': '"a987654321-v1"' },
      }),
      404,
      'not_found',
    );
    await expectProblem(await admin('/articles/987654321', { token: editor }), 404, 'not_found');
  });

  it('sets a legacy view count that the public API shows', async () => {
    const { channel, editor } = await setup();
    const { article, etag } = await createDraft(editor, channel.slug);
    const res = await admin(`/articles/${article.id}`, {
      token: editor,
      method: 'PATCH',
      json: { views: 712 },
      headers: { 'If-Match': etag },
    });
    expect((await json(res)).data.views).toBe(712);
    await admin(`/articles/${article.id}/publish`, { token: editor, method: 'POST' });
    expect((await json(await get(`/api/v1/articles/${article.id}`))).data.views).toBe(712);
  });
});

describe('article status transitions', () => {
  it('publish makes it public; unpublish hides it; archive and delete answer 410', async () => {
    const { channel, editor } = await setup();
    const { article } = await createDraft(editor, channel.slug);
    const published = await admin(`/articles/${article.id}/publish`, {
      token: editor,
      method: 'POST',
    });
    expect(published.status).toBe(200);
    const data = (await json(published)).data;
    expect(data.status).toBe('published');
    expect(new Date(data.publishedAt).getTime()).toBeLessThanOrEqual(now());
    expect((await get(`/api/v1/articles/${article.id}`)).status).toBe(200);
    expect((await get(`/articles/${article.id}/${data.slug}`)).status).toBe(200);

    await admin(`/articles/${article.id}/unpublish`, { token: editor, method: 'POST' });
    expect((await get(`/api/v1/articles/${article.id}`)).status).toBe(404);

    await admin(`/articles/${article.id}/publish`, { token: editor, method: 'POST' });
    const archived = await admin(`/articles/${article.id}/archive`, {
      token: editor,
      method: 'POST',
    });
    expect((await json(archived)).data.status).toBe('archived');
    expect((await get(`/articles/${article.id}/${data.slug}`)).status).toBe(410);

    const deleted = await admin(`/articles/${article.id}`, { token: editor, method: 'DELETE' });
    expect((await json(deleted)).data.status).toBe('deleted');
    expect((await get(`/articles/${article.id}/${data.slug}`)).status).toBe(410);
    // A deleted article is still there for the admin API, and cannot be edited.
    expect(
      (await json(await admin(`/articles/${article.id}`, { token: editor }))).data.status,
    ).toBe('deleted');
    await expectProblem(
      await admin(`/articles/${article.id}/publish`, { token: editor, method: 'POST' }),
      409,
      'conflict',
    );
  });

  it('publish with a future publishedAt schedules it, and it stays hidden until then', async () => {
    const { channel, editor } = await setup();
    const { article } = await createDraft(editor, channel.slug);
    // Whole seconds: the API shows instants to the second, in the site's zone.
    const at = new Date(Math.floor(now() / 1000) * 1000 + 3_600_000).toISOString();
    const res = await admin(`/articles/${article.id}/publish`, {
      token: editor,
      json: { publishedAt: at },
    });
    const data = (await json(res)).data;
    expect(data.status).toBe('scheduled');
    expect(new Date(data.publishedAt).toISOString()).toBe(at);
    expect((await get(`/api/v1/articles/${article.id}`)).status).toBe(404);
    const listed = await json(
      await admin(`/articles?status=scheduled&channel=${channel.slug}`, { token: editor }),
    );
    expect(listed.data.map((a: { id: number }) => a.id)).toEqual([article.id]);
  });

  it('answers 412 for a transition with a stale If-Match', async () => {
    const { channel, editor } = await setup();
    const { article } = await createDraft(editor, channel.slug);
    const before = await counts();
    await expectProblem(
      await admin(`/articles/${article.id}/publish`, {
        token: editor,
        method: 'POST',
        headers: { 'If-Match': `"a${article.id}-v9"` },
      }),
      412,
      'precondition_failed',
    );
    expect(await counts()).toEqual(before);
  });

  it('purges an article for good for an admin only', async () => {
    const { channel, editor } = await setup();
    const { article } = await createDraft(editor, channel.slug, { tags: ['清除'] });
    await expectProblem(
      await admin(`/articles/${article.id}?purge=true`, { token: editor, method: 'DELETE' }),
      403,
      'forbidden',
    );
    const root = await issueToken('admin');
    const res = await admin(`/articles/${article.id}?purge=true`, {
      token: root,
      method: 'DELETE',
    });
    expect(res.status).toBe(204);
    await expectProblem(await admin(`/articles/${article.id}`, { token: root }), 404, 'not_found');
    const revisions = await env.DB.prepare(
      'select count(*) n from article_revisions where article_id = ?',
    )
      .bind(article.id)
      .first<{ n: number }>();
    expect(revisions!.n).toBe(0);
  });
});

describe('GET /api/v1/admin/articles', () => {
  it('lists every status with filters and cursor pagination, for reader-preview too', async () => {
    const { channel, editor } = await setup();
    const author = uniqueSlug('author');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await createDraft(editor, channel.slug, { author })).article.id);
    }
    await admin(`/articles/${ids[0]}/publish`, { token: editor, method: 'POST' });
    const reviewer = await issueToken('reader-preview');
    const first = await admin(`/articles?author=${author}&limit=2`, { token: reviewer });
    expect(first.status).toBe(200);
    const page1 = await json(first);
    expect(page1.data.map((a: { id: number }) => a.id)).toEqual([ids[0], ids[2]]);
    const page2 = await json(
      await admin(`/articles?author=${author}&limit=2&cursor=${page1.meta.nextCursor}`, {
        token: reviewer,
      }),
    );
    expect(page2.data.map((a: { id: number }) => a.id)).toEqual([ids[1]]);
    expect(page2.meta.nextCursor).toBeNull();
    const drafts = await json(
      await admin(`/articles?author=${author}&status=draft`, { token: reviewer }),
    );
    expect(drafts.data.map((a: { id: number }) => a.id)).toEqual([ids[2], ids[1]]);
    const since = await json(
      await admin(
        `/articles?author=${author}&updatedSince=${encodeURIComponent(new Date(now() + 60_000).toISOString())}`,
        { token: reviewer },
      ),
    );
    expect(since.data).toEqual([]);
    await expectProblem(
      await admin(`/articles?author=${author}&status=bogus`, { token: reviewer }),
      400,
      'invalid_parameter',
    );
    await expectProblem(
      await admin(`/articles?status=draft&cursor=${page1.meta.nextCursor}`, { token: reviewer }),
      400,
      'invalid_parameter',
    );
  });

  it('searches titles and sorts by publication or views, paginating in that order', async () => {
    const { channel, editor } = await setup();
    const author = uniqueSlug('author');
    const make = async (title: string, views: number) =>
      (await createDraft(editor, channel.slug, { author, title, views })).article.id;
    const port = await make('盘锦港集装箱吞吐量创新高', 5);
    const heat = await make('关于做好冬季供暖工作的通知', 100);
    const report = await make('Panjin PORT annual report', 50);
    const at = (hoursAgo: number) => new Date(now() - hoursAgo * 3_600_000).toISOString();
    for (const [id, hoursAgo] of [
      [port, 1],
      [report, 5],
    ] as const) {
      const res = await admin(`/articles/${id}/publish`, {
        token: editor,
        method: 'POST',
        json: { publishedAt: at(hoursAgo) },
      });
      expect(res.status).toBe(200);
    }
    const ids = async (query: string) =>
      (
        (await json(await admin(`/articles?author=${author}&${query}`, { token: editor })))
          .data as {
          id: number;
        }[]
      ).map((a) => a.id);

    expect(await ids(`q=${encodeURIComponent('吞吐量')}`)).toEqual([port]);
    expect(await ids('q=port')).toEqual([report]);
    expect(await ids(`q=${encodeURIComponent('没有这篇')}`)).toEqual([]);
    expect(await ids('sort=views')).toEqual([heat, report, port]);
    // The draft has no publication time and comes last.
    expect(await ids('sort=published')).toEqual([port, report, heat]);

    const first = await json(
      await admin(`/articles?author=${author}&sort=views&limit=2`, { token: editor }),
    );
    expect(first.data.map((a: { id: number }) => a.id)).toEqual([heat, report]);
    const second = await json(
      await admin(`/articles?author=${author}&sort=views&limit=2&cursor=${first.meta.nextCursor}`, {
        token: editor,
      }),
    );
    expect(second.data.map((a: { id: number }) => a.id)).toEqual([port]);
    // A cursor belongs to its sort order.
    await expectProblem(
      await admin(`/articles?author=${author}&sort=published&cursor=${first.meta.nextCursor}`, {
        token: editor,
      }),
      400,
      'invalid_parameter',
    );
    await expectProblem(
      await admin(`/articles?sort=oldest`, { token: editor }),
      400,
      'invalid_parameter',
    );
  });
});
