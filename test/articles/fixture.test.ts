import { describe, expect, it } from 'vitest';
import fixture from '../../../shared/fixtures/article-zh-municipal-news.json';
import { createArticle, createChannel } from '../../src/authoring/commands';
import { findArticle } from '../../src/articles/queries';
import { startOfZonedDay } from '../../src/lib/time';
import { get, json, testDb, timeZone, uniqueSlug } from '../helpers';

/**
 * The shared fixture (a real municipal news page) goes in through the project's own write
 * functions and comes back out through the public API, unchanged where it matters.
 */
async function loadFixture() {
  const db = testDb();
  const [home, section, subsection] = fixture.channelPath;
  expect(home).toBe('首页');
  const parent = await createChannel(db, { slug: uniqueSlug('yaowen'), name: section! });
  const channel = await createChannel(db, {
    slug: uniqueSlug('panjin-yaowen'),
    name: subsection!,
    parentSlug: parent.slug,
  });
  // The page shows only a date; noon keeps it on that day in any reader's zone.
  const dayStart = startOfZonedDay(fixture.publishedAt, timeZone)!;
  const created = await createArticle(
    db,
    {
      channelSlug: channel.slug,
      title: fixture.title,
      body: fixture.paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
      source: fixture.source,
      lang: fixture.language,
      status: 'published',
      publishedAt: new Date(dayStart.getTime() + 12 * 3_600_000),
      viewBase: fixture.viewsShownOnOriginalPage,
    },
    { timeZone },
  );
  return { db, created, channel, parent };
}

function paragraphsOf(html: string): string[] {
  return [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => m[1]!);
}

describe('the shared municipal news fixture', () => {
  it('has the shape these tests rely on', () => {
    expect(fixture.channelPath).toEqual(['首页', '要闻动态', '盘锦要闻']);
    expect(fixture.paragraphs).toHaveLength(11);
    expect(fixture.source).toBe('盘锦日报');
  });

  it('round-trips through createChannel/createArticle and GET /api/v1/articles/:id', async () => {
    const { created, channel } = await loadFixture();
    // Each test loads the fixture again: same title, same day, so later copies get -2, -3...
    expect(created.slug).toMatch(/^20210930-[a-z0-9]{6}(?:-\d+)?$/);

    const res = await get(`/api/v1/articles/${created.id}`);
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data.title).toBe(fixture.title);
    expect(data.breadcrumb.map((c: { name: string }) => c.name)).toEqual([
      '首页',
      '要闻动态',
      '盘锦要闻',
    ]);
    expect(data.channel).toMatchObject({ slug: channel.slug, name: '盘锦要闻' });
    expect(data.source).toBe('盘锦日报');
    expect(data.publishedAt).toMatch(/^2021-09-30T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(data.views).toBe(712);
    expect(data.lang).toBe('zh-CN');
    expect(paragraphsOf(data.body)).toEqual(fixture.paragraphs);
    expect(data.summary.length).toBeLessThanOrEqual(120);
    expect(fixture.paragraphs.join(' ').startsWith(data.summary.replace(/…$/, ''))).toBe(true);

    const bySlug = await json(await get(`/api/v1/articles/${created.slug}`));
    expect(bySlug.data.id).toBe(created.id);
  });

  it('is listed under its channel and its parent, and on its day', async () => {
    const { created, channel, parent } = await loadFixture();
    for (const slug of [parent.slug, channel.slug]) {
      const body = await json(
        await get(`/api/v1/articles?channel=${slug}&from=2021-09-30&to=2021-09-30`),
      );
      expect(body.data.map((a: { id: number }) => a.id)).toContain(created.id);
      const summary = body.data.find((a: { id: number }) => a.id === created.id);
      expect(summary).toMatchObject({ source: '盘锦日报', views: 712, title: fixture.title });
      expect(summary).not.toHaveProperty('body');
    }
    const dayAfter = await json(
      await get(`/api/v1/articles?channel=${parent.slug}&from=2021-10-01`),
    );
    expect(dayAfter.data.map((a: { id: number }) => a.id)).not.toContain(created.id);
  });

  it('reads back through findArticle with the same content', async () => {
    const { db, created } = await loadFixture();
    const found = await findArticle(db, { slug: created.slug }, new Date());
    expect(found.state).toBe('published');
    if (found.state !== 'published') return;
    expect(found.article.breadcrumb.map((c) => c.name)).toEqual(['要闻动态', '盘锦要闻']);
    expect(paragraphsOf(found.article.body)).toEqual(fixture.paragraphs);
    expect(found.article.views).toBe(712);
  });
});
