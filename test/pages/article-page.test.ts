import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import { patchChannel } from '../../src/authoring/taxonomy';
import { assetManifest } from '../../src/asset-manifest.gen';
import { get, seedArticle, seedChannel, testDb, uniqueSlug, clockAt } from '../helpers';
import { expectStrictCsp, getWithEnv, select, selectOne } from './html';
import { now as clockNow } from '../../src/lib/clock';

// This file's data carries fixed dates in 2021-2024.
clockAt('2021-10-08T12:00:00+08:00');

const db = testDb();
const published = new Date('2021-09-30T10:00:00+08:00');

async function seedTree() {
  const parent = await seedChannel(db, { name: '要闻动态' });
  const child = await seedChannel(db, { name: '盘锦要闻', parentSlug: parent.slug });
  return { parent, child };
}

async function seedPolicyArticle(channelSlug: string) {
  return seedArticle(db, {
    channelSlug,
    title: '关于进一步做好老旧小区改造工作的通知',
    subtitle: '改造工程惠及更多居民',
    body: '<p>第一段。</p><p>第二段，<a href="https://example.org/x">链接</a>。</p>',
    source: '市人民政府办公室',
    author: '记者 王晓明',
    publishedAt: published,
    viewBase: 712,
    tags: [
      { slug: uniqueSlug('tag'), name: '老旧小区改造' },
      { slug: uniqueSlug('tag'), name: '民生' },
    ],
    attachments: [
      {
        name: '实施细则.pdf',
        url: 'https://files.example.org/docs/1.pdf',
        size: 120_000,
        contentType: 'application/pdf',
      },
    ],
    document: {
      indexNumber: '11210000-2021-00001',
      documentNumber: '市政办发〔2021〕1号',
      dateWritten: '2021-09-28',
      issuingBody: '市人民政府办公室',
    },
  });
}

describe('GET /articles/:id/:slug', () => {
  it('renders the article with breadcrumb, meta line, body and cache headers', async () => {
    const { parent, child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const res = await get(`/articles/${a.id}/${a.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html; charset=utf-8$/i);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expectStrictCsp(res, expect);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);

    expect((await selectOne(html, 'html')).attrs.lang).toBe('zh-CN');
    const crumbs = await selectOne(html, 'nav.breadcrumb ol');
    expect(crumbs.text).toBe('首页 > 要闻动态 > 盘锦要闻');
    const crumbLinks = await select(html, 'nav.breadcrumb a');
    expect(crumbLinks.map((l) => l.attrs.href)).toEqual([
      '/',
      `/channels/${parent.slug}`,
      `/channels/${child.slug}`,
    ]);

    const h1 = await select(html, 'h1');
    expect(h1.map((h) => h.text)).toEqual(['关于进一步做好老旧小区改造工作的通知']);
    expect((await selectOne(html, '.article-subtitle')).text).toBe('改造工程惠及更多居民');
    const meta = await selectOne(html, '.article-meta');
    expect(meta.text).toBe(
      '发布时间：2021-09-30 10:00 · 信息来源：市人民政府办公室 · 浏览次数：712',
    );
    expect((await selectOne(html, '.article-meta time')).attrs.datetime).toBe(
      '2021-09-30T10:00:00+08:00',
    );
    expect((await selectOne(html, '[data-views]')).text).toBe('712');
    const body = await selectOne(html, '.article-body');
    expect(body.rawText).toContain('第一段。');
    expect(html).toContain('<a href="https://example.org/x" rel="noopener noreferrer">链接</a>');
    expect((await selectOne(html, '.article-author')).text).toBe('作者：记者 王晓明');
    // The title of the document names the site too.
    expect((await selectOne(html, 'title')).text).toBe(
      '关于进一步做好老旧小区改造工作的通知 - Gazette 新闻网',
    );
  });

  it('shows policy-document fields, attachments and tags', async () => {
    const { child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    const fields = await select(html, '.doc-info .doc-field');
    expect(fields.map((f) => f.text)).toEqual([
      '索引号：11210000-2021-00001',
      '发布机构：市人民政府办公室',
      '成文日期：2021-09-28',
      '文号：市政办发〔2021〕1号',
    ]);
    const attachmentLinks = await select(html, '.attachments a');
    expect(attachmentLinks).toHaveLength(1);
    expect(attachmentLinks[0]!.attrs.href).toBe('https://files.example.org/docs/1.pdf');
    expect(attachmentLinks[0]!.text).toBe('实施细则.pdf');
    expect((await selectOne(html, '.attachments li')).text).toBe('实施细则.pdf（118 KB）');
    expect((await selectOne(html, '#attachments-heading')).text).toBe('附件');
    expect((await select(html, '.tags li')).map((t) => t.text)).toEqual(['老旧小区改造', '民生']);
  });

  it('leaves out the document, attachment and tag sections when the article has none', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    expect(await select(html, '.doc-info')).toHaveLength(0);
    expect(await select(html, '.attachments')).toHaveLength(0);
    expect(await select(html, '.tags')).toHaveLength(0);
    expect(await select(html, '.article-subtitle')).toHaveLength(0);
  });

  it('links the previous and next article of the channel, or says there is none', async () => {
    const { child } = await seedTree();
    const older = await seedArticle(db, {
      channelSlug: child.slug,
      title: '较早的文章',
      publishedAt: new Date(published.getTime() - 86_400_000),
    });
    const middle = await seedArticle(db, { channelSlug: child.slug, publishedAt: published });
    const html = await (await get(`/articles/${middle.id}/${middle.slug}`)).text();
    const prev = await selectOne(html, '.neighbour-prev a');
    expect(prev.attrs.href).toBe(`/articles/${older.id}/${older.slug}`);
    expect(prev.attrs.rel).toBe('prev');
    expect(prev.text).toBe('较早的文章');
    expect((await selectOne(html, '.neighbour-next')).text).toBe('下一篇：没有了');

    const olderHtml = await (await get(`/articles/${older.id}/${older.slug}`)).text();
    expect((await selectOne(olderHtml, '.neighbour-prev')).text).toBe('上一篇：没有了');
    expect((await selectOne(olderHtml, '.neighbour-next a')).attrs.href).toBe(
      `/articles/${middle.id}/${middle.slug}`,
    );
  });

  it('loads only hashed, same-origin scripts and styles, with nothing inline', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    const scripts = await select(html, 'script');
    const external = scripts.filter((s) => s.attrs.src);
    expect(external.map((s) => s.attrs.src)).toEqual([assetManifest['/assets/article.js']]);
    expect(assetManifest['/assets/article.js']).toMatch(/^\/assets\/article\.[0-9a-f]{10}\.js$/);
    expect(external[0]!.attrs.defer).toBeDefined();
    // The only script without src is JSON-LD data, which never runs.
    for (const s of scripts.filter((s) => !s.attrs.src)) {
      expect(s.attrs.type).toBe('application/ld+json');
    }
    const styles = await select(html, 'link[rel="stylesheet"]');
    expect(styles.map((s) => s.attrs.href)).toEqual([assetManifest['/assets/site.css']]);
    expect(await select(html, 'style')).toHaveLength(0);
    expect(await select(html, '[style]')).toHaveLength(0);
    expect(await select(html, '[onclick]')).toHaveLength(0);
    // Font switch and print button wait, hidden, for the script that makes them work.
    const tools = await selectOne(html, '.article-tools');
    expect(tools.attrs.hidden).toBeDefined();
    expect((await select(html, '.article-tools button[data-font]')).map((b) => b.text)).toEqual([
      '大',
      '中',
      '小',
    ]);
    expect((await selectOne(html, 'article')).attrs['data-article-id']).toBe(String(a.id));
  });

  it('has landmarks, a skip link and one h1', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    const skip = await selectOne(html, 'a.skip-link');
    expect(skip.attrs.href).toBe('#main');
    expect(skip.text).toBe('跳到主要内容');
    expect((await selectOne(html, 'main')).attrs.id).toBe('main');
    expect(await select(html, 'header.site-header')).toHaveLength(1);
    expect(await select(html, 'footer.site-footer')).toHaveLength(1);
    expect((await selectOne(html, 'nav.main-nav')).attrs['aria-label']).toBe('栏目导航');
    expect((await selectOne(html, 'nav.breadcrumb')).attrs['aria-label']).toBe('当前位置');
    expect(await select(html, 'h1')).toHaveLength(1);
    expect((await selectOne(html, 'meta[name="viewport"]')).attrs.content).toBe(
      'width=device-width, initial-scale=1',
    );
  });

  it('marks the language of an article that differs from the site', async () => {
    const ch = await seedChannel(db, { name: 'City News' });
    const a = await seedArticle(db, {
      channelSlug: ch.slug,
      title: 'Riverside park reopens',
      lang: 'en',
      body: '<p>The park reopened.</p>',
    });
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('zh-CN');
    expect((await selectOne(html, 'h1')).attrs.lang).toBe('en');
    expect((await selectOne(html, '.article-body')).attrs.lang).toBe('en');
  });

  it('answers a matching If-None-Match with 304 and a HEAD without a body', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const first = await get(`/articles/${a.id}/${a.slug}`);
    const etag = first.headers.get('ETag')!;
    const again = await get(`/articles/${a.id}/${a.slug}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(etag);
    expect(again.headers.get('Cache-Control')).toContain('max-age=60');
    // Browsers copy a 304's headers onto the kept page: it must carry the page's own policy.
    expect(again.headers.get('Content-Security-Policy')).toBe(
      first.headers.get('Content-Security-Policy'),
    );
    expect(await again.text()).toBe('');

    const head = await get(`/articles/${a.id}/${a.slug}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toMatch(/text\/html/);
    expect(await head.text()).toBe('');
  });
});

describe('canonical URL and discovery metadata', () => {
  it('has canonical, OpenGraph, Twitter and feed links', async () => {
    const { child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    const canonical = `http://gazette.test/articles/${a.id}/${a.slug}`;
    expect((await selectOne(html, 'link[rel="canonical"]')).attrs.href).toBe(canonical);
    const og = async (p: string) => (await selectOne(html, `meta[property="${p}"]`)).attrs.content;
    expect(await og('og:type')).toBe('article');
    expect(await og('og:title')).toBe('关于进一步做好老旧小区改造工作的通知');
    expect(await og('og:url')).toBe(canonical);
    expect(await og('og:site_name')).toBe('Gazette 新闻网');
    expect(await og('og:locale')).toBe('zh_CN');
    expect(await og('og:description')).toBe('第一段。 第二段，链接。');
    expect(await og('article:published_time')).toBe('2021-09-30T10:00:00+08:00');
    expect(await og('article:section')).toBe('盘锦要闻');
    const tw = async (n: string) => (await selectOne(html, `meta[name="${n}"]`)).attrs.content;
    expect(await tw('twitter:card')).toBe('summary');
    expect(await tw('twitter:title')).toBe('关于进一步做好老旧小区改造工作的通知');
    expect(await tw('description')).toBe('第一段。 第二段，链接。');

    const feeds = (await select(html, 'link[rel="alternate"]')).filter((f) =>
      /rss|atom|feed\+json/.test(f.attrs.type ?? ''),
    );
    expect(feeds.map((f) => [f.attrs.type, f.attrs.href])).toEqual([
      ['application/rss+xml', '/feed.xml'],
      ['application/atom+xml', '/atom.xml'],
      ['application/feed+json', '/feed.json'],
      ['application/rss+xml', `/channels/${child.slug}/feed.xml`],
      ['application/atom+xml', `/channels/${child.slug}/atom.xml`],
      ['application/feed+json', `/channels/${child.slug}/feed.json`],
    ]);
    expect(feeds.every((f) => f.attrs.title)).toBe(true);
  });

  it('describes the article as a schema.org NewsArticle in JSON-LD', async () => {
    const { parent, child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const html = await (await get(`/articles/${a.id}/${a.slug}`)).text();
    const block = await selectOne(html, 'script[type="application/ld+json"]');
    const data = JSON.parse(block.rawText);
    expect(data['@context']).toBe('https://schema.org');
    const news = data['@graph'].find((n: any) => n['@type'] === 'NewsArticle');
    expect(news).toMatchObject({
      headline: '关于进一步做好老旧小区改造工作的通知',
      alternativeHeadline: '改造工程惠及更多居民',
      datePublished: '2021-09-30T10:00:00+08:00',
      inLanguage: 'zh-CN',
      url: `http://gazette.test/articles/${a.id}/${a.slug}`,
      mainEntityOfPage: { '@id': `http://gazette.test/articles/${a.id}/${a.slug}` },
      author: { '@type': 'Person', name: '记者 王晓明' },
      publisher: { '@type': 'Organization', name: 'Gazette 新闻网' },
      articleSection: '盘锦要闻',
      keywords: ['老旧小区改造', '民生'],
    });
    expect(typeof news.dateModified).toBe('string');
    const crumbs = data['@graph'].find((n: any) => n['@type'] === 'BreadcrumbList');
    expect(crumbs.itemListElement.map((i: any) => [i.position, i.name, i.item])).toEqual([
      [1, '首页', 'http://gazette.test/'],
      [2, '要闻动态', `http://gazette.test/channels/${parent.slug}`],
      [3, '盘锦要闻', `http://gazette.test/channels/${child.slug}`],
    ]);
  });
});

describe('escaping of stored text', () => {
  const hostile = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>';

  it('escapes hostile titles, names and sources everywhere, and keeps the body sanitized', async () => {
    const parent = await seedChannel(db, { name: `<b>栏目</b>${hostile}` });
    const a = await seedArticle(db, {
      channelSlug: parent.slug,
      title: `<script>alert(1)</script>${hostile}`,
      subtitle: `"><img onerror=alert(3)>`,
      source: `<i>来源</i>${hostile}`,
      author: hostile,
      summary: hostile,
      body: '<p>正文<script>alert(4)</script><img src="https://example.org/a.png" onerror="alert(5)"></p><a href="javascript:alert(6)">x</a>',
      tags: [{ slug: uniqueSlug('tag'), name: hostile }],
      attachments: [
        { name: hostile, url: 'javascript:alert(7)', size: 10, contentType: 'text/plain' },
      ],
      document: {
        indexNumber: hostile,
        documentNumber: null,
        dateWritten: null,
        issuingBody: null,
      },
    });
    const res = await get(`/articles/${a.id}/${a.slug}`);
    expect(res.status).toBe(200);
    const html = await res.text();

    // Nothing from the stored values becomes markup: one real <script src>, one JSON-LD block.
    expect(await select(html, 'script')).toHaveLength(2);
    expect(await select(html, 'img[onerror]')).toHaveLength(0);
    expect(await select(html, '[onerror]')).toHaveLength(0);
    expect(await select(html, 'b')).toHaveLength(0);
    expect(await select(html, 'i')).toHaveLength(0);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/javascript:/i);

    // Readers still see the text as typed.
    expect((await selectOne(html, 'h1')).text).toBe(`<script>alert(1)</script>${hostile}`);
    expect((await selectOne(html, '.article-subtitle')).text).toBe(`"><img onerror=alert(3)>`);
    expect((await selectOne(html, '.article-source')).text).toBe(`<i>来源</i>${hostile}`);
    expect((await selectOne(html, 'title')).text).toContain('<script>alert(1)</script>');
    expect((await selectOne(html, 'meta[property="og:title"]')).attrs.content).toBe(
      `<script>alert(1)</script>${hostile}`,
    );
    expect((await selectOne(html, '.tags li')).text).toBe(hostile);
    // A javascript: attachment is named but not linked.
    expect(await select(html, '.attachments a')).toHaveLength(0);
    expect((await selectOne(html, '.attachments li')).text).toContain(hostile);

    // JSON-LD cannot be closed early, and still parses back to the exact title.
    const block = await selectOne(html, 'script[type="application/ld+json"]');
    expect(block.rawText).not.toContain('<');
    const news = JSON.parse(block.rawText)['@graph'][0];
    expect(news.headline).toBe(`<script>alert(1)</script>${hostile}`);

    // The body keeps its text and safe image, minus the script and handlers (sanitized on write).
    const body = await selectOne(html, '.article-body');
    expect(body.rawText).toContain('正文');
    expect((await selectOne(html, '.article-body img')).attrs.src).toBe(
      'https://example.org/a.png',
    );
  });
});

describe('article URLs that are not canonical', () => {
  it('redirects /articles/:id permanently to the canonical URL', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const res = await get(`/articles/${a.id}`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe(`/articles/${a.id}/${a.slug}`);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
  });

  it('redirects a stale slug, keeping the query string', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const res = await get(`/articles/${a.id}/old-slug?utm_source=x`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe(`/articles/${a.id}/${a.slug}?utm_source=x`);
  });

  it('redirects /articles/:slug to the canonical URL', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug });
    const res = await get(`/articles/${a.slug}`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe(`/articles/${a.id}/${a.slug}`);
  });
});

async function expectErrorPage(res: Response, status: number, title: string, lang = 'zh-CN') {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^text\/html; charset=utf-8$/i);
  expectStrictCsp(res, expect);
  const html = await res.text();
  expect((await selectOne(html, 'html')).attrs.lang).toBe(lang);
  expect((await selectOne(html, 'h1')).text).toBe(title);
  expect((await selectOne(html, 'meta[name="robots"]')).attrs.content).toBe('noindex');
  expect((await selectOne(html, 'a.button-link')).attrs.href).toBe('/');
  return html;
}

describe('missing and withdrawn articles', () => {
  it('answers an unknown id with a 404 page in the site language', async () => {
    const res = await get('/articles/987654321/whatever');
    await expectErrorPage(res, 404, '页面不存在');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
  });

  it('answers drafts and scheduled articles with 404 too', async () => {
    const { child } = await seedTree();
    const draft = await seedArticle(db, {
      channelSlug: child.slug,
      status: 'draft',
      publishedAt: null,
    });
    const scheduled = await seedArticle(db, {
      channelSlug: child.slug,
      publishedAt: new Date(clockNow() + 86_400_000),
    });
    await expectErrorPage(await get(`/articles/${draft.id}/${draft.slug}`), 404, '页面不存在');
    await expectErrorPage(await get(`/articles/${scheduled.id}`), 404, '页面不存在');
  });

  it('answers malformed ids with 404', async () => {
    await expectErrorPage(await get('/articles/0/x'), 404, '页面不存在');
    await expectErrorPage(await get('/articles/12abc/x'), 404, '页面不存在');
    await expectErrorPage(await get('/articles/NOT_A_SLUG'), 404, '页面不存在');
  });

  it('answers a withdrawn article with a 410 page, without its title', async () => {
    const { child } = await seedTree();
    const a = await seedArticle(db, { channelSlug: child.slug, title: '撤回的通知标题' });
    await setArticleStatus(db, a.id, 'archived');
    const res = await get(`/articles/${a.id}/${a.slug}`);
    const html = await expectErrorPage(res, 410, '文章已撤回');
    expect(html).not.toContain('撤回的通知标题');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    // Short links and stale slugs say the same, rather than redirecting to a gone page.
    expect((await get(`/articles/${a.id}`, { redirect: 'manual' })).status).toBe(410);
    expect((await get(`/articles/${a.id}/stale`, { redirect: 'manual' })).status).toBe(410);
  });
});

describe('English labels (SITE_LANG=en)', () => {
  it('renders labels, lang and dates in English for an English site', async () => {
    const ch = await seedChannel(db, { name: 'City News' });
    const a = await seedArticle(db, {
      channelSlug: ch.slug,
      title: 'Night buses extended',
      source: 'City Media Centre',
      lang: 'en',
      publishedAt: published,
      viewBase: 5,
    });
    const res = await getWithEnv(`/articles/${a.id}/${a.slug}`, {
      SITE_LANG: 'en',
      SITE_NAME: 'City Portal',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('en');
    expect((await selectOne(html, 'nav.breadcrumb ol')).text).toBe('Home > City News');
    expect((await selectOne(html, '.article-meta')).text).toBe(
      'Published: 2021-09-30 10:00 · Source: City Media Centre · Views: 5',
    );
    expect((await selectOne(html, 'a.skip-link')).text).toBe('Skip to main content');
    expect((await selectOne(html, '.neighbour-prev')).text).toBe('Previous: None');
    expect((await selectOne(html, 'meta[property="og:locale"]')).attrs.content).toBe('en_US');
    expect((await selectOne(html, 'title')).text).toBe('Night buses extended - City Portal');
  });

  it('renders 404 and 410 pages in English', async () => {
    const missing = await getWithEnv('/articles/987654321/x', { SITE_LANG: 'en' });
    await expectErrorPage(missing, 404, 'Page not found', 'en');
    const ch = await seedChannel(db);
    const a = await seedArticle(db, { channelSlug: ch.slug });
    await setArticleStatus(db, a.id, 'archived');
    const gone = await getWithEnv(`/articles/${a.id}/${a.slug}`, { SITE_LANG: 'en' });
    await expectErrorPage(gone, 410, 'Article withdrawn', 'en');
  });
});

describe('the site chrome, rendered once per isolate', () => {
  it('shows a renamed channel in the menu and breadcrumb, the current one marked, on the very next page', async () => {
    const { parent, child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const other = await seedArticle(db, { channelSlug: (await seedChannel(db, {})).slug });
    const path = `/articles/${a.id}/${a.slug}`;
    const menuLink = async (p: string, slug: string) =>
      selectOne(await (await get(p)).text(), `nav.main-nav a[href="/channels/${slug}"]`);
    expect((await menuLink(path, parent.slug)).text).toBe('要闻动态');
    expect((await menuLink(path, parent.slug)).attrs['aria-current']).toBe('true');
    // Another article's page, from the same rendered menu, marks its own channel only.
    const elsewhere = await menuLink(`/articles/${other.id}/${other.slug}`, parent.slug);
    expect(elsewhere.attrs['aria-current']).toBeUndefined();

    await patchChannel(
      db,
      parent.slug,
      { name: '新闻<中心>' },
      { actor: { name: 'editor', role: 'editor' } },
    );
    const renamed = await menuLink(path, parent.slug);
    expect(renamed.text).toBe('新闻<中心>');
    const html = await (await get(path)).text();
    expect(html).toContain('新闻&lt;中心&gt;</a>');
    expect(html).not.toContain('新闻<中心>');
    // The breadcrumb, shared by every article of the channel, follows too.
    expect((await selectOne(html, 'nav.breadcrumb ol')).text).toBe('首页 > 新闻<中心> > 盘锦要闻');
  });

  it('uses the site name and language of the environment the request runs in', async () => {
    const { child } = await seedTree();
    const a = await seedPolicyArticle(child.slug);
    const path = `/articles/${a.id}/${a.slug}`;
    const zh = await (await get(path)).text();
    const en = await (await getWithEnv(path, { SITE_LANG: 'en', SITE_NAME: 'City Portal' })).text();
    expect((await selectOne(zh, '.site-name')).text).toBe('Gazette 新闻网');
    expect((await selectOne(en, '.site-name')).text).toBe('City Portal');
    expect((await select(en, 'nav.main-nav a'))[0]!.text).toBe('Home');
    expect((await select(zh, 'nav.main-nav a'))[0]!.text).toBe('首页');
    const footer = async (page: string) => (await select(page, '.site-footer p')).at(-1)!.text;
    expect(await footer(en)).not.toBe(await footer(zh));
    expect((await selectOne(en, 'link[rel="search"]')).attrs.title).toBe('City Portal');
  });
});
