import { describe, expect, it } from 'vitest';
import { setArticleStatus } from '../../src/authoring/commands';
import {
  clockAt,
  expectProblem,
  get,
  seedArticle,
  seedArticleInNewChannel,
  seedArticlesInNewChannel,
  seedChannel,
  testDb,
} from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

// This file's data carries fixed dates in 2021-2024.
clockAt('2021-10-08T12:00:00+08:00');

/** The SHA-256 CSP source of an inline element's text, as the browser computes it. */
async function hashOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

function inline(page: string, tag: 'style' | 'script'): string[] {
  return [...page.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

async function expectFrameable(res: Response, page: string) {
  const csp = res.headers.get('Content-Security-Policy') ?? '';
  expect(csp).toContain('frame-ancestors *');
  expect(csp).toContain("default-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('X-Frame-Options')).toBeNull();
  expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
  const [style] = inline(page, 'style');
  const [script] = inline(page, 'script');
  expect(csp).toContain(`style-src ${await hashOf(style!)}`);
  expect(csp).toContain(`script-src ${await hashOf(script!)}`);
  expect(script).toContain('type:"gazette:resize"');
}

describe('GET /embed/articles/:id', () => {
  it('renders the article for a frame: title, source, date, views, body and a link out', async () => {
    const { id, slug } = await seedArticleInNewChannel(
      {
        title: '全市秋季农业生产会议召开',
        source: '盘锦日报',
        body: '<p>会议要求<strong>抓好</strong>秋收。</p>',
        publishedAt: new Date('2021-09-30T02:00:00Z'),
      },
      { name: '盘锦要闻' },
    );
    const res = await get(`/embed/articles/${id}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    await expectFrameable(res, page);
    expect(page).toMatch(/^<!DOCTYPE html><html lang="zh-CN">/);
    expect(page).toContain('<title>全市秋季农业生产会议召开 - ');
    expect(page).toContain('信息来源：盘锦日报');
    expect(page).toContain(
      '发布时间：<time datetime="2021-09-30T02:00:00.000Z">2021-09-30 10:00</time>',
    );
    expect(page).toContain('浏览次数：0');
    expect(page).toContain('<div class="body"><p>会议要求<strong>抓好</strong>秋收。</p></div>');
    expect(page).toContain(
      `<a href="http://gazette.test/articles/${id}/${slug}">全市秋季农业生产会议召开</a>`,
    );
    expect(page).toContain(
      `<link rel="canonical" href="http://gazette.test/articles/${id}/${slug}"/>`,
    );
    expect(page).toContain('<base target="_blank"/>');
    expect(page).toContain('盘锦要闻');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60, stale-while-revalidate=300');
    expect(res.headers.get('ETag')).toMatch(/^"/);
  });

  it('escapes text fields and shows only the body as sanitized on write', async () => {
    const { id } = await seedArticleInNewChannel(
      {
        title: '<img src=x onerror=alert(1)> & "quoted"',
        source: '</p><script>alert(2)</script>',
        body: '<p onclick="steal()">正文</p><script>alert(3)</script><a href="javascript:alert(4)">x</a>',
      },
      { name: '<b>栏目</b>' },
    );
    const page = await (await get(`/embed/articles/${id}`)).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;');
    expect(page).toContain('&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;栏目&lt;/b&gt;');
    expect(page).not.toMatch(/onclick|alert\(3\)|javascript:|<img src=x/);
    expect(inline(page, 'script')).toHaveLength(1);
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const { id } = await seedArticleInNewChannel();
    const first = await get(`/embed/articles/${id}`);
    const again = await get(`/embed/articles/${id}`, {
      headers: { 'If-None-Match': first.headers.get('ETag')! },
    });
    expect(again.status).toBe(304);
    // Browsers copy a 304's headers onto the kept page: it must stay frameable.
    expect(again.headers.get('Content-Security-Policy')).toBe(
      first.headers.get('Content-Security-Policy'),
    );
    expect(again.headers.get('X-Frame-Options')).toBeNull();
  });

  it('uses English labels with ?lang=en and pins a theme with ?theme=dark', async () => {
    const { id } = await seedArticleInNewChannel({
      source: 'City Daily',
    });
    const res = await get(`/embed/articles/${id}?lang=en&theme=dark&utm_source=x`);
    expect(res.status).toBe(200);
    const page = await res.text();
    await expectFrameable(res, page);
    expect(page).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(page).toContain('Source: City Daily');
    expect(page).toContain('Views: 0');
    const [style] = inline(page, 'style');
    expect(style).toContain(':root{--b:#161b22');
    expect(style).not.toContain('prefers-color-scheme');
  });

  it('follows the reader colour scheme by default', async () => {
    const { id } = await seedArticleInNewChannel();
    const [style] = inline(await (await get(`/embed/articles/${id}`)).text(), 'style');
    expect(style).toContain('@media(prefers-color-scheme:dark)');
  });

  it('answers 404 with a frameable page for a draft or unknown article', async () => {
    const { id } = await seedArticleInNewChannel({
      status: 'draft',
      publishedAt: null,
    });
    for (const path of [`/embed/articles/${id}`, '/embed/articles/999999']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      const page = await res.text();
      await expectFrameable(res, page);
      expect(page).toContain('文章不存在或尚未发布。');
      expect(res.headers.get('Cache-Control')).toBe('public, max-age=60');
    }
  });

  it('answers 404 for an article scheduled for later', async () => {
    const { id } = await seedArticleInNewChannel({
      publishedAt: new Date(clockNow() + 86_400_000),
    });
    expect((await get(`/embed/articles/${id}`)).status).toBe(404);
  });

  it('answers 410 for a withdrawn article', async () => {
    const db = testDb();
    const { id } = await seedArticleInNewChannel();
    await setArticleStatus(db, id, 'archived');
    const res = await get(`/embed/articles/${id}`);
    expect(res.status).toBe(410);
    const page = await res.text();
    await expectFrameable(res, page);
    expect(page).toContain('该文章已撤下。');
  });

  it('answers 400 with a frameable page for a malformed id or parameter', async () => {
    for (const path of [
      '/embed/articles/abc',
      '/embed/articles/0',
      '/embed/articles/1e3',
      '/embed/articles/1?lang=fr',
      '/embed/articles/1?theme=blue',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const page = await res.text();
      await expectFrameable(res, page);
      expect(page).toContain('嵌入地址有误。');
      expect(res.headers.get('Cache-Control')).toBe('no-store');
    }
  });
});

describe('GET /embed/channels/:slug', () => {
  it('lists the newest articles of the channel and its sub-channels, newest first', async () => {
    const db = testDb();
    const parent = await seedChannel(db, { name: '要闻动态' });
    const child = await seedChannel(db, { name: '盘锦要闻', parentSlug: parent.slug });
    const older = await seedArticle(db, {
      channelSlug: parent.slug,
      title: '较早的文章',
      publishedAt: new Date('2021-09-01T02:00:00Z'),
    });
    const newer = await seedArticle(db, {
      channelSlug: child.slug,
      title: '较新的文章',
      publishedAt: new Date('2021-09-30T02:00:00Z'),
    });
    const res = await get(`/embed/channels/${parent.slug}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    await expectFrameable(res, page);
    expect(page).toContain(`<a href="http://gazette.test/channels/${parent.slug}">要闻动态</a>`);
    expect(page.indexOf('较新的文章')).toBeLessThan(page.indexOf('较早的文章'));
    expect(page).toContain(`http://gazette.test/articles/${newer.id}/${newer.slug}`);
    expect(page).toContain(`http://gazette.test/articles/${older.id}/${older.slug}`);
    expect(page).toContain('<time datetime="2021-09-30T02:00:00.000Z">2021-09-30</time> · 浏览 0');
  });

  it('honours ?limit and says so when the channel is empty', async () => {
    const db = testDb();
    const { channel } = await seedArticlesInNewChannel([{}, {}, {}]);
    const limited = await (await get(`/embed/channels/${channel.slug}?limit=2`)).text();
    expect(limited.match(/<li>/g)).toHaveLength(2);
    const empty = await seedChannel(db);
    const page = await (await get(`/embed/channels/${empty.slug}?lang=en`)).text();
    expect(page).toContain('No articles yet.');
  });

  it('answers 404 for an unknown channel and 400 for a malformed slug or limit', async () => {
    const missing = await get('/embed/channels/no-such-channel');
    expect(missing.status).toBe(404);
    await expectFrameable(missing, await missing.text());
    for (const path of [
      '/embed/channels/Bad_Slug',
      '/embed/channels/news?limit=0',
      '/embed/channels/news?limit=21',
      '/embed/channels/news?limit=x',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      await expectFrameable(res, await res.text());
    }
  });
});

describe('framing policy elsewhere', () => {
  it('forbids framing every other kind of response', async () => {
    for (const path of ['/api/v1/articles', '/oembed?url=x', '/embed', '/embed/articles/1/extra']) {
      const res = await get(path);
      const csp = res.headers.get('Content-Security-Policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('X-Frame-Options'), path).toBe('DENY');
    }
  });

  it('keeps the API problem format for a malformed oEmbed request', async () => {
    await expectProblem(await get('/oembed'), 400, 'invalid_parameter');
  });
});
