import { describe, expect, it } from 'vitest';
import { pageWindow } from '../../src/pages/list-pages';
import { get, seedArticle, seedChannel, testDb, clockAt } from '../helpers';
import { expectStrictCsp, getWithEnv, select, selectOne } from './html';

// This file's data carries fixed dates in 2021-2024.
clockAt('2024-03-02T12:00:00+08:00');

const db = testDb();
const base = Date.parse('2024-03-01T12:00:00+08:00');
const minute = 60_000;

/** A channel with n articles, one a minute, newest first as numbered titles 1..n. */
async function seedListedChannel(n: number) {
  const parent = await seedChannel(db, { name: '政务公开' });
  const channel = await seedChannel(db, {
    name: '政策文件',
    parentSlug: parent.slug,
  });
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) {
    const a = await seedArticle(db, {
      channelSlug: channel.slug,
      title: `文件 ${i}`,
      publishedAt: new Date(base - i * minute),
    });
    ids.push(a.id);
  }
  return { parent, channel, ids };
}

describe('GET /channels/:slug', () => {
  it('lists the channel newest first with its breadcrumb, dates and page links', async () => {
    const { parent, channel } = await seedListedChannel(45);
    const res = await get(`/channels/${channel.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.get('ETag')).toBeTruthy();
    expectStrictCsp(res, expect);
    const html = await res.text();

    expect((await selectOne(html, 'nav.breadcrumb ol')).text).toBe('首页 > 政务公开 > 政策文件');
    expect((await select(html, 'nav.breadcrumb a')).map((a) => a.attrs.href)).toEqual([
      '/',
      `/channels/${parent.slug}`,
    ]);
    expect((await selectOne(html, 'nav.breadcrumb [aria-current="page"]')).text).toBe('政策文件');
    expect((await selectOne(html, 'h1')).text).toBe('政策文件');
    // The menu marks the top-level channel this one belongs to.
    expect((await selectOne(html, 'nav.main-nav a[aria-current]')).attrs.href).toBe(
      `/channels/${parent.slug}`,
    );

    const items = await select(html, '.news-list li');
    expect(items).toHaveLength(20);
    expect(items[0]!.text).toBe('文件 1 2024-03-01');
    expect(items[19]!.text).toBe('文件 20 2024-03-01');
    expect((await selectOne(html, '.page-summary')).text).toBe('共 45 条，第 1/3 页');

    const pageLinks = await select(html, 'nav.pagination a');
    expect(pageLinks.map((a) => [a.text, a.attrs.href])).toEqual([
      ['2', `/channels/${channel.slug}?page=2`],
      ['3', `/channels/${channel.slug}?page=3`],
      ['下一页', `/channels/${channel.slug}?page=2`],
    ]);
    const current = await selectOne(html, 'nav.pagination [aria-current="page"]');
    expect(current.text).toBe('1');
    expect((await selectOne(html, 'nav.pagination')).attrs['aria-label']).toBe('分页');
    expect((await selectOne(html, 'link[rel="canonical"]')).attrs.href).toBe(
      `http://gazette.test/channels/${channel.slug}`,
    );
    expect((await select(html, 'link[rel="alternate"]')).map((l) => l.attrs.href)).toEqual([
      `/channels/${channel.slug}/feed.xml`,
      `/channels/${channel.slug}/atom.xml`,
      `/channels/${channel.slug}/feed.json`,
      '/feed.xml',
      '/atom.xml',
      '/feed.json',
    ]);

    const page2 = await (await get(`/channels/${channel.slug}?page=2`)).text();
    expect((await select(page2, '.news-list li'))[0]!.text).toBe('文件 21 2024-03-01');
    expect((await selectOne(page2, 'title')).text).toBe('政策文件（第 2 页） - Gazette 新闻网');
    expect((await selectOne(page2, 'link[rel="canonical"]')).attrs.href).toBe(
      `http://gazette.test/channels/${channel.slug}?page=2`,
    );
    const nav2 = await select(page2, 'nav.pagination a');
    expect(nav2.map((a) => [a.text, a.attrs.rel])).toEqual([
      ['上一页', 'prev'],
      ['1', undefined],
      ['3', undefined],
      ['下一页', 'next'],
    ]);
    expect(nav2[0]!.attrs.href).toBe(`/channels/${channel.slug}`);

    const page3 = await (await get(`/channels/${channel.slug}?page=3`)).text();
    expect(await select(page3, '.news-list li')).toHaveLength(5);
    expect((await select(page3, 'nav.pagination a')).map((a) => a.text)).toEqual([
      '上一页',
      '1',
      '2',
    ]);
  });

  it('includes sub-channel articles and links the sub-channels', async () => {
    const { parent, channel, ids } = await seedListedChannel(2);
    const html = await (await get(`/channels/${parent.slug}`)).text();
    expect((await select(html, '.news-list a')).map((a) => a.attrs.href?.split('/')[2])).toEqual(
      ids.map(String),
    );
    const subs = await select(html, 'nav.subchannels a');
    expect(subs.map((s) => [s.text, s.attrs.href])).toEqual([
      ['政策文件', `/channels/${channel.slug}`],
    ]);
    expect(await select(html, 'nav.pagination')).toHaveLength(0);
  });

  it('shows an empty channel as a page saying so', async () => {
    const ch = await seedChannel(db, { name: '空栏目' });
    const res = await get(`/channels/${ch.slug}`);
    expect(res.status).toBe(200);
    expect((await selectOne(await res.text(), '.empty')).text).toBe('暂无文章。');
  });

  it('rejects a malformed page number with a 400 page naming the parameter', async () => {
    const ch = await seedChannel(db);
    for (const page of ['abc', '0', '-1', '1.5', '', '9999999']) {
      const res = await get(`/channels/${ch.slug}?page=${page}`);
      expect(res.status, page).toBe(400);
      expect(res.headers.get('Content-Type')).toMatch(/text\/html/);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      const html = await res.text();
      expect((await selectOne(html, 'h1')).text).toBe('请求有误');
      expect((await selectOne(html, '.error-detail')).text).toContain('“page”');
    }
  });

  it('answers a page past the end and an unknown channel with a 404 page', async () => {
    const { channel } = await seedListedChannel(3);
    expect((await get(`/channels/${channel.slug}?page=2`)).status).toBe(404);
    const unknown = await get('/channels/no-such-channel');
    expect(unknown.status).toBe(404);
    expect((await selectOne(await unknown.text(), 'h1')).text).toBe('页面不存在');
    expect((await get('/channels/Not_A_Slug')).status).toBe(404);
  });

  it('escapes hostile channel names and descriptions', async () => {
    const ch = await seedChannel(db, { name: '<script>alert(1)</script>"><img onerror=x>' });
    await seedArticle(db, { channelSlug: ch.slug, title: '<img src=x onerror=alert(1)>' });
    const html = await (await get(`/channels/${ch.slug}`)).text();
    expect(await select(html, 'img')).toHaveLength(0);
    expect(await select(html, 'script:not([src])')).toHaveLength(0);
    expect((await selectOne(html, 'h1')).text).toBe('<script>alert(1)</script>"><img onerror=x>');
  });

  it('uses English labels when SITE_LANG=en', async () => {
    const { channel } = await seedListedChannel(25);
    const html = await (await getWithEnv(`/channels/${channel.slug}`, { SITE_LANG: 'en' })).text();
    expect((await selectOne(html, '.page-summary')).text).toBe('25 articles, page 1 of 2');
    expect((await select(html, 'nav.pagination a')).map((a) => a.text)).toEqual(['2', 'Next page']);
    expect((await selectOne(html, 'nav.breadcrumb ol')).text).toBe('Home > 政务公开 > 政策文件');
    const bad = await getWithEnv(`/channels/${channel.slug}?page=x`, { SITE_LANG: 'en' });
    expect(bad.status).toBe(400);
    expect((await selectOne(await bad.text(), 'h1')).text).toBe('Bad request');
  });
});

describe('pageWindow', () => {
  it('keeps the first, the last and two either side of the current page', () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(1, 3)).toEqual([1, 2, 3]);
    expect(pageWindow(5, 10)).toEqual([1, null, 3, 4, 5, 6, 7, null, 10]);
    expect(pageWindow(10, 10)).toEqual([1, null, 8, 9, 10]);
    expect(pageWindow(4, 10)).toEqual([1, 2, 3, 4, 5, 6, null, 10]);
  });
});
