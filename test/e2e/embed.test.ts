/**
 * The embed features as another site sees them: the BUILT worker in workerd, a host page on a
 * different origin (its own tiny server) with hostile global CSS, and headless Chromium.
 */
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, type RunningWorker } from '../../scripts/lib/run-worker';
import { importNdjson, workerAdminToken } from '../../scripts/lib/seed-worker';
import { zonedDay } from '../../src/lib/time';
import { launchBrowser, screenshotPath, startTestWorker } from './harness';

const day = 86_400_000;
const now = Date.now();
/** A real browser's user agent: the counters ignore headless ones, as they should. */
const userAgent =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

interface SeedArticle {
  id: number;
  slug: string;
  channel: number;
  title: string;
  summary?: string;
  source?: string;
  ageDays: number;
  views?: number;
  /** Views today, which rank the popular list. */
  todayViews?: number;
}

const articles: SeedArticle[] = [
  {
    id: 1,
    slug: 'autumn-farming-meeting',
    channel: 2,
    title: '全市秋季农业生产工作会议召开',
    summary: '会议部署秋收秋种、防灾减灾和农产品销售等重点工作。',
    source: '盘锦日报',
    ageDays: 1,
    views: 1234,
    todayViews: 40,
  },
  {
    id: 2,
    slug: 'hostile-title',
    channel: 2,
    title: '<b>Bold?</b> & "quoted" <img src=x onerror=alert(1)>',
    summary: '<script>alert(2)</script>',
    source: '<i>Source</i>',
    ageDays: 2,
    views: 5,
    todayViews: 90,
  },
  {
    id: 3,
    slug: 'late-placeholder',
    channel: 3,
    title: '关于开展冬季消防安全检查的通知',
    source: '市应急管理局',
    ageDays: 3,
    views: 77,
    todayViews: 10,
  },
  {
    id: 4,
    slug: 'river-cleanup',
    channel: 2,
    title: '辽河口湿地生态修复工程通过验收',
    ageDays: 4,
    views: 300,
  },
  {
    id: 5,
    slug: 'new-bus-lines',
    channel: 2,
    title: '城区新开通三条公交线路',
    ageDays: 5,
    views: 42,
  },
  {
    id: 6,
    slug: 'heating-season',
    channel: 3,
    title: '2021—2022年度供暖期安排公告',
    ageDays: 6,
    views: 18,
  },
  {
    id: 7,
    slug: 'republished-article',
    channel: 2,
    title: '转载计数测试文章',
    ageDays: 7,
    views: 0,
  },
];

const channelSlugs: Record<number, string> = { 1: 'news', 2: 'local', 3: 'notices' };
const articleBody =
  '<p>会议指出，要<strong>抓好</strong>秋收。</p><p>第二段正文。</p><p>第三段正文，内容较长，用来检验框架的高度是否随内容变化。</p>';

/**
 * The channels and articles through the worker's import route (the authoring commands), in id
 * order, so a fresh database gives them the ids the host pages name.
 */
function seedNdjson(): string {
  const lines: Record<string, unknown>[] = [
    { type: 'channel', slug: 'news', name: '要闻动态' },
    { type: 'channel', slug: 'local', name: '盘锦要闻', parent: 'news' },
    { type: 'channel', slug: 'notices', name: '通知公告', position: 1 },
    ...articles.map((a) => ({
      externalId: `embed-${a.id}`,
      slug: a.slug,
      channel: channelSlugs[a.channel],
      title: a.title,
      summary: a.summary ?? '',
      body: articleBody,
      source: a.source ?? '',
      status: 'published',
      publishedAt: new Date(now - a.ageDays * day).toISOString(),
      views: a.views ?? 0,
    })),
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n');
}

/** Today's per-day totals, as the counters' flush writes them (counter state, not content). */
function dailyViewsSql(): string {
  const today = zonedDay(new Date(now), 'Asia/Shanghai');
  return (
    articles
      .filter((a) => a.todayViews)
      .map(
        (a) =>
          `INSERT INTO article_views_daily (article_id, day, shard, views, visitors) VALUES (${a.id}, '${today}', 0, ${a.todayViews}, ${a.todayViews})`,
      )
      .join(';\n') + ';\n'
  );
}

const hostileCss = `
  * { color: #f0f !important; font-family: "Comic Sans MS", cursive !important; font-size: 31px !important;
      letter-spacing: 3px !important; text-transform: uppercase !important; line-height: 3 !important; }
  div, span, section, article, ol, li, a, p, h2, h3 { display: inline !important; border: 5px dashed lime !important;
      background: yellow !important; padding: 20px !important; margin: 0 !important; }
  a { text-decoration: line-through !important; }
  [data-gazette] { opacity: .2 !important; transform: rotate(3deg) !important; position: relative !important; }
  iframe { border: 3px solid red; }
`;

const cleanCss = `
  body { margin: 0; font: 16px/1.6 Georgia, serif; background: #f3f1ec; color: #222; }
  header { background: #0b3a75; color: #fff; padding: 14px 28px; font-size: 20px; }
  .layout { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 28px; padding: 24px 28px; max-width: 1200px; }
  aside > * + * { margin-top: 18px; }
  .themed { --gazette-accent: #0b3a75; --gazette-radius: 2px; }
  @media (prefers-color-scheme: dark) {
    body { background: #0d1117; color: #c9d1d9; }
    .themed { --gazette-accent: #79b8ff; }
  }
  main > * + * { margin-top: 18px; }
`;

interface HostPage {
  css: string;
  lang: string;
  api: string;
  versionedScript: string;
  oembedHtml: string;
}

function hostPage(p: HostPage): string {
  return `<!DOCTYPE html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<title>County portal</title>
<style>${p.css}</style>
<script>document.documentElement.dataset.globalsBefore = JSON.stringify(Object.getOwnPropertyNames(window));</script>
</head>
<body>
<header>County portal · partner news</header>
<div class="layout">
<main>
  <div id="card" data-gazette="article" data-id="1">Loading the article…</div>
  <div id="card-hostile" data-gazette="article" data-id="2" lang="zh-CN"></div>
  <p id="views-line">Views of article 1: <span id="views" data-gazette="views" data-id="1">–</span></p>
  <p id="counted-line">Republished here, counted: <span id="counted" data-gazette="views" data-id="7" data-count="true">–</span>,
    shown again: <span id="counted-again" data-gazette="views" data-id="7" data-count="true">–</span></p>
  <iframe id="frame" src="${p.api}/embed/articles/1" title="Gazette article" width="600" height="150" style="border:0;max-width:100%"
    sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>
  <div id="oembed">${p.oembedHtml}</div>
</main>
<aside>
  <div id="latest" data-gazette="latest" data-channel="news" data-limit="3">Loading latest…</div>
  <div id="latest-zh" data-gazette="latest" data-limit="5" data-lang="zh-CN"></div>
  <div class="themed"><div id="popular" data-gazette="popular" data-window="7d" data-limit="3"></div></div>
</aside>
</div>
<script async src="${p.api}/embed.js"></script>
<script async src="${p.api}${p.versionedScript}"></script>
<script>
  setTimeout(function () {
    var late = document.createElement('div');
    late.id = 'late';
    late.setAttribute('data-gazette', 'article');
    late.setAttribute('data-id', '3');
    document.querySelector('aside').appendChild(late);
  }, 1200);
</script>
</body>
</html>`;
}

function outagePage(api: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Outage</title></head><body>
<div id="latest" data-gazette="latest" data-limit="3">Latest news is on our partner's site.</div>
<div id="card" data-gazette="article" data-id="1">Read the article on our partner's site.</div>
<p>Views: <span id="views" data-gazette="views" data-id="1">n/a</span></p>
<div id="popular" data-gazette="popular">Popular elsewhere.</div>
<script async src="${api}/embed.js"></script>
<script>setTimeout(function () {
  var late = document.createElement('div'); late.id = 'late'; late.setAttribute('data-gazette', 'article');
  late.setAttribute('data-id', '3'); late.textContent = 'Late fallback'; document.body.appendChild(late);
}, 800);</script>
</body></html>`;
}

/** The frame reports its height before embed.js exists, so that first report is lost. */
function lateScriptPage(api: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Late script</title></head><body>
<iframe id="frame" src="${api}/embed/channels/news?limit=3" title="Gazette" width="600" height="90" style="border:0"></iframe>
<script>
  var loaded = false;
  addEventListener('message', function (e) {
    if (loaded || !e.data || e.data.type !== 'gazette:resize') return;
    loaded = true;
    setTimeout(function () {
      var s = document.createElement('script');
      s.src = '${api}/embed.js';
      document.body.appendChild(s);
    }, 200);
  });
</script>
</body></html>`;
}

function badPlaceholderPage(api: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body>
<div id="bad-id" data-gazette="article" data-id="abc">Bad id stays.</div>
<div id="bad-kind" data-gazette="weather">Unknown kind stays.</div>
<div id="missing" data-gazette="article" data-id="999999">Unknown article stays.</div>
<div id="good" data-gazette="article" data-id="1"></div>
<script async src="${api}/embed.js"></script>
</body></html>`;
}

let worker: RunningWorker;
let api: string;
let host: Server;
let hostOrigin: string;
let browser: Browser;
let versionedScript: string;

async function oembedHtmlFor(url: string): Promise<string> {
  const res = await fetch(`${api}/oembed?${new URLSearchParams({ url, maxheight: '420' })}`);
  return ((await res.json()) as { html: string }).html;
}

beforeAll(async () => {
  worker = await startTestWorker();
  api = worker.url.origin;
  const report = await importNdjson(worker.url, await workerAdminToken(worker), seedNdjson());
  if (report.created !== articles.length || report.rejected) {
    throw new Error(`seeding: ${JSON.stringify(report)}`);
  }
  for (const a of articles) {
    const res = await fetch(new URL(`/api/v1/articles/${a.slug}`, worker.url));
    const { data } = (await res.json()) as { data: { id: number } };
    if (data.id !== a.id) throw new Error(`${a.slug} got id ${data.id}, not ${a.id}`);
  }
  await worker.execSql(dailyViewsSql());
  // The worker build (wrangler's [build] step) has just written public/ afresh.
  const hashed = readdirSync(join(projectRoot, 'public')).find((f) =>
    /^embed\.[0-9a-f]{10}\.js$/.test(f),
  );
  if (!hashed) throw new Error('the build wrote no versioned embed.js');
  versionedScript = `/${hashed}`;
  const oembedHtml = await oembedHtmlFor(`${api}/channels/notices`);

  host = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const pages: Record<string, () => string> = {
      '/hostile': () => hostPage({ css: hostileCss, lang: 'en', api, versionedScript, oembedHtml }),
      '/clean': () => hostPage({ css: cleanCss, lang: 'en', api, versionedScript, oembedHtml }),
      '/outage': () => outagePage(api),
      '/bad': () => badPlaceholderPage(api),
      '/late-script': () => lateScriptPage(api),
    };
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const page = pages[path];
    res.writeHead(page ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page ? page() : 'not found');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  // "localhost" rather than 127.0.0.1: another host name and port, so certainly another origin.
  hostOrigin = `http://localhost:${(host.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (host ? host.close(resolve) : resolve(undefined)));
  await worker?.dispose();
});

interface Session {
  context: BrowserContext;
  page: Page;
  console: ConsoleMessage[];
  pageErrors: Error[];
  apiCalls: string[];
}

async function open(
  path: string,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<Session> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    userAgent,
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const session: Session = { context, page, console: [], pageErrors: [], apiCalls: [] };
  page.on('console', (m) => session.console.push(m));
  page.on('pageerror', (e) => session.pageErrors.push(e));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin === api && url.pathname.startsWith('/api/')) {
      session.apiCalls.push(`${r.method()} ${url.pathname}${url.search}`);
    }
  });
  return session;
}

async function visit(session: Session, path: string) {
  await session.page.goto(hostOrigin + path, { waitUntil: 'load' });
}

/** Text a widget rendered into its shadow root (null while the placeholder is untouched). */
function shadowText(page: Page, id: string): Promise<string | null> {
  return page.evaluate((id) => document.getElementById(id)?.shadowRoot?.textContent ?? null, id);
}

async function waitForWidgets(page: Page, ids: string[]) {
  await page.waitForFunction(
    (ids) => ids.every((id) => (document.getElementById(id)?.shadowRoot?.textContent ?? '') !== ''),
    ids,
    { timeout: 15_000 },
  );
}

const mainWidgets = [
  'card',
  'card-hostile',
  'views',
  'counted',
  'counted-again',
  'latest',
  'latest-zh',
  'popular',
];

async function viewsOf(id: number): Promise<{ views: number; visitors: number }> {
  return (await (await fetch(`${api}/api/v1/articles/${id}/views`)).json()) as {
    views: number;
    visitors: number;
  };
}

describe('embed.js on another site', () => {
  let s: Session;

  beforeAll(async () => {
    s = await open('/hostile');
    await visit(s, '/hostile');
    await waitForWidgets(s.page, mainWidgets);
  });

  afterAll(async () => {
    await s?.context.close();
  });

  it('renders the latest articles of a channel and its sub-channels, with dates and views', async () => {
    const items = await s.page.evaluate(() =>
      Array.from(document.getElementById('latest')!.shadowRoot!.querySelectorAll('li')).map(
        (li) => ({
          title: li.querySelector('a')!.textContent,
          href: li.querySelector('a')!.getAttribute('href'),
          date: li.querySelector('time')!.getAttribute('datetime'),
          meta: li.querySelector('.m')!.textContent,
        }),
      ),
    );
    expect(items.map((i) => i.title)).toEqual([
      '全市秋季农业生产工作会议召开',
      '<b>Bold?</b> & "quoted" <img src=x onerror=alert(1)>',
      '辽河口湿地生态修复工程通过验收',
    ]);
    expect(items[0]!.href).toBe(`${api}/articles/1/autumn-farming-meeting`);
    expect(items[0]!.date).toMatch(/\+08:00$/);
    expect(items[0]!.meta).toBe(`${zonedDay(new Date(now - day), 'Asia/Shanghai')} · 1,234 views`);
    expect(
      await s.page.locator('#latest').getByRole('heading', { name: 'Latest news' }).count(),
    ).toBe(1);
    expect(await s.page.locator('#latest').getByRole('link').count()).toBe(3);
  });

  it('uses Chinese labels when data-lang asks for them on an English page', async () => {
    const text = await shadowText(s.page, 'latest-zh');
    expect(
      await s.page.evaluate(() =>
        document.getElementById('latest-zh')!.shadowRoot!.querySelector('.w')!.getAttribute('lang'),
      ),
    ).toBe('zh-CN');
    expect(await s.page.locator('#latest-zh').getByRole('list').count()).toBe(1);
    expect(text).toMatch(/^最新文章/);
    expect(text).toContain('浏览 1,234');
    expect(text).toContain('城区新开通三条公交线路');
    expect(text).toContain('关于开展冬季消防安全检查的通知');
  });

  it('ranks the popular list by views within the window', async () => {
    const titles = await s.page.evaluate(() =>
      Array.from(document.getElementById('popular')!.shadowRoot!.querySelectorAll('li a')).map(
        (a) => a.textContent,
      ),
    );
    expect(titles).toEqual([
      '<b>Bold?</b> & "quoted" <img src=x onerror=alert(1)>',
      '全市秋季农业生产工作会议召开',
      '关于开展冬季消防安全检查的通知',
    ]);
    const text = await shadowText(s.page, 'popular');
    expect(text).toMatch(/^Popular this week/);
    expect(text).toContain('90 views');
  });

  it('renders an article card with title, summary, source, date, views and link', async () => {
    const card = await s.page.evaluate(() => {
      const root = document.getElementById('card')!.shadowRoot!;
      return {
        title: root.querySelector('h3 a')!.textContent,
        href: root.querySelector('h3 a')!.getAttribute('href'),
        text: root.textContent,
        labelledBy: root.querySelector('article')!.getAttribute('aria-labelledby'),
      };
    });
    expect(card.title).toBe('全市秋季农业生产工作会议召开');
    expect(card.href).toBe(`${api}/articles/1/autumn-farming-meeting`);
    expect(card.text).toContain('会议部署秋收秋种、防灾减灾和农产品销售等重点工作。');
    expect(card.text).toContain('Source: 盘锦日报');
    expect(card.text).toContain(`Published: ${zonedDay(new Date(now - day), 'Asia/Shanghai')}`);
    expect(card.text).toContain('Views: 1,234');
    expect(card.labelledBy).toBe('t');
    expect(
      await s.page
        .locator('#card')
        .getByRole('article', { name: '全市秋季农业生产工作会议召开' })
        .count(),
    ).toBe(1);
  });

  it('shows hostile text as text, never as markup', async () => {
    const card = await s.page.evaluate(() => {
      const root = document.getElementById('card-hostile')!.shadowRoot!;
      return {
        text: root.textContent,
        elements: Array.from(root.querySelectorAll('*')).map((e) => e.localName),
      };
    });
    expect(card.text).toContain('<b>Bold?</b> & "quoted" <img src=x onerror=alert(1)>');
    expect(card.text).toContain('<script>alert(2)</script>');
    expect(card.text).toContain('信息来源：<i>Source</i>');
    expect(card.elements).not.toContain('b');
    expect(card.elements).not.toContain('img');
    expect(card.elements).not.toContain('script');
    expect(card.elements).not.toContain('i');
  });

  it('shows the live view count and counts a republished view exactly once', async () => {
    expect(await shadowText(s.page, 'views')).toBe('1,234');
    expect(await shadowText(s.page, 'counted')).toBe('1');
    expect(await shadowText(s.page, 'counted-again')).toBe('1');
    expect(s.apiCalls.filter((c) => c.startsWith('POST'))).toEqual([
      'POST /api/v1/articles/7/views',
    ]);
    expect(await viewsOf(7)).toMatchObject({ views: 1, visitors: 1 });

    // The same reader coming back within the dedupe window is not a new view.
    const again = await open('/hostile');
    await visit(again, '/hostile');
    await waitForWidgets(again.page, ['counted']);
    expect(await shadowText(again.page, 'counted')).toBe('1');
    await again.context.close();
    expect(await viewsOf(7)).toMatchObject({ views: 1, visitors: 1 });
  });

  it('makes one request per kind for a page full of placeholders', async () => {
    await s.page.waitForFunction(
      () => document.getElementById('late')?.shadowRoot?.textContent,
      null,
      {
        timeout: 10_000,
      },
    );
    expect([...s.apiCalls].sort()).toEqual(
      [
        'GET /api/v1/articles?channel=news&limit=3',
        'GET /api/v1/articles?limit=5',
        'GET /api/v1/articles/popular?window=7d&limit=3',
        'GET /api/v1/articles?ids=1,2',
        'GET /api/v1/views?ids=1',
        'POST /api/v1/articles/7/views',
        // The placeholder added after load, in its own batch.
        'GET /api/v1/articles?ids=3',
      ].sort(),
    );
  });

  it('picks up a placeholder added after the page loaded', async () => {
    expect(await shadowText(s.page, 'late')).toContain('关于开展冬季消防安全检查的通知');
  });

  it('adds a single global even though the page includes embed.js twice', async () => {
    const added = await s.page.evaluate(() => {
      const before = new Set(
        JSON.parse(document.documentElement.dataset.globalsBefore!) as string[],
      );
      // Numeric names are the page's frames (window[0], window[1]), not globals.
      return Object.getOwnPropertyNames(window).filter(
        (name) => !before.has(name) && !/^\d+$/.test(name),
      );
    });
    expect(added).toEqual(['Gazette']);
    expect(await s.page.evaluate(() => typeof window.Gazette?.scan)).toBe('function');
    // Both copies ran: neither rendered any placeholder a second time.
    expect(await s.page.evaluate(() => document.querySelectorAll('[data-gazette]').length)).toBe(9);
  });

  it('keeps the host page CSS out of the widgets', async () => {
    const styles = await s.page.evaluate(() => {
      const host = document.getElementById('card')!;
      const wrapper = host.shadowRoot!.querySelector('.w')!;
      const link = host.shadowRoot!.querySelector('h3 a')!;
      const item = document.getElementById('latest')!.shadowRoot!.querySelector('li')!;
      const hs = getComputedStyle(host);
      const ls = getComputedStyle(link);
      return {
        wrapperDisplay: getComputedStyle(wrapper).display,
        wrapperLetterSpacing: getComputedStyle(wrapper).letterSpacing,
        hostOpacity: hs.opacity,
        hostTransform: hs.transform,
        hostBorder: hs.borderTopStyle,
        hostBackground: hs.backgroundColor,
        linkColor: ls.color,
        linkFont: ls.fontFamily,
        linkSize: ls.fontSize,
        linkTransform: ls.textTransform,
        linkDecoration: ls.textDecorationLine,
        itemPadding: getComputedStyle(item).paddingTop,
      };
    });
    expect(styles).toMatchObject({
      wrapperDisplay: 'block',
      wrapperLetterSpacing: 'normal',
      hostOpacity: '1',
      hostTransform: 'none',
      hostBorder: 'none',
      hostBackground: 'rgba(0, 0, 0, 0)',
      linkTransform: 'none',
      linkDecoration: 'none',
      itemPadding: '7px',
    });
    expect(styles.linkColor).not.toBe('rgb(255, 0, 255)');
    expect(styles.linkFont).not.toContain('Comic Sans');
    expect(styles.linkSize).not.toBe('31px');
  });

  it('sizes the iframes to their content, and ignores resize messages from anyone else', async () => {
    for (const selector of ['#frame', '#oembed iframe']) {
      const element = (await s.page.$(selector))!;
      const frame = (await element.contentFrame())!;
      await frame.waitForLoadState('load');
      // The frame is cross-origin, so its content height is read inside it.
      const content = await frame.evaluate(() =>
        Math.ceil(document.documentElement.getBoundingClientRect().height),
      );
      expect(content).toBeGreaterThan(100);
      await s.page.waitForFunction(
        ([selector, content]) =>
          Math.abs(
            document.querySelector(selector as string)!.getBoundingClientRect().height -
              (content as number),
          ) <= 1,
        [selector, content] as const,
        { timeout: 10_000 },
      );
    }
    const height = () =>
      s.page.evaluate(() => document.getElementById('frame')!.getBoundingClientRect().height);
    const sized = await height();
    expect(sized).not.toBe(150);
    await s.page.evaluate(() => window.postMessage({ type: 'gazette:resize', height: 5 }, '*'));
    await s.page.waitForTimeout(200);
    expect(await height()).toBe(sized);
  });

  it('logs no console errors or warnings and throws nothing', async () => {
    expect(s.pageErrors).toEqual([]);
    const noisy = s.console.filter((m) => m.type() === 'error' || m.type() === 'warning');
    expect(noisy.map((m) => `${m.type()}: ${m.text()}`)).toEqual([]);
  });

  it('looks right under hostile CSS', async () => {
    await s.page.screenshot({ path: screenshotPath('embed-hostile-host.png'), fullPage: true });
  });
});

describe('embed.js looks', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`renders every widget kind on a plain portal page (${colorScheme})`, async () => {
      const s = await open('/clean', { colorScheme });
      await visit(s, '/clean');
      await waitForWidgets(s.page, mainWidgets);
      await s.page.waitForFunction(() => document.getElementById('late')?.shadowRoot?.textContent);
      const surface = await s.page.evaluate(() => {
        const w = document.getElementById('card')!.shadowRoot!.querySelector('.w')!;
        const heading = document.getElementById('popular')!.shadowRoot!.querySelector('h2')!;
        return {
          bg: getComputedStyle(w).backgroundColor,
          accent: getComputedStyle(heading).color,
          // The host page keeps layout: its spacing rule reaches the placeholder.
          margin: getComputedStyle(document.getElementById('card-hostile')!).marginTop,
        };
      });
      expect(surface.bg).toBe(colorScheme === 'dark' ? 'rgb(22, 27, 34)' : 'rgb(255, 255, 255)');
      // The site's own --gazette-accent wins over the default, in each scheme.
      expect(surface.accent).toBe(
        colorScheme === 'dark' ? 'rgb(121, 184, 255)' : 'rgb(11, 58, 117)',
      );
      expect(surface.margin).toBe('18px');
      await s.page.waitForTimeout(300);
      await s.page.screenshot({
        path: screenshotPath(`embed-host-${colorScheme}.png`),
        fullPage: true,
      });
      expect(s.pageErrors).toEqual([]);
      expect(s.console.filter((m) => m.type() === 'error').map((m) => m.text())).toEqual([]);
      await s.context.close();
    });
  }
});

describe('embed.js when the API is down', () => {
  for (const failure of ['unreachable', '503'] as const) {
    it(`leaves every placeholder as it was and warns once (${failure})`, async () => {
      const s = await open('/outage');
      await s.context.route(`${api}/api/**`, (route) =>
        failure === 'unreachable'
          ? route.abort('connectionrefused')
          : route.fulfill({
              status: 503,
              contentType: 'application/problem+json',
              headers: { 'Access-Control-Allow-Origin': '*', 'Retry-After': '30' },
              body: '{"status":503}',
            }),
      );
      await visit(s, '/outage');
      await s.page.waitForFunction(() => document.getElementById('late'));
      await s.page.waitForTimeout(1500);
      const state = await s.page.evaluate(() =>
        ['latest', 'card', 'views', 'popular', 'late'].map((id) => {
          const el = document.getElementById(id)!;
          return { id, shadow: el.shadowRoot !== null, text: el.textContent };
        }),
      );
      expect(state).toEqual([
        { id: 'latest', shadow: false, text: "Latest news is on our partner's site." },
        { id: 'card', shadow: false, text: "Read the article on our partner's site." },
        { id: 'views', shadow: false, text: 'n/a' },
        { id: 'popular', shadow: false, text: 'Popular elsewhere.' },
        { id: 'late', shadow: false, text: 'Late fallback' },
      ]);
      const warnings = s.console.filter((m) => m.type() === 'warning').map((m) => m.text());
      expect(warnings).toEqual([
        `Gazette embed: could not load from ${api}; placeholders were left as they are`,
      ]);
      expect(s.pageErrors).toEqual([]);
      // The browser itself reports the failed requests; the widget adds no errors of its own.
      const errors = s.console.filter((m) => m.type() === 'error').map((m) => m.text());
      expect(errors.filter((t) => !t.startsWith('Failed to load resource'))).toEqual([]);
      await s.context.close();
    });
  }

  it('warns about placeholders it cannot serve and leaves them alone', async () => {
    const s = await open('/bad');
    await visit(s, '/bad');
    await waitForWidgets(s.page, ['good']);
    await s.page.waitForTimeout(300);
    for (const [id, text] of [
      ['bad-id', 'Bad id stays.'],
      ['bad-kind', 'Unknown kind stays.'],
      ['missing', 'Unknown article stays.'],
    ]) {
      expect(
        await s.page.evaluate((id) => document.getElementById(id)!.shadowRoot, id!),
      ).toBeNull();
      expect(await s.page.locator(`#${id}`).textContent()).toBe(text);
    }
    expect(
      s.console
        .filter((m) => m.type() === 'warning')
        .map((m) => m.text())
        .sort(),
    ).toEqual([
      'Gazette embed: no published article 999999',
      'Gazette embed: skipped a placeholder with an unknown data-gazette or a bad data-id/data-channel',
    ]);
    await s.context.close();
  });
});

describe('iframe embeds', () => {
  it('renders the article frame with its body and a resize script allowed by CSP', async () => {
    const s = await open('/');
    await s.page.goto(`${api}/embed/articles/1?theme=light`);
    const frame = await s.page.evaluate(() => ({
      title: document.querySelector('h1')!.textContent,
      body: document.querySelector('.body')!.innerHTML,
      base: document.querySelector('base')!.target,
    }));
    expect(frame.title).toBe('全市秋季农业生产工作会议召开');
    expect(frame.body).toContain('<strong>抓好</strong>');
    expect(frame.base).toBe('_blank');
    await s.page.setViewportSize({ width: 640, height: 500 });
    await s.page.screenshot({ path: screenshotPath('embed-iframe-article.png'), fullPage: true });
    expect(s.console.filter((m) => m.type() === 'error').map((m) => m.text())).toEqual([]);
    await s.context.close();
  });

  it('sizes a frame that loaded before embed.js did', async () => {
    const s = await open('/late-script');
    await visit(s, '/late-script');
    await s.page.waitForFunction(() => window.Gazette !== undefined, null, { timeout: 10_000 });
    const frame = (await (await s.page.$('#frame'))!.contentFrame())!;
    const content = await frame.evaluate(() =>
      Math.ceil(document.documentElement.getBoundingClientRect().height),
    );
    expect(content).toBeGreaterThan(90);
    await s.page.waitForFunction(
      (content) =>
        Math.abs(document.getElementById('frame')!.getBoundingClientRect().height - content) <= 1,
      content,
      { timeout: 10_000 },
    );
    expect(s.console.filter((m) => m.type() !== 'log').map((m) => m.text())).toEqual([]);
    await s.context.close();
  });

  it('cannot be framed anywhere else', async () => {
    for (const path of ['/', '/embed', '/api/v1/articles']) {
      const res = await fetch(api + path);
      expect(res.headers.get('Content-Security-Policy'), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get('X-Frame-Options'), path).toBe('DENY');
    }
    const frame = await fetch(`${api}/embed/articles/1`);
    expect(frame.headers.get('Content-Security-Policy')).toContain('frame-ancestors *');
    expect(frame.headers.get('X-Frame-Options')).toBeNull();
  });
});

describe('oEmbed, checked against the spec', () => {
  const articleUrl = () => `${api}/articles/1/autumn-farming-meeting`;

  it('answers a rich response within the requested bounds', async () => {
    const res = await fetch(
      `${api}/oembed?${new URLSearchParams({ url: articleUrl(), maxwidth: '400', maxheight: '300', format: 'json' })}`,
      { headers: { Origin: hostOrigin } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const body = (await res.json()) as Record<string, unknown>;
    // Required for every type (2.3.4) and for rich (2.3.4.4).
    expect(body.type).toBe('rich');
    expect(body.version).toBe('1.0');
    expect(body.width).toBe(400);
    expect(body.height).toBe(300);
    expect(body.html).toBe(
      `<iframe src="${api}/embed/articles/1" title="全市秋季农业生产工作会议召开" width="400" height="300" style="border:0;max-width:100%" loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"></iframe>`,
    );
    // Optional fields, when present, have the spec's types.
    expect(body.title).toBe('全市秋季农业生产工作会议召开');
    expect(body.author_name).toBe('盘锦日报');
    expect(body.provider_name).toBe('Gazette 新闻网');
    expect(body.provider_url).toBe(`${api}/`);
    expect(body.cache_age).toBe(3600);
    for (const key of Object.keys(body)) {
      expect([
        'type',
        'version',
        'title',
        'author_name',
        'author_url',
        'provider_name',
        'provider_url',
        'cache_age',
        'thumbnail_url',
        'thumbnail_width',
        'thumbnail_height',
        'html',
        'width',
        'height',
      ]).toContain(key);
    }
  });

  it('is discoverable from the article page', async () => {
    const page = await (await fetch(articleUrl())).text();
    const href = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(
      page,
    )?.[1];
    expect(href).toBeDefined();
    const res = await fetch(href!.replaceAll('&amp;', '&'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'rich', version: '1.0' });
  });

  it('answers 404 for a URL that is not ours and 501 for another format', async () => {
    const foreign = await fetch(
      `${api}/oembed?url=${encodeURIComponent('https://example.com/articles/1')}`,
    );
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    const xml = await fetch(`${api}/oembed?url=${encodeURIComponent(articleUrl())}&format=xml`);
    expect(xml.status).toBe(501);
  });
});

describe('site owners page and static asset', () => {
  it('previews every widget live without a single CSP violation', async () => {
    const s = await open('/');
    await s.page.goto(`${api}/embed?article=1&channel=news`);
    await s.page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-gazette]')).every(
          (el) => el.shadowRoot?.textContent,
        ),
      null,
      { timeout: 15_000 },
    );
    const widgets = await s.page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-gazette]')).map((el) =>
        el.getAttribute('data-gazette'),
      ),
    );
    expect(widgets).toEqual(['latest', 'popular', 'article', 'views']);
    // The preview must not inflate the count it shows.
    expect(s.apiCalls.filter((c) => c.startsWith('POST'))).toEqual([]);
    await s.page.waitForFunction(() => {
      const frame = document.querySelector('iframe')!;
      return frame.getBoundingClientRect().height !== 480;
    });
    await s.page.screenshot({ path: screenshotPath('embed-owner-page.png'), fullPage: true });
    expect(s.pageErrors).toEqual([]);
    expect(s.console.filter((m) => m.type() === 'error').map((m) => m.text())).toEqual([]);
    await s.context.close();
  });

  it('copies a snippet to the clipboard with its copy button, under the page CSP', async () => {
    const s = await open('/');
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api });
    await s.page.goto(`${api}/embed?article=1&channel=news&lang=en`);
    const button = s.page.locator('button[data-copy="s-script"]');
    const label = await button.textContent();
    await button.click();
    await s.page.waitForFunction(
      () => document.querySelector('button[data-copy="s-script"]')!.textContent === 'Copied',
    );
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toBe(
      await s.page.locator('#s-script').textContent(),
    );
    expect(await s.page.evaluate(() => navigator.clipboard.readText())).toContain('/embed.js');
    // The label comes back after a moment.
    await s.page.waitForFunction(
      (label) => document.querySelector('button[data-copy="s-script"]')!.textContent === label,
      label,
    );
    expect(s.pageErrors).toEqual([]);
    expect(s.console.filter((m) => m.type() === 'error').map((m) => m.text())).toEqual([]);
    await s.context.close();
  });

  it('serves embed.js with a short cache and the versioned copy with a long one', async () => {
    const stable = await fetch(`${api}/embed.js`);
    expect(stable.status).toBe(200);
    expect(stable.headers.get('Content-Type')).toMatch(/javascript/);
    expect(stable.headers.get('Cache-Control')).toBe(
      'public, max-age=300, stale-while-revalidate=86400',
    );
    const pinned = await fetch(api + versionedScript);
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(await pinned.text()).toBe(await stable.text());
  });
});
