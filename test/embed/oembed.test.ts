import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import { fitFrame, oembedDiscoveryHref, resolveEmbedTarget } from '../../src/embed/oembed';
import {
  expectProblem,
  get,
  json,
  seedArticleInNewChannel,
  seedArticlesInNewChannel,
  seedChannel,
  testDb,
} from '../helpers';

const origin = 'http://gazette.test';

function oembed(params: Record<string, string>) {
  return get(`/oembed?${new URLSearchParams(params)}`);
}

/** The fields and rules of a rich oEmbed 1.0 response (https://oembed.com, sections 2.3.4-2.3.4.4). */
function expectRichResponse(body: any, max: { width?: number; height?: number } = {}) {
  expect(body.version).toBe('1.0');
  expect(body.type).toBe('rich');
  expect(typeof body.html).toBe('string');
  expect(Number.isInteger(body.width) && body.width > 0).toBe(true);
  expect(Number.isInteger(body.height) && body.height > 0).toBe(true);
  if (max.width) expect(body.width).toBeLessThanOrEqual(max.width);
  if (max.height) expect(body.height).toBeLessThanOrEqual(max.height);
  expect(typeof body.title).toBe('string');
  expect(body.provider_url).toBe(`${origin}/`);
  expect(typeof body.provider_name).toBe('string');
  expect(Number.isInteger(body.cache_age)).toBe(true);
  // Thumbnails are all-or-nothing; we send none.
  expect(body).not.toHaveProperty('thumbnail_url');
  expect(body.html).toMatch(/^<iframe [^>]*><\/iframe>$/);
  expect(body.html).toContain(`width="${body.width}"`);
  expect(body.html).toContain(`height="${body.height}"`);
}

describe('GET /oembed', () => {
  it('answers a rich iframe for every form of an article URL', async () => {
    const { id, slug } = await seedArticleInNewChannel({
      title: '秋季农业生产会议',
      source: '盘锦日报',
    });
    for (const url of [
      `${origin}/articles/${id}/${slug}`,
      `${origin}/articles/${id}`,
      `${origin}/articles/${id}/`,
      `${origin}/articles/${slug}`,
      `${origin}/articles/${id}/${slug}?from=share#top`,
      `https://gazette.test/articles/${id}`,
    ]) {
      const res = await oembed({ url, format: 'json' });
      expect(res.status, url).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      const body = await json(res);
      expectRichResponse(body);
      expect(body).toMatchObject({
        title: '秋季农业生产会议',
        author_name: '盘锦日报',
        width: 600,
        height: 480,
      });
      expect(body.html).toContain(`src="${origin}/embed/articles/${id}"`);
      expect(body.html).toContain('title="秋季农业生产会议"');
      expect(body.html).toContain('sandbox="allow-scripts allow-same-origin allow-popups');
    }
  });

  it('treats format as optional, json being the default', async () => {
    const { id } = await seedArticleInNewChannel();
    for (const params of [{}, { format: '' }] as Record<string, string>[]) {
      const res = await oembed({ url: `${origin}/articles/${id}`, ...params });
      expect(res.status).toBe(200);
      expectRichResponse(await json(res));
    }
  });

  it('keeps width and height within maxwidth and maxheight', async () => {
    const { id } = await seedArticleInNewChannel();
    const url = `${origin}/articles/${id}`;
    const small = await json(await oembed({ url, maxwidth: '320', maxheight: '200' }));
    expectRichResponse(small, { width: 320, height: 200 });
    expect(small).toMatchObject({ width: 320, height: 200 });
    const wide = await json(await oembed({ url, maxwidth: '2000', maxheight: '2000' }));
    expect(wide).toMatchObject({ width: 600, height: 480 });
    const narrow = await json(await oembed({ url, maxwidth: '1' }));
    expect(narrow).toMatchObject({ width: 1, height: 480 });
  });

  it('answers a channel URL with the channel list iframe', async () => {
    const db = testDb();
    const channel = await seedChannel(db, { name: '通知公告' });
    const res = await oembed({ url: `${origin}/channels/${channel.slug}`, maxheight: '300' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expectRichResponse(body, { height: 300 });
    expect(body).toMatchObject({ title: '通知公告', width: 600, height: 300 });
    expect(body).not.toHaveProperty('author_name');
    expect(body.html).toContain(`src="${origin}/embed/channels/${channel.slug}"`);
  });

  it('escapes the title inside the iframe markup', async () => {
    const { id } = await seedArticleInNewChannel({
      title: '"><script>alert(1)</script>',
    });
    const body = await json(await oembed({ url: `${origin}/articles/${id}` }));
    expect(body.title).toBe('"><script>alert(1)</script>');
    expect(body.html).toContain('title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(body.html).not.toContain('<script>');
  });

  it('answers 404 for URLs that are not ours or not published', async () => {
    const {
      articles: [draft, withdrawn, live],
    } = await seedArticlesInNewChannel([{ status: 'draft', publishedAt: null }, {}, {}]);
    await setArticleStatus(testDb(), withdrawn.id, 'archived');
    for (const url of [
      `https://elsewhere.example/articles/${live.id}`,
      `http://gazette.test:8080/articles/${live.id}`,
      `ftp://gazette.test/articles/${live.id}`,
      `${origin}/`,
      `${origin}/embed/articles/${live.id}`,
      `${origin}/articles/${live.id}/${live.slug}/extra`,
      `${origin}/articles/0`,
      `${origin}/articles/999999`,
      `${origin}/articles/no-such-slug`,
      `${origin}/articles/${draft.id}`,
      `${origin}/articles/${withdrawn.id}`,
      `${origin}/channels/no-such-channel`,
      `${origin}/channels/Bad_Slug`,
    ]) {
      const body = await expectProblem(await oembed({ url }), 404, 'not_found');
      expect(body.detail, url).toContain('not a published article or a channel on this site');
    }
  });

  it('answers 501 for any format other than json', async () => {
    const { id } = await seedArticleInNewChannel();
    for (const format of ['xml', 'yaml', 'JSON', 'jsonp']) {
      const body = await expectProblem(
        await oembed({ url: `${origin}/articles/${id}`, format }),
        501,
        'not_implemented',
      );
      expect(body.detail).toContain('use format=json');
    }
  });

  it('answers 400 for a missing or malformed url or size', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'url'],
      [{ url: '' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: '/articles/1' }, 'url'],
      [{ url: `${origin}/articles/1`, maxwidth: '0' }, 'maxwidth'],
      [{ url: `${origin}/articles/1`, maxheight: 'tall' }, 'maxheight'],
      [{ url: `${origin}/articles/1`, maxwidth: '-5' }, 'maxwidth'],
      [{ url: `${origin}/articles/1`, maxwidth: '100000' }, 'maxwidth'],
      [{ url: `${origin}/${'a'.repeat(2100)}` }, 'url'],
    ];
    for (const [params, name] of cases) {
      const body = await expectProblem(await oembed(params), 400, 'invalid_parameter');
      expect(body.invalidParams[0].name, JSON.stringify(params)).toBe(name);
    }
  });

  it('is open to cross-origin reads without credentials', async () => {
    const { id } = await seedArticleInNewChannel();
    const res = await get(`/oembed?url=${encodeURIComponent(`${origin}/articles/${id}`)}`, {
      headers: { Origin: 'https://blog.example' },
    });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(res.headers.get('Cache-Control')).toBe(
      'public, max-age=300, stale-while-revalidate=3600',
    );
    const preflight = await get('/oembed', {
      method: 'OPTIONS',
      headers: { Origin: 'https://blog.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toBe('GET,HEAD,OPTIONS');
  });

  it('is described in the OpenAPI document', async () => {
    const doc = await json(await get('/openapi.json'));
    expect(Object.keys(doc.paths['/oembed'].get.responses).sort()).toEqual([
      '200',
      '400',
      '404',
      '501',
    ]);
  });
});

describe('oEmbed helpers', () => {
  it('resolves only reader URLs on the given host', () => {
    const at = (u: string) => resolveEmbedTarget(new URL(u), 'news.example');
    expect(at('https://news.example/articles/12/some-slug')).toEqual({
      kind: 'article',
      key: { id: 12 },
    });
    expect(at('https://news.example/articles/some-slug')).toEqual({
      kind: 'article',
      key: { slug: 'some-slug' },
    });
    expect(at('https://news.example/channels/news/')).toEqual({ kind: 'channel', slug: 'news' });
    expect(at('https://news.example/articles/some-slug/12')).toBeNull();
    expect(at('https://other.example/articles/12')).toBeNull();
    expect(at('https://news.example/channels/news/sub')).toBeNull();
  });

  it('fits a frame inside the bounds it is given', () => {
    expect(fitFrame({ width: 600, height: 480 })).toEqual({ width: 600, height: 480 });
    expect(fitFrame({ width: 600, height: 480 }, 500)).toEqual({ width: 500, height: 480 });
    expect(fitFrame({ width: 600, height: 480 }, 900, 100)).toEqual({ width: 600, height: 100 });
  });

  it('builds the discovery link href for a reader page', () => {
    expect(oembedDiscoveryHref('https://news.example', 'https://news.example/articles/1/a-b')).toBe(
      'https://news.example/oembed?url=https%3A%2F%2Fnews.example%2Farticles%2F1%2Fa-b&format=json',
    );
  });
});
