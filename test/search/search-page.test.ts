import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, useClock, type Clock } from '../../src/lib/clock';
import { get, seedArticle, seedChannel, testDb, uniqueSlug } from '../helpers';
import { expectStrictCsp, getWithEnv, select, selectOne } from '../pages/html';

const at = Date.UTC(2025, 5, 1, 4);
let previous: Clock;
beforeAll(() => {
  previous = useClock(fixedClock(at));
});
afterAll(() => {
  useClock(previous);
});

const db = testDb();
const day = 86_400_000;

async function page(path: string) {
  const res = await get(path);
  return { res, html: await res.text() };
}

describe('GET /search', () => {
  it('shows the empty search page for an empty query', async () => {
    for (const path of ['/search', '/search?q=', '/search?q=%20']) {
      const { res, html } = await page(path);
      expect(res.status).toBe(200);
      expectStrictCsp(res, expect);
      expect((await selectOne(html, 'h1')).text).toBe('站内搜索');
      expect((await selectOne(html, 'p.empty')).text).toBe('请输入要搜索的关键词。');
      expect(await select(html, '.search-hit')).toHaveLength(0);
      expect((await selectOne(html, 'meta[name="robots"]')).attrs.content).toBe('noindex');
    }
  });

  it('lists the hits with the title and snippet marked, channel, date and source', async () => {
    const channel = await seedChannel(db, { name: '盘锦要闻' });
    const word = `湿地${uniqueSlug('x').slice(-5)}`;
    const { id, slug } = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `红海滩${word}保护`,
      body: `<p>第一段。</p><p>今年${word}保护成效明显。</p>`,
      source: '盘锦日报',
      publishedAt: new Date(at - day),
    });
    const { res, html } = await page(`/search?q=${encodeURIComponent(word)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBeTruthy();
    expect((await selectOne(html, 'h1')).text).toBe(`“${word}”的搜索结果`);
    expect((await selectOne(html, '.search-summary p[aria-live]')).text).toBe('共找到 1 条结果');
    const link = await selectOne(html, '.search-hit h2 a');
    expect(link.attrs.href).toBe(`/articles/${id}/${slug}`);
    expect((await selectOne(html, '.search-hit h2 mark')).text).toBe(word);
    expect((await selectOne(html, '.search-snippet mark')).text).toBe(word);
    const meta = (await selectOne(html, '.search-meta')).text;
    expect(meta).toContain('盘锦要闻');
    expect(meta).toContain('信息来源：盘锦日报');
    expect(meta).toContain('2025-05-31');
    // The header's box and the page's own form keep the query.
    expect((await selectOne(html, '#site-search-q')).attrs.value).toBe(word);
    expect((await selectOne(html, '#search-q')).attrs.value).toBe(word);
  });

  it('escapes the query and the stored text around the marks', async () => {
    const channel = await seedChannel(db);
    const word = `标记${uniqueSlug('x').slice(-5)}`;
    await seedArticle(db, {
      channelSlug: channel.slug,
      title: `<b>粗体</b> & ${word}`,
      body: `<p>a &lt;script&gt;alert(1)&lt;/script&gt; ${word}</p>`,
      publishedAt: new Date(at - day),
    });
    const found = await page(`/search?q=${encodeURIComponent(word)}`);
    expect(found.html).not.toContain('<b>粗体');
    expect(found.html).not.toContain('<script>alert(1)');
    // The markup around the marks is the stored text, escaped.
    expect(found.html).toContain(`&lt;b&gt;粗体&lt;/b&gt; &amp; <mark>${word}</mark>`);
    expect(found.html).toContain(`&lt;script&gt;alert(1)&lt;/script&gt; <mark>${word}</mark>`);

    const hostile = `${word} <script>alert(1)</script> "><img src=x onerror=alert(1)>`;
    const echoed = await page(`/search?q=${encodeURIComponent(hostile)}`);
    expect(echoed.res.status).toBe(200);
    expect(echoed.html).not.toContain('<script>alert(1)');
    expect(echoed.html).not.toContain('<img src=x');
    expect((await selectOne(echoed.html, '#search-q')).attrs.value).toBe(hostile);
    expect((await selectOne(echoed.html, 'h1')).rawText).toContain('&lt;script&gt;');
  });

  it('says so when nothing matches, and explains a query it cannot search', async () => {
    const none = await page(`/search?q=${encodeURIComponent('无此内容的关键词组合')}`);
    expect(none.res.status).toBe(200);
    expect((await selectOne(none.html, 'p.empty')).text).toBe(
      '没有找到相关内容，请换个关键词试试。',
    );

    const tooLong = await page(`/search?q=${'长'.repeat(500)}`);
    expect(tooLong.res.status).toBe(400);
    expect(tooLong.res.headers.get('Cache-Control')).toBe('no-store');
    expect((await selectOne(tooLong.html, '.search-problem')).text).toContain('100');

    const excludedOnly = await page(`/search?q=${encodeURIComponent('-盘锦')}`);
    expect(excludedOnly.res.status).toBe(400);
    expect((await selectOne(excludedOnly.html, '.search-problem')).text).toContain('减号');
  });

  it('pages through many hits and sorts by time on request', async () => {
    const channel = await seedChannel(db);
    const word = `分页${uniqueSlug('x').slice(-5)}`;
    const ids: number[] = [];
    for (let i = 0; i < 22; i++) {
      const { id } = await seedArticle(db, {
        channelSlug: channel.slug,
        title: `${word}第${i}篇`,
        publishedAt: new Date(at - (i + 1) * day),
      });
      ids.push(id);
    }
    const first = await page(`/search?q=${encodeURIComponent(word)}&sort=latest`);
    expect(await select(first.html, '.search-hit')).toHaveLength(20);
    expect(
      (await select(first.html, '.search-hit h2 a')).map((a) => a.attrs.href!.split('/')[2]),
    ).toEqual(ids.slice(0, 20).map(String));
    const next = await selectOne(first.html, 'a[rel="next"]');
    const second = await page(next.attrs.href!);
    expect(
      (await select(second.html, '.search-hit h2 a')).map((a) => a.attrs.href!.split('/')[2]),
    ).toEqual(ids.slice(20).map(String));
    expect(await select(second.html, 'a[rel="next"]')).toHaveLength(0);
    expect((await selectOne(second.html, 'ol.search-results')).attrs.start).toBe('21');
  });

  it('answers the error page for a bad page number or sort', async () => {
    expect((await get('/search?q=盘锦&page=0')).status).toBe(400);
    expect((await get('/search?q=盘锦&sort=popular')).status).toBe(400);
  });
});

describe('search discovery on every page', () => {
  it('puts a plain GET search form and the OpenSearch link in the header', async () => {
    for (const path of ['/', '/search', '/no-such-page']) {
      const html = await (await get(path)).text();
      const form = await selectOne(html, 'header form[role="search"]');
      expect(form.attrs).toMatchObject({ action: '/search', method: 'get' });
      expect((await selectOne(html, 'header input[name="q"]')).attrs.type).toBe('search');
      expect((await selectOne(html, 'link[rel="search"]')).attrs).toMatchObject({
        type: 'application/opensearchdescription+xml',
        href: '/opensearch.xml',
      });
    }
  });

  it('serves the OpenSearch description pointing at /search', async () => {
    const res = await get('/opensearch.xml');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(
      'application/opensearchdescription+xml; charset=utf-8',
    );
    const xml = await res.text();
    expect(xml).toContain('<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/"');
    expect(xml).toContain('template="http://gazette.test/search?q={searchTerms}"');
    expect(xml).toMatch(/<ShortName>[^<]{1,16}<\/ShortName>/);
  });

  it('describes the site and its search action in JSON-LD on the home page', async () => {
    const html = await (await get('/')).text();
    const blocks = (await select(html, 'script[type="application/ld+json"]')).map((s) =>
      JSON.parse(s.text),
    );
    const site = blocks.find((b) => b['@type'] === 'WebSite');
    expect(site).toMatchObject({
      url: 'http://gazette.test/',
      potentialAction: {
        '@type': 'SearchAction',
        target: { urlTemplate: 'http://gazette.test/search?q={search_term_string}' },
        'query-input': 'required name=search_term_string',
      },
    });
  });

  it('labels the search in English when the site is English', async () => {
    const res = await getWithEnv('/search', { SITE_LANG: 'en' });
    const html = await res.text();
    expect((await selectOne(html, 'h1')).text).toBe('Search');
    expect((await selectOne(html, 'header button')).text).toBe('Search');
  });
});
