import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import { articles } from '../../src/db/schema';
import { expectProblem, get, seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';
import { getWithEnv } from '../pages/html';
import { parseXml, rfc3339, rfc822, textOf } from './xml-parse';

const db = testDb();
const minute = 60_000;

const hostileTitle = '<script>alert(1)</script>"><img src=x onerror=alert(2)> & \u0008done';
const cleanTitle = '<script>alert(1)</script>"><img src=x onerror=alert(2)> & done';

/** A parent channel with a child, and articles spread over both; newest first in `ids`. */
async function seedFeedContent() {
  const parent = await seedChannel(db, { name: '要闻动态' });
  const child = await seedChannel(db, { name: '盘锦要闻', parentSlug: parent.slug });
  const other = await seedChannel(db, { name: '其他' });
  const now = Date.now();
  const newest = await seedArticle(db, {
    channelSlug: child.slug,
    title: hostileTitle,
    summary: '摘要 <b>不是标签</b>',
    body: '<p>第一段。</p><p><strong>第二段</strong></p>',
    author: '记者 王晓明',
    source: '盘锦日报',
    publishedAt: new Date(now - minute),
    tags: [{ slug: uniqueSlug('tag'), name: '民生' }],
  });
  const older = await seedArticle(db, {
    channelSlug: parent.slug,
    title: '较早的要闻',
    source: '市融媒体中心',
    publishedAt: new Date(now - 2 * minute),
  });
  const elsewhere = await seedArticle(db, {
    channelSlug: other.slug,
    title: '其他栏目的文章',
    publishedAt: new Date(now - 3 * minute),
  });
  await seedArticle(db, {
    channelSlug: child.slug,
    title: '草稿文章',
    status: 'draft',
    publishedAt: null,
  });
  await seedArticle(db, {
    channelSlug: child.slug,
    title: '定时文章',
    publishedAt: new Date(now + 60 * minute),
  });
  return { parent, child, other, newest, older, elsewhere };
}

function expectFeedHeaders(res: Response, contentType: string) {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe(contentType);
  expect(res.headers.get('Cache-Control')).toBe('public, max-age=300, stale-while-revalidate=3600');
  expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
  expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  expect(res.headers.get('Last-Modified')).toMatch(rfc822);
}

describe('GET /feed.xml (RSS 2.0)', () => {
  it('is valid RSS 2.0 with the required channel and item elements and full content', async () => {
    const { newest, older, child } = await seedFeedContent();
    const res = await get('/feed.xml');
    expectFeedHeaders(res, 'application/rss+xml; charset=utf-8');
    const text = await res.text();
    const doc = parseXml(text);
    expect(doc.rss['@_version']).toBe('2.0');
    const channel = doc.rss.channel;
    expect(channel.title).toBe('Gazette 新闻网');
    expect(channel.link).toBe('http://gazette.test/');
    expect(channel.description).toBe('Gazette 新闻网的最新文章');
    expect(channel.language).toBe('zh-cn');
    expect(channel.lastBuildDate).toMatch(rfc822);
    const self = channel['atom:link'].find((l: any) => l['@_rel'] === 'self');
    expect(self['@_href']).toBe('http://gazette.test/feed.xml');
    expect(self['@_type']).toBe('application/rss+xml');

    const items: any[] = channel.item;
    const titles = items.map((i) => i.title);
    expect(titles).not.toContain('草稿文章');
    expect(titles).not.toContain('定时文章');
    const item = items.find((i) => i.guid['#text'] === `http://gazette.test/articles/${newest.id}`);
    expect(item.title).toBe(cleanTitle);
    expect(item.link).toBe(`http://gazette.test/articles/${newest.id}/${newest.slug}`);
    expect(item.guid['@_isPermaLink']).toBe('true');
    expect(item.pubDate).toMatch(rfc822);
    expect(item.description).toBe('摘要 <b>不是标签</b>');
    expect(item['content:encoded']).toBe('<p>第一段。</p><p><strong>第二段</strong></p>');
    expect(item['dc:creator']).toBe('记者 王晓明');
    expect(item.category).toEqual(['民生']);
    // Newest first.
    expect(titles.indexOf(cleanTitle)).toBeLessThan(titles.indexOf('较早的要闻'));
    const olderItem = items.find((i) => i.title === '较早的要闻');
    // No author: the source stands in.
    expect(olderItem['dc:creator']).toBe('市融媒体中心');
    expect(olderItem.link).toBe(`http://gazette.test/articles/${older.id}/${older.slug}`);
    expect(child.slug).toBeTruthy();

    // Hostile text is escaped, never markup; the control character is dropped.
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<img');
    expect(text).not.toContain('\u0008');
  });

  it('answers If-None-Match and If-Modified-Since with 304', async () => {
    await seedFeedContent();
    const first = await get('/feed.xml');
    const etag = first.headers.get('ETag')!;
    const lastModified = first.headers.get('Last-Modified')!;

    const byEtag = await get('/feed.xml', { headers: { 'If-None-Match': etag } });
    expect(byEtag.status).toBe(304);
    expect(byEtag.headers.get('ETag')).toBe(etag);
    expect(await byEtag.text()).toBe('');

    const byDate = await get('/feed.xml', { headers: { 'If-Modified-Since': lastModified } });
    expect(byDate.status).toBe(304);
    expect(byDate.headers.get('ETag')).toBe(etag);
    expect(byDate.headers.get('Last-Modified')).toBe(lastModified);
    expect(byDate.headers.get('Cache-Control')).toContain('max-age=300');
    expect(await byDate.text()).toBe('');

    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await get('/feed.xml', { headers: { 'If-Modified-Since': earlier } })).status).toBe(
      200,
    );
    // A stale ETag wins over a matching date (RFC 9110: If-None-Match takes precedence).
    const both = await get('/feed.xml', {
      headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': lastModified },
    });
    expect(both.status).toBe(200);
  });

  it('moves Last-Modified forward when an article in the feed is withdrawn', async () => {
    const { parent, newest } = await seedFeedContent();
    const path = `/channels/${parent.slug}/feed.xml`;
    const before = await get(path);
    const lastModified = before.headers.get('Last-Modified')!;
    await new Promise((r) => setTimeout(r, 1100));
    await setArticleStatus(db, newest.id, 'archived');
    const after = await get(path, { headers: { 'If-Modified-Since': lastModified } });
    expect(after.status).toBe(200);
    expect(Date.parse(after.headers.get('Last-Modified')!)).toBeGreaterThan(
      Date.parse(lastModified),
    );
    const doc = parseXml(await after.text());
    expect((doc.rss.channel.item ?? []).map((i: any) => i.title)).not.toContain(cleanTitle);
  });

  it('keeps a body that contains "]]>" intact inside CDATA', async () => {
    const ch = await seedChannel(db);
    const a = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(Date.now() - 1000),
    });
    // Bypass the sanitizer on purpose: the feed must be robust to whatever is stored.
    await db
      .update(articles)
      .set({ body: '<p>a ]]> b <![CDATA[ c ]]></p>' })
      .where(eq(articles.id, a.id));
    const text = await (await get(`/channels/${ch.slug}/feed.xml`)).text();
    const doc = parseXml(text);
    expect(doc.rss.channel.item[0]['content:encoded']).toBe('<p>a ]]> b <![CDATA[ c ]]></p>');
    const atom = parseXml(await (await get(`/channels/${ch.slug}/atom.xml`)).text());
    expect(textOf(atom.feed.entry[0].content)).toBe('<p>a ]]> b <![CDATA[ c ]]></p>');
  });
});

describe('GET /atom.xml (Atom)', () => {
  it('is valid Atom with the required feed and entry elements', async () => {
    const { newest } = await seedFeedContent();
    const res = await get('/atom.xml');
    expectFeedHeaders(res, 'application/atom+xml; charset=utf-8');
    const doc = parseXml(await res.text());
    const feed = doc.feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed['@_xml:lang']).toBe('zh-CN');
    expect(feed.id).toBe('http://gazette.test/');
    expect(textOf(feed.title)).toBe('Gazette 新闻网');
    expect(feed.updated).toMatch(rfc3339);
    expect(feed.author.name).toBe('Gazette 新闻网');
    const links = Object.fromEntries(feed.link.map((l: any) => [l['@_rel'], l['@_href']]));
    expect(links).toEqual({
      alternate: 'http://gazette.test/',
      self: 'http://gazette.test/atom.xml',
    });
    const entries: any[] = feed.entry;
    const entry = entries.find((e) => e.id === `http://gazette.test/articles/${newest.id}`);
    expect(textOf(entry.title)).toBe(cleanTitle);
    expect(entry.title['@_type']).toBe('text');
    expect(entry.published).toMatch(rfc3339);
    expect(entry.updated).toMatch(rfc3339);
    expect(entry.link[0]['@_href']).toBe(
      `http://gazette.test/articles/${newest.id}/${newest.slug}`,
    );
    expect(entry.content['@_type']).toBe('html');
    expect(textOf(entry.content)).toBe('<p>第一段。</p><p><strong>第二段</strong></p>');
    expect(textOf(entry.summary)).toBe('摘要 <b>不是标签</b>');
    expect(entry.author.name).toBe('记者 王晓明');
    expect(entry.category[0]['@_label']).toBe('民生');
    // Every entry has id, title, updated and a link (RFC 4287 section 4.1.2).
    for (const e of entries) {
      expect(e.id).toMatch(/^http:\/\/gazette\.test\/articles\/\d+$/);
      expect(textOf(e.title)).not.toBe('');
      expect(e.updated).toMatch(rfc3339);
      expect(e.link[0]['@_href']).toMatch(/^http:\/\/gazette\.test\/articles\//);
    }
  });
});

describe('GET /feed.json (JSON Feed 1.1)', () => {
  it('is a JSON Feed 1.1 document with the required fields', async () => {
    const { newest } = await seedFeedContent();
    const res = await get('/feed.json');
    expectFeedHeaders(res, 'application/feed+json; charset=utf-8');
    const feed = JSON.parse(await res.text());
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed.title).toBe('Gazette 新闻网');
    expect(feed.home_page_url).toBe('http://gazette.test/');
    expect(feed.feed_url).toBe('http://gazette.test/feed.json');
    expect(feed.language).toBe('zh-CN');
    expect(Array.isArray(feed.items)).toBe(true);
    const item = feed.items.find((i: any) => i.id === `http://gazette.test/articles/${newest.id}`);
    expect(item).toMatchObject({
      url: `http://gazette.test/articles/${newest.id}/${newest.slug}`,
      title: hostileTitle,
      content_html: '<p>第一段。</p><p><strong>第二段</strong></p>',
      summary: '摘要 <b>不是标签</b>',
      authors: [{ name: '记者 王晓明' }],
      tags: ['民生'],
      language: 'zh-CN',
    });
    expect(item.date_published).toMatch(rfc3339);
    expect(item.date_modified).toMatch(rfc3339);
    for (const i of feed.items) {
      expect(typeof i.id).toBe('string');
      expect(typeof i.content_html).toBe('string');
    }
  });

  it('answers If-None-Match with 304', async () => {
    const first = await get('/feed.json');
    const again = await get('/feed.json', {
      headers: { 'If-None-Match': first.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
  });
});

describe('channel feeds', () => {
  it('carry the channel and its sub-channels only, in every format', async () => {
    const { parent, newest, older, elsewhere } = await seedFeedContent();
    const base = `/channels/${parent.slug}`;

    const rss = parseXml(await (await get(`${base}/feed.xml`)).text()).rss.channel;
    expect(rss.title).toBe('要闻动态 - Gazette 新闻网');
    expect(rss.link).toBe(`http://gazette.test${base}`);
    expect(rss.description).toBe('Gazette 新闻网「要闻动态」栏目的最新文章');
    expect(rss.item.map((i: any) => i.guid['#text'])).toEqual([
      `http://gazette.test/articles/${newest.id}`,
      `http://gazette.test/articles/${older.id}`,
    ]);
    expect(rss['atom:link'][0]['@_href']).toBe(`http://gazette.test${base}/feed.xml`);

    const atom = parseXml(await (await get(`${base}/atom.xml`)).text()).feed;
    expect(atom.id).toBe(`http://gazette.test${base}`);
    expect(atom.entry.map((e: any) => e.id)).toEqual([
      `http://gazette.test/articles/${newest.id}`,
      `http://gazette.test/articles/${older.id}`,
    ]);

    const json = JSON.parse(await (await get(`${base}/feed.json`)).text());
    expect(json.feed_url).toBe(`http://gazette.test${base}/feed.json`);
    expect(json.items.map((i: any) => i.id)).not.toContain(
      `http://gazette.test/articles/${elsewhere.id}`,
    );
    expect(json.items).toHaveLength(2);
  });

  it('is an empty but valid feed for a channel without articles', async () => {
    const ch = await seedChannel(db, { name: '空栏目' });
    const res = await get(`/channels/${ch.slug}/feed.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Last-Modified')).toBeNull();
    const channel = parseXml(await res.text()).rss.channel;
    expect(channel.title).toBe('空栏目 - Gazette 新闻网');
    expect(channel.item).toBeUndefined();
    const atom = parseXml(await (await get(`/channels/${ch.slug}/atom.xml`)).text()).feed;
    expect(atom.updated).toMatch(rfc3339);
  });

  it('answers an unknown or malformed channel with a 404 problem', async () => {
    await expectProblem(await get('/channels/no-such-channel/feed.xml'), 404, 'not_found');
    await expectProblem(await get('/channels/no-such-channel/atom.xml'), 404, 'not_found');
    await expectProblem(await get('/channels/no-such-channel/feed.json'), 404, 'not_found');
    await expectProblem(await get('/channels/Bad_Slug/feed.json'), 404, 'not_found');
  });
});

describe('feeds in English (SITE_LANG=en)', () => {
  it('uses the English title, description and language', async () => {
    const res = await getWithEnv('/feed.xml', { SITE_LANG: 'en', SITE_NAME: 'City Portal' });
    const channel = parseXml(await res.text()).rss.channel;
    expect(channel.title).toBe('City Portal');
    expect(channel.description).toBe('Latest articles from City Portal');
    expect(channel.language).toBe('en');
    const json = JSON.parse(await (await getWithEnv('/feed.json', { SITE_LANG: 'en' })).text());
    expect(json.language).toBe('en');
  });
});
