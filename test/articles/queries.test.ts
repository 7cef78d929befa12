import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { findArticle, listPublishedArticles } from '../../src/articles/queries';
import { seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';
import { now as clockNow, nowDate } from '../../src/lib/clock';

const minute = 60_000;
const day = 86_400_000;

async function seedChain() {
  const db = testDb();
  const a = await seedChannel(db, { name: '一级' });
  const b = await seedChannel(db, { name: '二级', parentSlug: a.slug });
  const c = await seedChannel(db, { name: '三级', parentSlug: b.slug });
  return { db, a, b, c };
}

describe('findArticle(db, key, now)', () => {
  it('returns a published article with breadcrumb root first, tags, attachments and document', async () => {
    const { db, a, b, c } = await seedChain();
    const tags = [
      { slug: uniqueSlug('tag'), name: '二' },
      { slug: uniqueSlug('tag'), name: '一' },
    ];
    const created = await seedArticle(db, {
      channelSlug: c.slug,
      tags,
      attachments: [
        {
          name: '甲.pdf',
          url: 'https://example.com/a.pdf',
          size: 1,
          contentType: 'application/pdf',
        },
        { name: '乙.xls', url: 'https://example.com/b.xls', size: 2, contentType: null },
        {
          name: '丙.zip',
          url: 'https://example.com/c.zip',
          size: null,
          contentType: 'application/zip',
        },
      ],
      document: { documentNumber: '盘政办发〔2021〕3号' },
    });
    const found = await findArticle(db, { id: created.id }, nowDate());
    expect(found.state).toBe('published');
    if (found.state !== 'published') return;
    const article = found.article;
    expect(article.breadcrumb).toEqual([
      { id: a.id, slug: a.slug, name: '一级' },
      { id: b.id, slug: b.slug, name: '二级' },
      { id: c.id, slug: c.slug, name: '三级' },
    ]);
    expect(article.channel).toEqual({ id: c.id, slug: c.slug, name: '三级' });
    expect(article.tags).toEqual(tags);
    expect(article.attachments.map((x) => x.name)).toEqual(['甲.pdf', '乙.xls', '丙.zip']);
    expect(article.attachments[1]).toEqual({
      name: '乙.xls',
      url: 'https://example.com/b.xls',
      size: 2,
      contentType: null,
      mediaId: null,
    });
    expect(article.document).toEqual({
      indexNumber: null,
      documentNumber: '盘政办发〔2021〕3号',
      dateWritten: null,
      issuingBody: null,
    });
    expect(article.publishedAt).toBeInstanceOf(Date);
    expect(article.prev).toBeNull();
    expect(article.next).toBeNull();
  });

  it('finds by slug exactly as by id', async () => {
    const { db, c } = await seedChain();
    const created = await seedArticle(db, { channelSlug: c.slug });
    const now = nowDate();
    expect(await findArticle(db, { slug: created.slug }, now)).toEqual(
      await findArticle(db, { id: created.id }, now),
    );
  });

  it('reports an archived article as withdrawn, with only its id, slug and title', async () => {
    const { db, c } = await seedChain();
    const created = await seedArticle(db, {
      channelSlug: c.slug,
      status: 'archived',
      title: '撤稿',
    });
    expect(await findArticle(db, { id: created.id }, nowDate())).toEqual({
      state: 'withdrawn',
      id: created.id,
      slug: created.slug,
      title: '撤稿',
    });
  });

  it('reports drafts, unknown keys and not-yet-published articles as missing', async () => {
    const { db, c } = await seedChain();
    const draft = await seedArticle(db, {
      channelSlug: c.slug,
      status: 'draft',
      publishedAt: null,
    });
    const at = new Date(clockNow() + day);
    const scheduled = await seedArticle(db, { channelSlug: c.slug, publishedAt: at });
    const now = nowDate();
    expect(await findArticle(db, { id: draft.id }, now)).toEqual({ state: 'missing' });
    expect(await findArticle(db, { id: 987654321 }, now)).toEqual({ state: 'missing' });
    expect(await findArticle(db, { slug: 'never-created' }, now)).toEqual({ state: 'missing' });
    expect(await findArticle(db, { id: scheduled.id }, now)).toEqual({ state: 'missing' });
    // At its publish instant it becomes visible: "now" is a parameter, not the clock.
    expect((await findArticle(db, { id: scheduled.id }, at)).state).toBe('published');
  });

  it('picks prev (上一篇) and next (下一篇) within the channel by publish time, ties by id', async () => {
    const { db, b, c } = await seedChain();
    const t = clockNow() - 5 * day;
    const p1 = await seedArticle(db, {
      channelSlug: c.slug,
      publishedAt: new Date(t - 2 * minute),
    });
    const tieA = await seedArticle(db, { channelSlug: c.slug, publishedAt: new Date(t) });
    const tieB = await seedArticle(db, { channelSlug: c.slug, publishedAt: new Date(t) });
    const n1 = await seedArticle(db, {
      channelSlug: c.slug,
      publishedAt: new Date(t + 2 * minute),
    });
    // Closer in time, but elsewhere (parent channel) or hidden: never a neighbour.
    await seedArticle(db, { channelSlug: b.slug, publishedAt: new Date(t - minute) });
    await seedArticle(db, {
      channelSlug: c.slug,
      status: 'draft',
      publishedAt: new Date(t + minute),
    });
    await seedArticle(db, {
      channelSlug: c.slug,
      status: 'archived',
      publishedAt: new Date(t - minute),
    });
    const now = nowDate();
    const neighbours = async (id: number) => {
      const found = await findArticle(db, { id }, now);
      if (found.state !== 'published') throw new Error('not published');
      return [found.article.prev?.id ?? null, found.article.next?.id ?? null];
    };
    expect(await neighbours(p1.id)).toEqual([null, tieA.id]);
    expect(await neighbours(tieA.id)).toEqual([p1.id, tieB.id]);
    expect(await neighbours(tieB.id)).toEqual([tieA.id, n1.id]);
    expect(await neighbours(n1.id)).toEqual([tieB.id, null]);

    const found = await findArticle(db, { slug: tieA.slug }, now);
    expect(found.state === 'published' && found.article.prev).toMatchObject({
      id: p1.id,
      slug: p1.slug,
      publishedAt: new Date(t - 2 * minute),
    });
  });
});

describe('listPublishedArticles(db, options)', () => {
  it('applies publishedFrom inclusively and publishedBefore exclusively', async () => {
    const { db, c } = await seedChain();
    const t = clockNow() - 3 * day;
    const at = (ms: number) => seedArticle(db, { channelSlug: c.slug, publishedAt: new Date(ms) });
    const lower = await at(t);
    const inside = await at(t + minute);
    await at(t + 2 * minute);
    await at(t - 1);
    const page = await listPublishedArticles(db, {
      now: nowDate(),
      channelSlug: c.slug,
      publishedFrom: new Date(t),
      publishedBefore: new Date(t + 2 * minute),
      sort: 'latest',
      limit: 10,
    });
    expect(page.items.map((a) => a.id)).toEqual([inside.id, lower.id]);
    expect(page.next).toBeNull();
    expect(page.channelFound).toBe(true);
  });

  it('returns the keyset position of the last item when more rows exist', async () => {
    const { db, c } = await seedChain();
    const t = clockNow() - day;
    const newer = await seedArticle(db, { channelSlug: c.slug, publishedAt: new Date(t) });
    const older = await seedArticle(db, {
      channelSlug: c.slug,
      publishedAt: new Date(t - minute),
      viewBase: 9,
    });
    const base = { now: nowDate(), channelSlug: c.slug, limit: 1 } as const;
    const first = await listPublishedArticles(db, { ...base, sort: 'latest' });
    expect(first.items.map((a) => a.id)).toEqual([newer.id]);
    expect(first.next).toEqual([t, newer.id]);
    const second = await listPublishedArticles(db, { ...base, sort: 'latest', after: first.next! });
    expect(second.items.map((a) => a.id)).toEqual([older.id]);
    expect(second.next).toBeNull();

    const popular = await listPublishedArticles(db, { ...base, sort: 'popular' });
    expect(popular.items.map((a) => a.id)).toEqual([older.id]);
    expect(popular.next).toEqual([9, older.id]);
  });

  it('reports an unknown channel as not found, and a known empty one as found', async () => {
    const { db, c } = await seedChain();
    const base = { now: nowDate(), sort: 'latest', limit: 5 } as const;
    expect(await listPublishedArticles(db, { ...base, channelSlug: 'nope-nope' })).toEqual({
      items: [],
      next: null,
      channelFound: false,
    });
    expect(await listPublishedArticles(db, { ...base, channelSlug: c.slug })).toEqual({
      items: [],
      next: null,
      channelFound: true,
    });
  });

  it('lists an article under its channel, each channel above it and the site, newest first', async () => {
    const { db, a, b, c } = await seedChain();
    const t = clockNow() - 2 * day;
    const deep = await seedArticle(db, { channelSlug: c.slug, publishedAt: new Date(t) });
    const middle = await seedArticle(db, {
      channelSlug: b.slug,
      publishedAt: new Date(t + minute),
    });
    const base = { now: nowDate(), sort: 'latest', limit: 5 } as const;
    const ids = async (channelSlug: string) =>
      (await listPublishedArticles(db, { ...base, channelSlug })).items.map((x) => x.id);
    expect(await ids(a.slug)).toEqual([middle.id, deep.id]);
    expect(await ids(b.slug)).toEqual([middle.id, deep.id]);
    expect(await ids(c.slug)).toEqual([deep.id]);
    const site = await listPublishedArticles(db, {
      ...base,
      limit: 100,
      publishedFrom: new Date(t),
      publishedBefore: new Date(t + minute + 1),
    });
    expect(site.items.map((x) => x.id).filter((id) => id === deep.id || id === middle.id)).toEqual([
      middle.id,
      deep.id,
    ]);
  });

  it('lists no article unpublished behind the commands, and still finds its channel', async () => {
    const { db, c } = await seedChain();
    const hidden = await seedArticle(db, { channelSlug: c.slug });
    await env.DB.prepare("update articles set status = 'draft' where id = ?").bind(hidden.id).run();
    const base = { now: nowDate(), sort: 'latest', limit: 5 } as const;
    expect(await listPublishedArticles(db, { ...base, channelSlug: c.slug })).toEqual({
      items: [],
      next: null,
      channelFound: true,
    });
    const site = await listPublishedArticles(db, { ...base, limit: 100 });
    expect(site.items.map((x) => x.id)).not.toContain(hidden.id);
  });

  it('returns summaries with the channel, tags and flushed views', async () => {
    const { db, c } = await seedChain();
    const tag = { slug: uniqueSlug('tag'), name: '标签' };
    const created = await seedArticle(db, { channelSlug: c.slug, tags: [tag], viewBase: 3 });
    const page = await listPublishedArticles(db, {
      now: nowDate(),
      ids: [created.id],
      sort: 'latest',
      limit: 5,
    });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      id: created.id,
      channel: { id: c.id, slug: c.slug, name: '三级' },
      tags: [tag],
      views: 3,
    });
    expect(page.items[0]).not.toHaveProperty('body');
  });
});
