import { describe, expect, it } from 'vitest';
import { createChannel } from '../../src/authoring/commands';
import { findChannel, listChannelTree, type ChannelNode } from '../../src/channels/queries';
import { expectProblem, get, json, seedArticle, testDb, uniqueSlug } from '../helpers';

/** A tree of its own: news (政务 first by position) with children and a grandchild, plus a second root. */
async function seedTree() {
  const db = testDb();
  const news = await createChannel(db, {
    slug: uniqueSlug('news'),
    name: '要闻动态',
    position: 1,
    description: '本市要闻',
  });
  const other = await createChannel(db, {
    slug: uniqueSlug('other'),
    name: '政务公开',
    position: 0,
  });
  // Created out of display order: position, not insertion, decides.
  const local = await createChannel(db, {
    slug: uniqueSlug('local'),
    name: '盘锦要闻',
    parentSlug: news.slug,
    position: 2,
  });
  const county = await createChannel(db, {
    slug: uniqueSlug('county'),
    name: '县区动态',
    parentSlug: news.slug,
    position: 1,
  });
  const town = await createChannel(db, {
    slug: uniqueSlug('town'),
    name: '乡镇动态',
    parentSlug: county.slug,
    position: 0,
  });
  return { db, news, other, local, county, town };
}

function findNode(nodes: ChannelNode[] | any[], slug: string): any {
  for (const node of nodes) {
    if (node.slug === slug) return node;
    const inner = findNode(node.children, slug);
    if (inner) return inner;
  }
  return undefined;
}

describe('GET /api/v1/channels', () => {
  it('returns the whole tree, siblings in position order, with urls', async () => {
    const s = await seedTree();
    const res = await get('/api/v1/channels');
    expect(res.status).toBe(200);
    const { data } = await json(res);
    const news = findNode(data, s.news.slug);
    expect(data).toContainEqual(expect.objectContaining({ slug: s.news.slug }));
    expect(data).toContainEqual(expect.objectContaining({ slug: s.other.slug }));
    expect(news).toEqual({
      id: s.news.id,
      slug: s.news.slug,
      name: '要闻动态',
      description: '本市要闻',
      position: 1,
      parentSlug: null,
      url: `http://gazette.test/channels/${s.news.slug}`,
      children: [
        expect.objectContaining({
          slug: s.county.slug,
          parentSlug: s.news.slug,
          children: [
            expect.objectContaining({ slug: s.town.slug, parentSlug: s.county.slug, children: [] }),
          ],
        }),
        expect.objectContaining({ slug: s.local.slug, name: '盘锦要闻', children: [] }),
      ],
    });
    // Roots are in position order too.
    const rootSlugs = data.map((n: { slug: string }) => n.slug);
    expect(rootSlugs.indexOf(s.other.slug)).toBeLessThan(rootSlugs.indexOf(s.news.slug));
  });

  it('rejects query parameters', async () => {
    const problem = await expectProblem(
      await get('/api/v1/channels?depth=1'),
      400,
      'invalid_parameter',
    );
    expect(problem.invalidParams).toEqual([
      { name: 'depth', in: 'query', reason: 'unknown parameter' },
    ]);
  });
});

describe('GET /api/v1/channels/:slug', () => {
  it('returns the channel with breadcrumb, children and its articles link', async () => {
    const s = await seedTree();
    const res = await get(`/api/v1/channels/${s.county.slug}`);
    expect(res.status).toBe(200);
    const { data } = await json(res);
    expect(data).toEqual({
      id: s.county.id,
      slug: s.county.slug,
      name: '县区动态',
      description: '',
      position: 1,
      parentSlug: s.news.slug,
      url: `http://gazette.test/channels/${s.county.slug}`,
      breadcrumb: [
        { name: '首页', slug: null, url: 'http://gazette.test/' },
        { name: '要闻动态', slug: s.news.slug, url: `http://gazette.test/channels/${s.news.slug}` },
        {
          name: '县区动态',
          slug: s.county.slug,
          url: `http://gazette.test/channels/${s.county.slug}`,
        },
      ],
      children: [
        {
          id: s.town.id,
          slug: s.town.slug,
          name: '乡镇动态',
          description: '',
          position: 0,
          parentSlug: s.county.slug,
          url: `http://gazette.test/channels/${s.town.slug}`,
        },
      ],
      articlesUrl: `http://gazette.test/api/v1/articles?channel=${s.county.slug}`,
    });
  });

  it('lists children in position order', async () => {
    const s = await seedTree();
    const { data } = await json(await get(`/api/v1/channels/${s.news.slug}`));
    expect(data.children.map((c: { slug: string }) => c.slug)).toEqual([
      s.county.slug,
      s.local.slug,
    ]);
    expect(data.breadcrumb.map((c: { name: string }) => c.name)).toEqual(['首页', '要闻动态']);
  });

  it('links to an article list that includes its descendants', async () => {
    const s = await seedTree();
    const article = await seedArticle(s.db, { channelSlug: s.town.slug });
    const { data } = await json(await get(`/api/v1/channels/${s.news.slug}`));
    const list = await json(
      await get(new URL(data.articlesUrl).pathname + new URL(data.articlesUrl).search),
    );
    expect(list.data.map((a: { id: number }) => a.id)).toContain(article.id);
  });

  it('answers 404 for an unknown channel', async () => {
    const problem = await expectProblem(
      await get('/api/v1/channels/no-such-channel'),
      404,
      'not_found',
    );
    expect(problem.detail).toContain('no-such-channel');
  });

  it('answers 400 for a malformed slug and for query parameters', async () => {
    await expectProblem(await get('/api/v1/channels/Bad_Slug'), 400, 'invalid_parameter');
    const s = await seedTree();
    await expectProblem(await get(`/api/v1/channels/${s.news.slug}?x=1`), 400, 'invalid_parameter');
  });
});

describe('channel queries', () => {
  it('listChannelTree nests every channel under its parent in position order', async () => {
    const s = await seedTree();
    const tree = await listChannelTree(s.db);
    const news = findNode(tree, s.news.slug);
    expect(news.children.map((c: ChannelNode) => c.slug)).toEqual([s.county.slug, s.local.slug]);
    expect(findNode(tree, s.county.slug).children.map((c: ChannelNode) => c.slug)).toEqual([
      s.town.slug,
    ]);
    expect(tree.every((root) => root.parentSlug === null)).toBe(true);
  });

  it('findChannel returns the root-first breadcrumb and direct children only', async () => {
    const s = await seedTree();
    const found = await findChannel(s.db, s.town.slug);
    expect(found).toMatchObject({
      slug: s.town.slug,
      parentSlug: s.county.slug,
      breadcrumb: [
        { id: s.news.id, slug: s.news.slug, name: '要闻动态' },
        { id: s.county.id, slug: s.county.slug, name: '县区动态' },
        { id: s.town.id, slug: s.town.slug, name: '乡镇动态' },
      ],
      children: [],
    });
    const root = await findChannel(s.db, s.news.slug);
    expect(root!.children.map((c) => c.slug)).toEqual([s.county.slug, s.local.slug]);
    expect(await findChannel(s.db, 'not-a-channel')).toBeNull();
  });
});
