import { describe, expect, it } from 'vitest';
import {
  expectProblem,
  get,
  json,
  seedArticle,
  seedChannel,
  testDb,
  uniqueSlug,
  clockAt,
} from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const minute = 60_000;
const day = 86_400_000;
type Summary = { id: number; [key: string]: any };
const ids = (body: { data: Summary[] }) => body.data.map((a) => a.id);

/** A channel tree of its own: root > child > grandchild, plus an unrelated sibling root. */
async function seedTree() {
  const db = testDb();
  const root = await seedChannel(db, { name: '要闻动态' });
  const child = await seedChannel(db, { name: '盘锦要闻', parentSlug: root.slug });
  const grandchild = await seedChannel(db, { name: '区县动态', parentSlug: child.slug });
  const other = await seedChannel(db, { name: '政务公开' });
  return { db, root, child, grandchild, other };
}

describe('GET /api/v1/articles', () => {
  it('returns published summaries newest first with meta and JSON headers', async () => {
    const { db, child } = await seedTree();
    const older = await seedArticle(db, {
      channelSlug: child.slug,
      title: '较早的文章',
      publishedAt: new Date(clockNow() - 2 * minute),
    });
    const newer = await seedArticle(db, {
      channelSlug: child.slug,
      title: '较新的文章',
      subtitle: '副标题',
      summary: '摘要',
      source: '盘锦日报',
      author: '记者',
      coverImageUrl: 'https://example.com/cover.jpg',
      tags: [{ slug: uniqueSlug('tag'), name: '经济' }],
      publishedAt: new Date(clockNow() - minute),
    });
    const res = await get(`/api/v1/articles?channel=${child.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    const body = await json(res);
    expect(ids(body)).toEqual([newer.id, older.id]);
    expect(body.meta).toEqual({ nextCursor: null, limit: 20 });
    expect(res.headers.get('Link')).toBeNull();
    const first = body.data[0];
    expect(Object.keys(first).sort()).toEqual(
      [
        'author',
        'channel',
        'coverImageUrl',
        'id',
        'lang',
        'publishedAt',
        'slug',
        'source',
        'subtitle',
        'summary',
        'tags',
        'title',
        'updatedAt',
        'url',
        'views',
      ].sort(),
    );
    expect(first).toMatchObject({
      id: newer.id,
      slug: newer.slug,
      title: '较新的文章',
      subtitle: '副标题',
      summary: '摘要',
      source: '盘锦日报',
      author: '记者',
      coverImageUrl: 'https://example.com/cover.jpg',
      lang: 'zh-CN',
      channel: { slug: child.slug, name: '盘锦要闻', id: child.id },
      tags: [{ name: '经济' }],
      views: 0,
      url: `http://gazette.test/articles/${newer.id}/${newer.slug}`,
    });
    expect(first.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(first).not.toHaveProperty('body');
  });

  it('hides drafts, archived and future-dated articles', async () => {
    const { db, child } = await seedTree();
    const visible = await seedArticle(db, { channelSlug: child.slug });
    await seedArticle(db, { channelSlug: child.slug, status: 'draft', publishedAt: null });
    await seedArticle(db, {
      channelSlug: child.slug,
      status: 'draft',
      publishedAt: new Date(clockNow() - day),
    });
    await seedArticle(db, { channelSlug: child.slug, status: 'archived' });
    await seedArticle(db, { channelSlug: child.slug, publishedAt: new Date(clockNow() + day) });
    const body = await json(await get(`/api/v1/articles?channel=${child.slug}`));
    expect(ids(body)).toEqual([visible.id]);
  });

  it('filters by channel including every descendant, and nothing else', async () => {
    const { db, root, child, grandchild, other } = await seedTree();
    const t = clockNow() - day;
    const inRoot = await seedArticle(db, { channelSlug: root.slug, publishedAt: new Date(t) });
    const inChild = await seedArticle(db, {
      channelSlug: child.slug,
      publishedAt: new Date(t - minute),
    });
    const inGrandchild = await seedArticle(db, {
      channelSlug: grandchild.slug,
      publishedAt: new Date(t - 2 * minute),
    });
    const inOther = await seedArticle(db, { channelSlug: other.slug, publishedAt: new Date(t) });

    expect(ids(await json(await get(`/api/v1/articles?channel=${root.slug}`)))).toEqual([
      inRoot.id,
      inChild.id,
      inGrandchild.id,
    ]);
    expect(ids(await json(await get(`/api/v1/articles?channel=${child.slug}`)))).toEqual([
      inChild.id,
      inGrandchild.id,
    ]);
    expect(ids(await json(await get(`/api/v1/articles?channel=${grandchild.slug}`)))).toEqual([
      inGrandchild.id,
    ]);
    expect(ids(await json(await get(`/api/v1/articles?channel=${other.slug}`)))).toEqual([
      inOther.id,
    ]);
  });

  it('returns an empty page for a channel with no articles', async () => {
    const { other } = await seedTree();
    const res = await get(`/api/v1/articles?channel=${other.slug}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ data: [], meta: { nextCursor: null, limit: 20 } });
  });

  it('answers 404 for an unknown channel', async () => {
    const res = await get('/api/v1/articles?channel=no-such-channel');
    const problem = await expectProblem(res, 404, 'not_found');
    expect(problem.detail).toContain('no-such-channel');
  });

  it('filters by tag', async () => {
    const { db, child } = await seedTree();
    const tag = { slug: uniqueSlug('tag'), name: '民生' };
    const otherTag = { slug: uniqueSlug('tag'), name: '经济' };
    const tagged = await seedArticle(db, { channelSlug: child.slug, tags: [tag, otherTag] });
    await seedArticle(db, { channelSlug: child.slug, tags: [otherTag] });
    await seedArticle(db, { channelSlug: child.slug });
    const body = await json(await get(`/api/v1/articles?tag=${tag.slug}`));
    expect(ids(body)).toEqual([tagged.id]);
    expect(body.data[0].tags).toEqual([tag, otherTag]);
  });

  it('returns an empty page for a tag nobody uses', async () => {
    const res = await get('/api/v1/articles?tag=never-used-tag');
    expect(res.status).toBe(200);
    expect((await json(res)).data).toEqual([]);
  });

  it('combines channel and tag filters', async () => {
    const { db, child, other } = await seedTree();
    const tag = { slug: uniqueSlug('tag'), name: '共同' };
    const both = await seedArticle(db, { channelSlug: child.slug, tags: [tag] });
    await seedArticle(db, { channelSlug: other.slug, tags: [tag] });
    const body = await json(await get(`/api/v1/articles?channel=${child.slug}&tag=${tag.slug}`));
    expect(ids(body)).toEqual([both.id]);
  });

  describe('publish-date range', () => {
    clockAt('2021-10-08T12:00:00+08:00');
    /** Articles around the Asia/Shanghai day 2021-09-30 (UTC+8). */
    async function seedAroundDay() {
      const { db, child } = await seedTree();
      const at = (iso: string) => new Date(iso);
      const before = await seedArticle(db, {
        channelSlug: child.slug,
        publishedAt: at('2021-09-29T23:59:59+08:00'),
      });
      const startOfDay = await seedArticle(db, {
        channelSlug: child.slug,
        publishedAt: at('2021-09-30T00:00:00+08:00'),
      });
      const morning = await seedArticle(db, {
        channelSlug: child.slug,
        publishedAt: at('2021-09-30T10:00:00+08:00'),
      });
      const endOfDay = await seedArticle(db, {
        channelSlug: child.slug,
        publishedAt: at('2021-09-30T23:59:59.999+08:00'),
      });
      const after = await seedArticle(db, {
        channelSlug: child.slug,
        publishedAt: at('2021-10-01T00:00:00+08:00'),
      });
      return { child, before, startOfDay, morning, endOfDay, after };
    }

    it('treats from and to days in the site time zone, both inclusive', async () => {
      const s = await seedAroundDay();
      const body = await json(
        await get(`/api/v1/articles?channel=${s.child.slug}&from=2021-09-30&to=2021-09-30`),
      );
      expect(ids(body)).toEqual([s.endOfDay.id, s.morning.id, s.startOfDay.id]);
    });

    it('accepts only a lower or only an upper bound', async () => {
      const s = await seedAroundDay();
      const from = await json(
        await get(`/api/v1/articles?channel=${s.child.slug}&from=2021-10-01`),
      );
      expect(ids(from)).toEqual([s.after.id]);
      const to = await json(await get(`/api/v1/articles?channel=${s.child.slug}&to=2021-09-29`));
      expect(ids(to)).toEqual([s.before.id]);
    });

    it('accepts RFC 3339 instants, the upper one inclusive', async () => {
      const s = await seedAroundDay();
      const from = encodeURIComponent('2021-09-30T02:00:00Z'); // 10:00 in Shanghai
      const to = encodeURIComponent('2021-09-30T23:59:59.999+08:00');
      const body = await json(
        await get(`/api/v1/articles?channel=${s.child.slug}&from=${from}&to=${to}`),
      );
      expect(ids(body)).toEqual([s.endOfDay.id, s.morning.id]);
    });

    it('reads an unencoded + in an offset (a space after decoding) as +', async () => {
      const s = await seedAroundDay();
      const body = await json(
        await get(
          `/api/v1/articles?channel=${s.child.slug}&from=2021-09-30T10:00:00+08:00&to=2021-09-30T10:00:00+08:00`,
        ),
      );
      expect(ids(body)).toEqual([s.morning.id]);
    });

    it('accepts the same instant as from and to', async () => {
      const s = await seedAroundDay();
      const instant = encodeURIComponent('2021-09-30T00:00:00+08:00');
      const body = await json(
        await get(`/api/v1/articles?channel=${s.child.slug}&from=${instant}&to=${instant}`),
      );
      expect(ids(body)).toEqual([s.startOfDay.id]);
    });

    it('accepts the widest days there are', async () => {
      const s = await seedAroundDay();
      const res = await get(
        `/api/v1/articles?channel=${s.child.slug}&from=1900-01-01&to=9999-12-31`,
      );
      expect(res.status).toBe(200);
      expect(ids(await json(res))).toHaveLength(5);
    });

    it('rejects from later than to, naming from', async () => {
      const res = await get('/api/v1/articles?from=2021-10-01&to=2021-09-30');
      const problem = await expectProblem(res, 400, 'invalid_parameter');
      expect(problem.invalidParams).toEqual([
        { name: 'from', in: 'query', reason: "must not be later than 'to'" },
      ]);
    });
  });

  describe('sort', () => {
    it('sort=popular orders by view count, then newest id', async () => {
      const { db, child } = await seedTree();
      const low = await seedArticle(db, { channelSlug: child.slug, viewBase: 5 });
      const high = await seedArticle(db, { channelSlug: child.slug, viewBase: 500 });
      const tieOld = await seedArticle(db, { channelSlug: child.slug, viewBase: 50 });
      const tieNew = await seedArticle(db, { channelSlug: child.slug, viewBase: 50 });
      const body = await json(await get(`/api/v1/articles?channel=${child.slug}&sort=popular`));
      expect(ids(body)).toEqual([high.id, tieNew.id, tieOld.id, low.id]);
      expect(body.data.map((a: Summary) => a.views)).toEqual([500, 50, 50, 5]);
    });

    it('sort=latest is the default', async () => {
      const { db, child } = await seedTree();
      const a = await seedArticle(db, {
        channelSlug: child.slug,
        viewBase: 100,
        publishedAt: new Date(clockNow() - 2 * day),
      });
      const b = await seedArticle(db, { channelSlug: child.slug, viewBase: 1 });
      const implicit = await json(await get(`/api/v1/articles?channel=${child.slug}`));
      const explicit = await json(await get(`/api/v1/articles?channel=${child.slug}&sort=latest`));
      expect(ids(implicit)).toEqual([b.id, a.id]);
      expect(ids(explicit)).toEqual([b.id, a.id]);
    });

    it('breaks publish-time ties by the newer id', async () => {
      const { db, child } = await seedTree();
      const at = new Date(clockNow() - day);
      const first = await seedArticle(db, { channelSlug: child.slug, publishedAt: at });
      const second = await seedArticle(db, { channelSlug: child.slug, publishedAt: at });
      expect(ids(await json(await get(`/api/v1/articles?channel=${child.slug}`)))).toEqual([
        second.id,
        first.id,
      ]);
    });
  });

  describe('limit', () => {
    it('defaults to 20 and accepts 1 to 100', async () => {
      const { db, child } = await seedTree();
      for (let i = 0; i < 22; i++) {
        await seedArticle(db, {
          channelSlug: child.slug,
          publishedAt: new Date(clockNow() - (i + 1) * minute),
        });
      }
      const byDefault = await json(await get(`/api/v1/articles?channel=${child.slug}`));
      expect(byDefault.data).toHaveLength(20);
      expect(byDefault.meta.limit).toBe(20);
      const one = await json(await get(`/api/v1/articles?channel=${child.slug}&limit=1`));
      expect(one.data).toHaveLength(1);
      const hundred = await json(await get(`/api/v1/articles?channel=${child.slug}&limit=100`));
      expect(hundred.data).toHaveLength(22);
      expect(hundred.meta).toEqual({ nextCursor: null, limit: 100 });
    });
  });
});
