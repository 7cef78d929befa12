import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import type { AppEnv } from '../../src/env';
import { createFeedsRoutes } from '../../src/feeds/routes';
import { AppError, problemResponse } from '../../src/lib/errors';
import { expectProblem, get, seedArticle, seedChannel, testDb } from '../helpers';
import { getWithEnv } from '../pages/html';
import { parseXml, rfc3339 } from './xml-parse';

const db = testDb();
const hour = 3_600_000;

/** The feed routes with tiny sitemap pages, so a handful of articles makes a "large" site. */
async function getSmallPages(path: string, pageSize = 2): Promise<Response> {
  const app = new Hono<AppEnv>()
    .route('/', createFeedsRoutes({ sitemapPageSize: pageSize }))
    .onError((err, c) =>
      err instanceof AppError ? problemResponse(c, err) : c.text('error', 500),
    );
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://gazette.test${path}`), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function seedSite() {
  const ch = await seedChannel(db, { name: '要闻动态' });
  const visible = await seedArticle(db, { channelSlug: ch.slug, title: '公开文章' });
  const visible2 = await seedArticle(db, { channelSlug: ch.slug, title: '另一篇公开文章' });
  const draft = await seedArticle(db, { channelSlug: ch.slug, status: 'draft', publishedAt: null });
  const scheduled = await seedArticle(db, {
    channelSlug: ch.slug,
    publishedAt: new Date(Date.now() + hour),
  });
  const withdrawn = await seedArticle(db, { channelSlug: ch.slug });
  await setArticleStatus(db, withdrawn.id, 'archived');
  return { ch, visible, visible2, hidden: [draft, scheduled, withdrawn] };
}

describe('GET /sitemap.xml', () => {
  it('lists the home page, channels and public articles while the site is small', async () => {
    const { ch, visible, visible2, hidden } = await seedSite();
    const res = await get('/sitemap.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    expect(res.headers.get('ETag')).toBeTruthy();
    expect(res.headers.get('Cache-Control')).toContain('max-age=300');
    const doc = parseXml(await res.text());
    expect(doc.urlset['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const urls: any[] = doc.urlset.url;
    const locs = urls.map((u) => u.loc);
    expect(locs[0]).toBe('http://gazette.test/');
    expect(locs).toContain(`http://gazette.test/channels/${ch.slug}`);
    expect(locs).toContain(`http://gazette.test/articles/${visible.id}/${visible.slug}`);
    expect(locs).toContain(`http://gazette.test/articles/${visible2.id}/${visible2.slug}`);
    for (const h of hidden)
      expect(locs).not.toContain(`http://gazette.test/articles/${h.id}/${h.slug}`);
    const entry = urls.find((u) => u.loc.endsWith(`/articles/${visible.id}/${visible.slug}`));
    expect(entry.lastmod).toMatch(rfc3339);
    expect(new Set(locs).size).toBe(locs.length);
  });

  it('becomes a sitemap index of id-range pages once the site outgrows one sitemap', async () => {
    const { visible, visible2, hidden } = await seedSite();
    const res = await getSmallPages('/sitemap.xml');
    expect(res.status).toBe(200);
    const index = parseXml(await res.text()).sitemapindex;
    expect(index['@_xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const children: string[] = index.sitemap.map((s: any) => s.loc);
    expect(children[0]).toBe('http://gazette.test/sitemaps/channels.xml');
    expect(children.at(-1)).toBe('http://gazette.test/sitemap-news.xml');
    const articlePages = children.filter((l) => /\/sitemaps\/articles-\d+\.xml$/.test(l));
    expect(articlePages.length).toBeGreaterThan(1);
    for (const s of index.sitemap.filter((s: any) => /articles-/.test(s.loc))) {
      expect(s.lastmod).toMatch(rfc3339);
    }

    // Every child is a valid sitemap; together they hold each public article exactly once.
    const all: string[] = [];
    for (const loc of articlePages) {
      const child = await getSmallPages(new URL(loc).pathname);
      expect(child.status).toBe(200);
      const urls = parseXml(await child.text()).urlset.url;
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.length).toBeLessThanOrEqual(2);
      all.push(...urls.map((u: any) => u.loc));
    }
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain(`http://gazette.test/articles/${visible.id}/${visible.slug}`);
    expect(all).toContain(`http://gazette.test/articles/${visible2.id}/${visible2.slug}`);
    for (const h of hidden)
      expect(all).not.toContain(`http://gazette.test/articles/${h.id}/${h.slug}`);

    const channels = parseXml(await (await getSmallPages('/sitemaps/channels.xml')).text());
    expect(channels.urlset.url[0].loc).toBe('http://gazette.test/');
  });

  it('answers unknown or empty sitemap pages with 404', async () => {
    await seedSite();
    await expectProblem(await get('/sitemaps/articles-999999.xml'), 404, 'not_found');
    await expectProblem(await get('/sitemaps/articles-0.xml'), 404, 'not_found');
    await expectProblem(await get('/sitemaps/other.xml'), 404, 'not_found');
    expect((await get('/sitemaps/articles-1.xml')).status).toBe(200);
  });
});

describe('GET /sitemap-news.xml', () => {
  it('lists articles of the last two days with Google News fields', async () => {
    const ch = await seedChannel(db);
    const fresh = await seedArticle(db, {
      channelSlug: ch.slug,
      title: '<b>新鲜</b> & 要闻',
      publishedAt: new Date(Date.now() - hour),
    });
    const english = await seedArticle(db, {
      channelSlug: ch.slug,
      title: 'Fresh news',
      lang: 'en',
      publishedAt: new Date(Date.now() - 2 * hour),
    });
    const old = await seedArticle(db, {
      channelSlug: ch.slug,
      publishedAt: new Date(Date.now() - 49 * hour),
    });
    const res = await get('/sitemap-news.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/xml; charset=utf-8');
    const text = await res.text();
    expect(text).not.toContain('<b>');
    const urlset = parseXml(text).urlset;
    expect(urlset['@_xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    const urls: any[] = urlset.url;
    const byLoc = new Map(urls.map((u) => [u.loc, u['news:news']]));
    expect(byLoc.has(`http://gazette.test/articles/${old.id}/${old.slug}`)).toBe(false);
    const news = byLoc.get(`http://gazette.test/articles/${fresh.id}/${fresh.slug}`);
    expect(news['news:publication']).toEqual({
      'news:name': 'Gazette 新闻网',
      'news:language': 'zh-cn',
    });
    expect(news['news:title']).toBe('<b>新鲜</b> & 要闻');
    expect(news['news:publication_date']).toMatch(rfc3339);
    const en = byLoc.get(`http://gazette.test/articles/${english.id}/${english.slug}`);
    expect(en['news:publication']['news:language']).toBe('en');
  });
});

describe('GET /robots.txt', () => {
  it('allows crawling, keeps bots off the API and points at both sitemaps', async () => {
    const res = await get('/robots.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/plain; charset=UTF-8');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=86400');
    const lines = (await res.text()).split('\n');
    expect(lines).toContain('User-agent: *');
    expect(lines).toContain('Disallow: /api/');
    expect(lines).toContain('Sitemap: http://gazette.test/sitemap.xml');
    expect(lines).toContain('Sitemap: http://gazette.test/sitemap-news.xml');
  });

  it('names the sitemaps on the host that was asked', async () => {
    const res = await getWithEnv('/robots.txt', {});
    expect(await res.text()).toContain('Sitemap: http://gazette.test/sitemap.xml');
  });
});
