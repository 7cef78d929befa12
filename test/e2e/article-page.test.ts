/**
 * The article page in a real browser, served by the built worker: breadcrumb and fixture text,
 * the live view count (once per load, deduplicated on reload), the font switch, print and
 * narrow layouts, and a clean console with no CSP violations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoChannels,
  generateDemoArticles,
  type DemoArticle,
  type DemoChannel,
} from '../../scripts/demo-content';
import { projectRoot, type RunningWorker } from '../../scripts/lib/run-worker';
import { seedWorker } from '../../scripts/lib/seed-worker';
import { launchBrowser, screenshotPath, startTestWorker } from './harness';

interface Fixture {
  channelPath: string[];
  title: string;
  publishedAt: string;
  source: string;
  viewsShownOnOriginalPage: number;
  paragraphs: string[];
  language: 'zh-CN' | 'en';
}

const fixture = JSON.parse(
  readFileSync(
    join(projectRoot, '..', 'shared', 'fixtures', 'article-zh-municipal-news.json'),
    'utf8',
  ),
) as Fixture;

// A desktop browser's own user agent: the counter ignores headless and automation agents.
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const dayMs = 86_400_000;

/**
 * The fixture's channel chain and article, with a neighbour on each side, beside demo content,
 * written through the worker's import route (the authoring commands).
 */
function seedContent(): { articles: DemoArticle[]; channels: DemoChannel[]; slug: string } {
  const [, topName, leafName] = fixture.channelPath;
  const channels: DemoChannel[] = demoChannels.map((c) =>
    c.slug === 'news' ? { ...c, name: topName! } : c,
  );
  channels.push({
    slug: 'panjin-news',
    name: leafName!,
    parentSlug: 'news',
    position: 0,
    description: '盘锦市重要新闻',
  });
  const published = Date.parse(`${fixture.publishedAt}T10:00:00+08:00`);
  const base: Omit<DemoArticle, 'slug' | 'title' | 'body' | 'publishedAt'> = {
    channelSlug: 'panjin-news',
    subtitle: '',
    summary: fixture.paragraphs[0]!.slice(0, 80),
    source: fixture.source,
    author: '',
    lang: fixture.language,
    status: 'published',
    viewBase: 0,
    tags: [],
    attachments: [],
    document: null,
  };
  const slug = 'panjin-spirit-editorial';
  const articles: DemoArticle[] = [
    ...generateDemoArticles({ count: 24, newest: Date.now() - 3_600_000 }),
    {
      ...base,
      slug: 'panjin-congress-closes',
      title: '中国共产党盘锦市第八次代表大会胜利闭幕',
      body: '<p>大会圆满完成各项议程。</p>',
      publishedAt: published - dayMs,
    },
    {
      ...base,
      slug,
      title: fixture.title,
      body: fixture.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join(''),
      publishedAt: published,
      viewBase: fixture.viewsShownOnOriginalPage,
      tags: [{ slug: 'panjin', name: '盘锦' }],
    },
    {
      ...base,
      slug: 'panjin-congress-study',
      title: '全市各级党组织认真学习传达市第八次党代会精神',
      body: '<p>各地迅速掀起学习热潮。</p>',
      publishedAt: published + dayMs,
    },
  ];
  return { articles, channels, slug };
}

interface PageWatch {
  errors: string[];
  beacons: number;
}

/** Collects console errors, page errors and beacon requests for one tab. */
function watch(page: Page): PageWatch {
  const seen: PageWatch = { errors: [], beacons: 0 };
  page.on('console', (msg) => {
    if (msg.type() === 'error') seen.errors.push(msg.text());
  });
  page.on('pageerror', (err) => seen.errors.push(err.message));
  page.on('request', (req) => {
    if (req.method() === 'POST' && /\/api\/v1\/articles\/\d+\/views$/.test(req.url())) {
      seen.beacons += 1;
    }
  });
  return seen;
}

async function newTab(context: BrowserContext): Promise<{ page: Page; seen: PageWatch }> {
  const page = await context.newPage();
  // Installed by the browser itself, not the page, so the CSP does not apply to it.
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { page, seen: watch(page) };
}

const cspViolations = (page: Page) =>
  page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

const viewsText = (page: Page) => page.locator('[data-views]').innerText();

const bodyFontSize = (page: Page) =>
  page
    .locator('.article-body p')
    .first()
    .evaluate((el) => getComputedStyle(el).fontSize);

describe('article page in Chromium', () => {
  let worker: RunningWorker;
  let browser: Browser;
  let articleUrl: string;
  let canonicalPath: string;

  beforeAll(async () => {
    worker = await startTestWorker();
    const { articles, channels, slug } = seedContent();
    await seedWorker(worker, articles, channels);
    const db = await worker.mf.getD1Database('DB');
    const row = await db
      .prepare('SELECT id FROM articles WHERE slug = ?')
      .bind(slug)
      .first<{ id: number }>();
    canonicalPath = `/articles/${row!.id}/${slug}`;
    articleUrl = new URL(`/articles/${row!.id}`, worker.url).href;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.dispose();
  });

  it('shows the breadcrumb, the fixture text and a live count that rises once per load', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      userAgent,
    });
    const { page, seen } = await newTab(context);

    const firstBeacon = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/views'),
    );
    const response = await page.goto(articleUrl);
    // The short link lands on the canonical URL.
    expect(new URL(page.url()).pathname).toBe(canonicalPath);
    expect(response!.status()).toBe(200);
    const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');

    const crumbs = (await page.locator('nav.breadcrumb ol').innerText()).replace(/\s+/g, ' ');
    expect(crumbs).toBe(fixture.channelPath.join(' > '));
    expect(await page.locator('h1').innerText()).toBe(fixture.title);
    const body = await page.locator('.article-body').innerText();
    for (const paragraph of fixture.paragraphs) expect(body).toContain(paragraph);
    const meta = await page.locator('.article-meta').innerText();
    expect(meta).toContain(`发布时间：${fixture.publishedAt} 10:00`);
    expect(meta).toContain(`信息来源：${fixture.source}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');

    // One beacon; its live count replaces the flushed one the server rendered.
    const beacon = await (await firstBeacon).json();
    expect(beacon).toMatchObject({ counted: true, views: fixture.viewsShownOnOriginalPage + 1 });
    await expect.poll(() => viewsText(page)).toBe(String(fixture.viewsShownOnOriginalPage + 1));
    expect(seen.beacons).toBe(1);

    await page.screenshot({ path: screenshotPath('article-page-desktop.png'), fullPage: true });

    // A reload inside the dedupe window sends one more beacon but is not counted again.
    const secondBeacon = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/views'),
    );
    await page.reload();
    const again = await (await secondBeacon).json();
    expect(again).toMatchObject({ counted: false, views: fixture.viewsShownOnOriginalPage + 1 });
    await expect.poll(() => viewsText(page)).toBe(String(fixture.viewsShownOnOriginalPage + 1));
    await page.waitForTimeout(300);
    expect(seen.beacons).toBe(2);

    expect(await cspViolations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('switches the font size with the mouse and the keyboard, and remembers it', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
    const { page, seen } = await newTab(context);
    await page.goto(new URL(canonicalPath, worker.url).href);

    const tools = page.locator('.article-tools');
    await expect.poll(() => tools.isVisible()).toBe(true);
    const button = (label: string) => tools.getByRole('button', { name: label, exact: true });
    expect(await button('中号字体').getAttribute('aria-pressed')).toBe('true');
    expect(await bodyFontSize(page)).toBe('17px');

    await button('大号字体').click();
    expect(await bodyFontSize(page)).toBe('20px');
    expect(await button('大号字体').getAttribute('aria-pressed')).toBe('true');
    expect(await button('中号字体').getAttribute('aria-pressed')).toBe('false');

    await button('小号字体').focus();
    await page.keyboard.press('Enter');
    expect(await bodyFontSize(page)).toBe('15px');
    expect(await button('小号字体').getAttribute('aria-pressed')).toBe('true');

    await page.reload();
    await expect.poll(() => bodyFontSize(page)).toBe('15px');

    // The first Tab reaches the skip link, which leads to <main>.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent);
    expect(focused).toBe('跳到主要内容');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    expect(await cspViolations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('prints the article without menus or tools', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
    const { page, seen } = await newTab(context);
    await page.goto(new URL(canonicalPath, worker.url).href);
    await expect.poll(() => page.locator('.article-tools').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav.main-nav').isVisible()).toBe(false);
    expect(await page.locator('.article-tools').isVisible()).toBe(false);
    expect(await page.locator('nav.neighbours').isVisible()).toBe(false);
    expect(await page.locator('h1').isVisible()).toBe(true);
    expect(await page.locator('.article-body').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('article-page-print.png'), fullPage: true });
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('fits a 360px screen without sideways scrolling', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      userAgent,
    });
    const { page, seen } = await newTab(context);
    await page.goto(new URL(canonicalPath, worker.url).href);
    await expect.poll(() => page.locator('.article-tools').isVisible()).toBe(true);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const titleBox = await page.locator('h1').boundingBox();
    expect(titleBox!.x).toBeGreaterThanOrEqual(0);
    expect(titleBox!.x + titleBox!.width).toBeLessThanOrEqual(360);
    await page.screenshot({ path: screenshotPath('article-page-360.png'), fullPage: true });
    await page.screenshot({ path: screenshotPath('article-page-360-top.png') });
    await page.goto(new URL('/', worker.url).href);
    expect(
      await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      ),
    ).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('home-360-top.png') });
    expect(await cspViolations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('shows the last flushed count and no dead buttons without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, userAgent });
    const page = await context.newPage();
    await page.goto(new URL(canonicalPath, worker.url).href);
    const shown = Number(await viewsText(page));
    expect(shown).toBeGreaterThanOrEqual(fixture.viewsShownOnOriginalPage);
    expect(await page.locator('.article-tools').isVisible()).toBe(false);
    expect(await page.locator('h1').innerText()).toBe(fixture.title);
    await context.close();
  });

  it('renders the home page with the channel sections and the popular list', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, userAgent });
    const { page, seen } = await newTab(context);
    await page.goto(new URL('/', worker.url).href);
    expect(await page.locator('section.panel').count()).toBeGreaterThan(1);
    expect(await page.locator('aside.popular li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('home-desktop.png'), fullPage: true });
    await page.goto(new URL('/channels/news', worker.url).href);
    expect(await page.locator('h1').innerText()).toBe(fixture.channelPath[1]);
    await page.screenshot({ path: screenshotPath('channel-desktop.png'), fullPage: true });
    expect(await cspViolations(page)).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });
});
