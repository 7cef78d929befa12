import { describe, expect, it } from 'vitest';
import { articleViewsDaily } from '../../src/db/schema';
import { zonedDay } from '../../src/lib/time';
import { get, seedArticle, seedChannel, testDb } from '../helpers';
import { expectStrictCsp, getWithEnv, select, selectOne } from './html';
import { now as clockNow, nowDate } from '../../src/lib/clock';

const db = testDb();
const hour = 3_600_000;

describe('GET /', () => {
  it('shows the latest articles of each top-level channel, sub-channels included', async () => {
    const top = await seedChannel(db, { name: '要闻动态', position: 1 });
    const sub = await seedChannel(db, { name: '盘锦要闻', parentSlug: top.slug });
    const older = await seedArticle(db, {
      channelSlug: top.slug,
      title: '较早的要闻',
      publishedAt: new Date(clockNow() - 5 * hour),
    });
    const newer = await seedArticle(db, {
      channelSlug: sub.slug,
      title: '子栏目的最新要闻',
      publishedAt: new Date(clockNow() - hour),
    });
    await seedArticle(db, {
      channelSlug: sub.slug,
      title: '草稿',
      status: 'draft',
      publishedAt: null,
    });
    await seedArticle(db, {
      channelSlug: sub.slug,
      title: '定时发布',
      publishedAt: new Date(clockNow() + hour),
    });

    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.get('ETag')).toBeTruthy();
    expectStrictCsp(res, expect);
    const html = await res.text();

    const section = await selectOne(html, `section[aria-labelledby="section-${top.slug}"]`);
    expect(section.text).toContain('要闻动态');
    const links = await select(html, `section[aria-labelledby="section-${top.slug}"] .news-list a`);
    expect(links.map((l) => [l.text, l.attrs.href])).toEqual([
      ['子栏目的最新要闻', `/articles/${newer.id}/${newer.slug}`],
      ['较早的要闻', `/articles/${older.id}/${older.slug}`],
    ]);
    const more = await selectOne(html, `section[aria-labelledby="section-${top.slug}"] a.more`);
    expect(more.attrs.href).toBe(`/channels/${top.slug}`);
    expect(more.attrs['aria-label']).toBe('更多要闻动态');
    expect(html).not.toContain('草稿');
    expect(html).not.toContain('定时发布');
    // Sub-channels get no section of their own.
    expect(await select(html, `section[aria-labelledby="section-${sub.slug}"]`)).toHaveLength(0);
  });

  it('lists the most-read articles in order, beside the main content', async () => {
    const ch = await seedChannel(db);
    const top = await seedArticle(db, {
      channelSlug: ch.slug,
      title: '阅读最多',
      viewBase: 9_000_002,
    });
    const second = await seedArticle(db, {
      channelSlug: ch.slug,
      title: '阅读第二',
      viewBase: 9_000_001,
    });
    const html = await (await get('/')).text();
    const popular = await selectOne(html, 'aside.popular');
    expect(popular.attrs['aria-labelledby']).toBe('popular-heading');
    expect((await selectOne(html, '#popular-heading')).text).toBe('热门文章');
    const items = await select(html, 'aside.popular ol.news-list li');
    expect(items[0]!.text).toMatch(/^阅读最多 \d{4}-\d{2}-\d{2}$/);
    expect(items[1]!.text).toMatch(/^阅读第二 /);
    const links = await select(html, 'aside.popular a');
    expect(links.slice(0, 2).map((l) => l.attrs.href)).toEqual([
      `/articles/${top.id}/${top.slug}`,
      `/articles/${second.id}/${second.slug}`,
    ]);
    // The complementary landmark sits beside <main>, not inside it.
    expect(html.indexOf('<aside')).toBeGreaterThan(html.indexOf('</main>'));
  });

  it('has the site menu, one h1, a canonical link and feed discovery', async () => {
    const ch = await seedChannel(db, { name: '便民服务' });
    const html = await (await get('/')).text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('zh-CN');
    expect((await select(html, 'h1')).map((h) => h.text)).toEqual(['Gazette 新闻网']);
    const menu = await select(html, 'nav.main-nav a');
    expect(menu[0]!.text).toBe('首页');
    expect(menu[0]!.attrs['aria-current']).toBe('page');
    expect(menu.map((m) => m.attrs.href)).toContain(`/channels/${ch.slug}`);
    expect((await selectOne(html, 'link[rel="canonical"]')).attrs.href).toBe(
      'http://gazette.test/',
    );
    expect((await select(html, 'link[rel="alternate"]')).map((l) => l.attrs.href)).toEqual([
      '/feed.xml',
      '/atom.xml',
      '/feed.json',
    ]);
    expect((await selectOne(html, 'title')).text).toBe('Gazette 新闻网');
  });

  it('escapes hostile channel names and titles', async () => {
    const ch = await seedChannel(db, { name: '<script>alert(1)</script>' });
    await seedArticle(db, { channelSlug: ch.slug, title: '"><img src=x onerror=alert(1)>' });
    const html = await (await get('/')).text();
    expect(await select(html, 'img')).toHaveLength(0);
    // The only inline script is JSON-LD data (WebSite), which browsers never run.
    expect(await select(html, 'script:not([src]):not([type="application/ld+json"])')).toHaveLength(
      0,
    );
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('ranks articles read in the last days above all-time favourites', async () => {
    const ch = await seedChannel(db);
    const trending = await seedArticle(db, {
      channelSlug: ch.slug,
      title: '近期热点',
      viewBase: 3,
    });
    await db.insert(articleViewsDaily).values({
      articleId: trending.id,
      day: zonedDay(nowDate(), 'Asia/Shanghai'),
      shard: 0,
      views: 40,
      visitors: 30,
    });
    const html = await (await get('/')).text();
    const links = await select(html, 'aside.popular a');
    expect(links[0]!.attrs.href).toBe(`/articles/${trending.id}/${trending.slug}`);
    // All-time favourites still fill the rest of the list.
    expect(links.length).toBeGreaterThan(1);
    expect(new Set(links.map((l) => l.attrs.href)).size).toBe(links.length);
  });

  it('uses English labels when SITE_LANG=en', async () => {
    await seedChannel(db, { name: 'City News' });
    const html = await (
      await getWithEnv('/', { SITE_LANG: 'en', SITE_NAME: 'City Portal' })
    ).text();
    expect((await selectOne(html, 'html')).attrs.lang).toBe('en');
    expect((await selectOne(html, '#popular-heading')).text).toBe('Most read');
    expect((await select(html, 'nav.main-nav a'))[0]!.text).toBe('Home');
    expect((await select(html, 'a.more'))[0]!.text).toBe('More');
    expect((await selectOne(html, 'h1')).text).toBe('City Portal');
  });
});
