import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import {
  listChannelPage,
  listTopChannels,
  loadHomeContent,
  mergeRanked,
  type ListItem,
} from '../../src/pages/queries';
import { seedArticle, seedChannel, testDb } from '../helpers';

const db = testDb();
const hour = 3_600_000;
const now = new Date();

describe('listTopChannels', () => {
  it('returns only top-level channels, in menu order', async () => {
    const second = await seedChannel(db, { name: '第二', position: 20 });
    const first = await seedChannel(db, { name: '第一', position: 10 });
    const child = await seedChannel(db, { name: '子栏目', parentSlug: first.slug });
    const top = await listTopChannels(db);
    const slugs = top.map((c) => c.slug);
    expect(slugs.indexOf(first.slug)).toBeLessThan(slugs.indexOf(second.slug));
    expect(slugs).not.toContain(child.slug);
    expect(top.find((c) => c.slug === first.slug)).toEqual({
      id: first.id,
      slug: first.slug,
      name: '第一',
    });
  });
});

describe('loadHomeContent', () => {
  it('takes the newest public articles of each channel subtree, up to the limit', async () => {
    const a = await seedChannel(db, { name: 'A' });
    const aChild = await seedChannel(db, { name: 'A1', parentSlug: a.slug });
    const aGrandchild = await seedChannel(db, { name: 'A11', parentSlug: aChild.slug });
    const b = await seedChannel(db, { name: 'B' });
    const n1 = await seedArticle(db, {
      channelSlug: aGrandchild.slug,
      publishedAt: new Date(now.getTime() - hour),
    });
    const n2 = await seedArticle(db, {
      channelSlug: a.slug,
      publishedAt: new Date(now.getTime() - 2 * hour),
    });
    await seedArticle(db, {
      channelSlug: aChild.slug,
      publishedAt: new Date(now.getTime() - 3 * hour),
    });
    await seedArticle(db, { channelSlug: a.slug, status: 'draft', publishedAt: null });
    await seedArticle(db, { channelSlug: a.slug, publishedAt: new Date(now.getTime() + hour) });
    const withdrawn = await seedArticle(db, {
      channelSlug: a.slug,
      publishedAt: new Date(now.getTime() - 10),
    });
    await setArticleStatus(db, withdrawn.id, 'archived');
    const nb = await seedArticle(db, { channelSlug: b.slug });

    const content = await loadHomeContent(db, {
      now,
      channels: [a, b],
      perChannel: 2,
      popular: 5,
    });
    expect(content.sections.map((s) => s.channel.slug)).toEqual([a.slug, b.slug]);
    expect(content.sections[0]!.items.map((i) => i.id)).toEqual([n1.id, n2.id]);
    expect(content.sections[1]!.items.map((i) => i.id)).toEqual([nb.id]);
    expect(content.sections[0]!.items[0]).toMatchObject({
      slug: n1.slug,
      lang: 'zh-CN',
      views: 0,
    });
    expect(content.sections[0]!.items[0]!.publishedAt).toBeInstanceOf(Date);
  });

  it('orders the popular list by flushed views, public articles only', async () => {
    const ch = await seedChannel(db);
    const most = await seedArticle(db, { channelSlug: ch.slug, viewBase: 8_000_003 });
    const next = await seedArticle(db, { channelSlug: ch.slug, viewBase: 8_000_002 });
    await seedArticle(db, {
      channelSlug: ch.slug,
      viewBase: 9_999_999,
      publishedAt: new Date(now.getTime() + hour),
    });
    const content = await loadHomeContent(db, { now, channels: [], perChannel: 1, popular: 2 });
    expect(content.sections).toEqual([]);
    expect(content.popular.map((p) => [p.id, p.views])).toEqual([
      [most.id, 8_000_003],
      [next.id, 8_000_002],
    ]);
  });
});

describe('listChannelPage', () => {
  it('returns one page and the total of the channel subtree', async () => {
    const parent = await seedChannel(db);
    const child = await seedChannel(db, { parentSlug: parent.slug });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const slug = i % 2 ? child.slug : parent.slug;
      ids.push(
        (
          await seedArticle(db, {
            channelSlug: slug,
            publishedAt: new Date(now.getTime() - i * hour),
          })
        ).id,
      );
    }
    await seedArticle(db, { channelSlug: child.slug, status: 'draft', publishedAt: null });
    const page1 = await listChannelPage(db, { now, channelSlug: parent.slug, page: 1, perPage: 2 });
    expect(page1.total).toBe(5);
    expect(page1.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    const page3 = await listChannelPage(db, { now, channelSlug: parent.slug, page: 3, perPage: 2 });
    expect(page3.items.map((i) => i.id)).toEqual(ids.slice(4));
    const childOnly = await listChannelPage(db, {
      now,
      channelSlug: child.slug,
      page: 1,
      perPage: 10,
    });
    expect(childOnly.total).toBe(2);
    const none = await listChannelPage(db, { now, channelSlug: 'no-such', page: 1, perPage: 10 });
    expect(none).toEqual({ items: [], total: 0 });
  });
});

describe('mergeRanked', () => {
  const item = (id: number): ListItem => ({
    id,
    slug: `a-${id}`,
    title: `T${id}`,
    lang: 'zh-CN',
    publishedAt: new Date(0),
    views: 0,
  });

  it('keeps the primary order, tops up from the fallback without repeats, up to the limit', () => {
    const merged = mergeRanked([item(3), item(1)], [item(1), item(2), item(4), item(5)], 4);
    expect(merged.map((i) => i.id)).toEqual([3, 1, 2, 4]);
    expect(mergeRanked([], [item(9)], 3).map((i) => i.id)).toEqual([9]);
    expect(mergeRanked([item(1), item(2)], [], 1).map((i) => i.id)).toEqual([1]);
  });
});
