import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import {
  listNewsArticles,
  listSitemapArticles,
  listSitemapChannels,
  listSitemapPages,
  loadFeed,
} from '../../src/feeds/queries';
import { seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';

const db = testDb();
const hour = 3_600_000;

describe('loadFeed', () => {
  it('returns the newest public articles of a channel subtree with bodies and tags', async () => {
    const parent = await seedChannel(db, { name: '父栏目' });
    const child = await seedChannel(db, { name: '子栏目', parentSlug: parent.slug });
    const now = new Date();
    const a = await seedArticle(db, {
      channelSlug: child.slug,
      body: '<p>全文</p>',
      publishedAt: new Date(now.getTime() - hour),
      tags: [{ slug: uniqueSlug('tag'), name: '标签' }],
    });
    const b = await seedArticle(db, {
      channelSlug: parent.slug,
      publishedAt: new Date(now.getTime() - 2 * hour),
    });
    await seedArticle(db, {
      channelSlug: parent.slug,
      publishedAt: new Date(now.getTime() - 3 * hour),
    });
    await seedArticle(db, { channelSlug: child.slug, status: 'draft', publishedAt: null });

    const feed = await loadFeed(db, { now, channelSlug: parent.slug, limit: 2 });
    expect(feed!.channel).toMatchObject({ slug: parent.slug, name: '父栏目', description: '' });
    expect(feed!.items.map((i) => i.id)).toEqual([a.id, b.id]);
    expect(feed!.items[0]).toMatchObject({
      body: '<p>全文</p>',
      channel: { slug: child.slug, name: '子栏目' },
      tags: [{ name: '标签' }],
    });
    expect(feed!.lastModified).toBeInstanceOf(Date);
  });

  it('returns null for an unknown channel and a null channel site-wide', async () => {
    expect(await loadFeed(db, { now: new Date(), channelSlug: 'no-such', limit: 5 })).toBeNull();
    const site = await loadFeed(db, { now: new Date(), limit: 5 });
    expect(site!.channel).toBeNull();
  });

  it('dates the feed by the newest change inside its window, withdrawals included', async () => {
    const ch = await seedChannel(db);
    const now = Date.now();
    const kept = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now - 2 * hour),
    });
    const dropped = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now - hour),
    });
    const before = await loadFeed(db, { now: new Date(), channelSlug: ch.slug, limit: 10 });
    await new Promise((r) => setTimeout(r, 20));
    await setArticleStatus(db, dropped.id, 'archived');
    const after = await loadFeed(db, { now: new Date(), channelSlug: ch.slug, limit: 10 });
    expect(after!.items.map((i) => i.id)).toEqual([kept.id]);
    expect(after!.lastModified!.getTime()).toBeGreaterThan(before!.lastModified!.getTime());
  });
});

describe('sitemap queries', () => {
  it('groups public articles into fixed id ranges and lists one range', async () => {
    const ch = await seedChannel(db);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await seedArticle(db, { channelSlug: ch.slug })).id);
    const hidden = await seedArticle(db, {
      channelSlug: ch.slug,
      status: 'draft',
      publishedAt: null,
    });
    const now = new Date();
    const pages = await listSitemapPages(db, { now, pageSize: 3 });
    for (const p of pages) {
      expect(Number.isInteger(p.page)).toBe(true);
      expect(p.count).toBeGreaterThan(0);
      expect(p.count).toBeLessThanOrEqual(3);
      expect(p.lastModified).toBeInstanceOf(Date);
    }
    const pageOf = (id: number) => Math.floor((id - 1) / 3) + 1;
    const page = pageOf(ids[0]!);
    const listed = await listSitemapArticles(db, { now, page, pageSize: 3 });
    expect(listed.every((a) => pageOf(a.id) === page)).toBe(true);
    expect(listed.map((a) => a.id)).toContain(ids[0]);
    expect(listed.map((a) => a.id)).not.toContain(hidden.id);
    const all = await listSitemapArticles(db, { now, pageSize: 1000 });
    expect(all.map((a) => a.id)).toEqual(expect.arrayContaining(ids));
    expect(pages.reduce((s, p) => s + p.count, 0)).toBe(all.length);
  });

  it('lists channels in menu order', async () => {
    const ch = await seedChannel(db, { position: -1000 });
    const channels = await listSitemapChannels(db);
    expect(channels[0]!.slug).toBe(ch.slug);
    expect(channels[0]!.updatedAt).toBeInstanceOf(Date);
  });

  it('lists news published since the given instant, newest first, public only', async () => {
    const ch = await seedChannel(db);
    const now = Date.now();
    const recent = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now - hour),
    });
    const older = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now - 10 * hour),
    });
    const tooOld = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now - 50 * hour),
    });
    const future = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(now + hour),
    });
    const news = await listNewsArticles(db, {
      now: new Date(now),
      since: new Date(now - 48 * hour),
      limit: 1000,
    });
    const ids = news.map((n) => n.id);
    expect(ids.indexOf(recent.id)).toBeLessThan(ids.indexOf(older.id));
    expect(ids).not.toContain(tooOld.id);
    expect(ids).not.toContain(future.id);
    expect(news.find((n) => n.id === recent.id)).toMatchObject({ lang: 'zh-CN' });
  });
});
