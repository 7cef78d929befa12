/**
 * The web admin for everyone: axe-core finds no serious or critical violation on any admin
 * page, in Chinese and in English; an editor can do the work with the keyboard alone, with a
 * visible focus; and the English admin shows no Chinese words of its own (nor the Chinese one
 * English words), only what people wrote.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/run-worker';
import { adminFetch, adminToken } from './admin-token';
import { seedAccount, signInPage } from './admin-session';
import { expectNoSeriousViolations } from './axe';
import { launchBrowser, newContext, startTestWorker } from './harness';

let worker: RunningWorker;
let browser: Browser;
let token: string;
let base: string;

const run = Date.now().toString(36);
const channel = { slug: `a11y-${run}`, name: '要闻动态' };
const articles = {
  draft: '关于做好冬季供暖工作的通知',
  published: '市政府召开常务会议',
  archived: '盘锦港集装箱吞吐量创新高',
};
let articleId = 0;
let draftId = 0;

/** What people wrote (and the site's name): words the language checks must not count. */
const written = [
  'Gazette 新闻网',
  channel.name,
  ...Object.values(articles),
  '<p>正文。</p>',
  '正文。',
  '新闻中心',
  '盘锦日报',
  '李编辑',
  '王编辑',
  '键盘录入的通知',
  '用键盘保存的摘要',
];

beforeAll(async () => {
  worker = await startTestWorker();
  browser = await launchBrowser();
  base = worker.url.origin;
  token = await adminToken(worker);
  expect((await adminFetch(worker, token, '/channels', { json: channel })).status).toBe(201);
  for (const [status, title] of Object.entries(articles)) {
    const res = await adminFetch(worker, token, '/articles', {
      json: {
        title,
        body: '<p>正文。</p>',
        channel: channel.slug,
        author: '新闻中心',
        source: '盘锦日报',
      },
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: number } };
    if (status !== 'draft') {
      expect(
        (await adminFetch(worker, token, `/articles/${data.id}/publish`, { json: {} })).status,
      ).toBe(200);
    }
    if (status === 'archived') {
      expect(
        (await adminFetch(worker, token, `/articles/${data.id}/archive`, { json: {} })).status,
      ).toBe(200);
    }
    if (status === 'published') articleId = data.id;
    if (status === 'draft') draftId = data.id;
  }
  await seedAccount(worker, {
    username: `a11y-admin-${run}`,
    role: 'admin',
    mustChangePassword: false,
  });
  await seedAccount(worker, {
    username: `kbd-${run}`,
    displayName: '王编辑',
    mustChangePassword: false,
  });
  await seedAccount(worker, {
    username: `en-${run}`,
    displayName: '王编辑',
    mustChangePassword: false,
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

async function etagOf(id: number): Promise<string> {
  return (await adminFetch(worker, token, `/articles/${id}`)).headers.get('ETag')!;
}

/** Someone else saves the article through the API, so this page's next save is stale. */
async function saveElsewhere(id: number, summary: string) {
  const res = await fetch(new URL(`/api/v1/admin/articles/${id}`, worker.url), {
    method: 'PATCH',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'If-Match': await etagOf(id),
    },
    body: JSON.stringify({ summary }),
  });
  expect(res.status).toBe(200);
}

interface AdminPageCase {
  name: string;
  /** Pages seen before signing in. */
  signedOut?: boolean;
  /** Brings the page into the state to check (signed in as an admin, in the language set). */
  open(page: Page): Promise<void>;
}

/**
 * Every admin page and state axe-core checks, in both languages. A new admin page adds its
 * entry here (signed in as an admin, so admin-only pages belong here too).
 */
const adminPages: AdminPageCase[] = [
  {
    name: 'sign-in',
    signedOut: true,
    open: (page) => page.goto(`${base}/admin/sign-in`).then(() => undefined),
  },
  {
    name: 'sign-in with an error',
    signedOut: true,
    async open(page) {
      await page.goto(`${base}/admin/sign-in`);
      await page.locator('#username').fill('nobody');
      await page.locator('#password').fill('wrong-password-1');
      await page.locator('form.sign-in button[type="submit"]').click();
      await page.locator('[role="alert"]').waitFor();
    },
  },
  {
    name: 'password change',
    open: (page) => page.goto(`${base}/admin/password`).then(() => undefined),
  },
  ...[
    '/admin/users',
    '/admin/tokens',
    '/admin/sessions',
    '/admin/account',
    '/admin/audit',
    '/admin/webhooks',
    '/admin/import',
    '/admin/channels',
    '/admin/tags',
  ].map((path) => ({
    name: path,
    open: (page: Page) => page.goto(`${base}${path}`).then(() => undefined),
  })),
  {
    name: 'article list with filters',
    async open(page) {
      await page.goto(`${base}/admin?channel=${channel.slug}&sort=views`);
      await page.locator('table.article-list tbody tr').first().waitFor();
    },
  },
  {
    name: 'article list with no match',
    open: (page) => page.goto(`${base}/admin?q=nothing-${run}`).then(() => undefined),
  },
  {
    name: 'new article',
    async open(page) {
      await page.goto(`${base}/admin/articles/new`);
      await page.locator('[data-role="drop-zone"]').waitFor();
    },
  },
  {
    name: 'existing article',
    async open(page) {
      await page.goto(`${base}/admin/articles/${articleId}`);
      await page.locator('[data-role="revision-list"] li').first().waitFor();
    },
  },
  {
    name: 'revisions panel open',
    async open(page) {
      await page.goto(`${base}/admin/articles/${articleId}`);
      await page.locator('[data-role="revision-list"] li').last().locator('button').first().click();
      await page.locator('[data-role="revision-diff"]').waitFor();
    },
  },
  {
    name: 'conflict state',
    async open(page) {
      await page.goto(`${base}/admin/articles/${draftId}`);
      await page.locator('[data-role="revision-list"] li').first().waitFor();
      await saveElsewhere(draftId, `另一位编辑的摘要 ${Date.now()}`);
      await page.locator('#f-summary').fill('我的摘要');
      await page.locator('[data-action="save"]').click();
      await page.locator('[data-role="conflict"]').waitFor();
      await page.locator('[data-action="diff"]').click();
      await page.locator('[data-role="diff"]').waitFor();
    },
  },
];

/** A context whose every page reports console errors and uncaught exceptions. */
async function watchedContext(problems: string[]): Promise<BrowserContext> {
  const context = await newContext(browser);
  context.on('page', (page) => {
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      // The failed sign-in (401), the conflict (412) and the empty title (422) are on purpose.
      if (msg.type() === 'error' && !/status of (?:401|412|422)/.test(msg.text())) {
        problems.push(msg.text());
      }
    });
  });
  return context;
}

async function setLanguage(page: Page, lang: 'zh-CN' | 'en') {
  await page.goto(`${base}/admin/lang/${lang}?back=/admin/sign-in`);
  expect(await page.locator('html').getAttribute('lang')).toBe(lang);
}

describe('axe-core on every admin page', () => {
  it('reports a serious violation with the rule, the element and the fix', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${base}/admin/sign-in`);
    await page.evaluate(() => {
      const form = document.querySelector('form.sign-in')!;
      form.append(document.createElement('input'), document.createElement('button'));
    });
    const failure = await expectNoSeriousViolations(page).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/\[critical\] label: Form elements must have labels — input/);
    expect(failure).toContain('Element does not have an explicit <label>');
    expect(failure).toMatch(/\[critical\] button-name: /);
    await context.close();
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`finds no serious or critical violation in ${lang}`, async () => {
      const problems: string[] = [];
      const context = await watchedContext(problems);
      const page = await context.newPage();
      await setLanguage(page, lang);
      const failures: string[] = [];
      const check = async (c: AdminPageCase) => {
        await c.open(page);
        expect(await page.locator('html').getAttribute('lang'), c.name).toBe(lang);
        // Standards mode: quirks mode changes layout in ways axe does not see.
        expect(await page.evaluate(() => document.compatMode), c.name).toBe('CSS1Compat');
        try {
          await expectNoSeriousViolations(page, `${c.name} (${lang})`);
        } catch (err) {
          failures.push((err as Error).message);
        }
      };
      for (const c of adminPages.filter((p) => p.signedOut)) await check(c);
      await signInPage(page, base, `a11y-admin-${run}`);
      for (const c of adminPages.filter((p) => !p.signedOut)) await check(c);
      expect(failures.join('\n\n')).toBe('');
      expect(problems).toEqual([]);
      await context.close();
    }, 120_000);
  }
});

/** Tabs (or Shift+Tabs) until the focused element matches `selector`; fails after 40 steps. */
async function tabTo(page: Page, selector: string, key: 'Tab' | 'Shift+Tab' = 'Tab') {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(key);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${key} never reached ${selector}`);
}

/** The focused element draws a visible focus ring (an outline of some width, not none). */
async function expectVisibleFocus(page: Page) {
  const ring = await page.evaluate(() => {
    const el = document.activeElement!;
    const style = getComputedStyle(el);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), tag: el.tagName };
  });
  expect(ring.style, `focus ring on ${ring.tag}`).not.toBe('none');
  expect(ring.width, `focus ring on ${ring.tag}`).toBeGreaterThanOrEqual(2);
}

describe('the admin by keyboard alone', () => {
  it('signs in, creates a draft, makes text bold and a subheading through the toolbar and saves', async () => {
    const problems: string[] = [];
    const context = await watchedContext(problems);
    const page = await context.newPage();
    await page.goto(`${base}/admin/sign-in`);
    // The username field has the focus on arrival. Chromium applies `autofocus` at a rendering
    // update, which on a loaded machine can come after the load event: wait for it, or the
    // first keystrokes go nowhere and the sign-in fails.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('username');
    await page.keyboard.type(`kbd-${run}`);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Initial-Pass-2026');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin$/);

    // The skip link comes first and jumps to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
    await expectVisibleFocus(page);
    await tabTo(page, 'a[href="/admin/articles/new"]');
    await expectVisibleFocus(page);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/articles\/new$/);

    await tabTo(page, '#f-title');
    await expectVisibleFocus(page);
    await page.keyboard.type('键盘录入的通知');
    await tabTo(page, '#f-channel');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '[data-role="body"]');
    await expectVisibleFocus(page);
    await page.keyboard.type('供暖时间');
    await page.keyboard.press('Shift+Home');
    // Back to the toolbar (one tab stop), Space on its first button: bold.
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-format'))).toBe(
      'bold',
    );
    await expectVisibleFocus(page);
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('[data-role="body"]').innerHTML()).toContain('<b>');
    // The focus is back in the body, to write on; a new paragraph becomes a subheading
    // through the toolbar's arrow keys.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-role'))).toBe(
      'body',
    );
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    // Ctrl+B, the body's own shortcut, ends the bold the new paragraph carries on.
    await page.keyboard.press('Control+b');
    await page.keyboard.type('第二部分');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-format'))).toBe(
      'h2',
    );
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-role="body"] h2').textContent()).toBe('第二部分');

    await tabTo(page, '[data-action="save"]');
    await expectVisibleFocus(page);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/articles\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = (await (await adminFetch(worker, token, `/articles/${id}`)).json()) as {
      data: { title: string; body: string; status: string };
    };
    expect(saved.data).toMatchObject({ title: '键盘录入的通知', status: 'draft' });
    expect(saved.data.body).toContain('<strong>供暖时间</strong>');
    expect(saved.data.body).toContain('<h2>第二部分</h2>');

    // Ctrl+S saves where the editor is (the browser's "save page" would be useless here).
    await tabTo(page, '#f-summary');
    await page.keyboard.type('用键盘保存的摘要');
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.locator('[data-role="status"]').textContent()).toContain('已保存');
    const resaved = (await (await adminFetch(worker, token, `/articles/${id}`)).json()) as {
      data: { summary: string };
    };
    expect(resaved.data.summary).toBe('用键盘保存的摘要');

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});

/**
 * The page's own words: visible text and accessible names, minus what people wrote and minus
 * anything marked as another language (the language switch).
 */
async function ownWords(page: Page): Promise<string> {
  const text = await page.evaluate(() => {
    const lang = document.documentElement.lang;
    const out: string[] = [document.title];
    const foreign = (el: Element | null) => el?.closest('[lang]')?.getAttribute('lang') !== lang;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || foreign(el) || el.closest('[hidden], script, style, [contenteditable]')) continue;
      out.push(n.textContent ?? '');
    }
    for (const el of Array.from(
      document.querySelectorAll('[aria-label], [title], [placeholder], input[type="submit"]'),
    )) {
      if (foreign(el)) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'value']) {
        out.push(el.getAttribute(a) ?? '');
      }
    }
    return out.join('\n');
  });
  // API tokens' names (test/e2e/admin-token.ts) appear as revision authors.
  return written.reduce((t, w) => t.split(w).join(' '), text).replace(/e2e-\w+-[0-9a-f]{8}/g, ' ');
}

const han = /\p{Script=Han}+/gu;
/** Latin words of three letters or more, other than names, formats and units. */
const latinWords = (text: string, allowed: string[]) =>
  allowed.reduce((t, w) => t.split(w).join(' '), text).match(/[A-Za-z]{3,}/g) ?? [];

describe('the admin in English', () => {
  it('switches language from the header and walks the list and the editor in English only', async () => {
    const problems: string[] = [];
    const context = await watchedContext(problems);
    const page = await context.newPage();
    const username = `en-${run}`;
    await signInPage(page, base, username);
    await page.goto(`${base}/admin?channel=${channel.slug}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    const zhList = await ownWords(page);
    expect(latinWords(zhList, [username])).toEqual([]);

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(new RegExp(`/admin\\?channel=${channel.slug}$`));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Articles');
    expect(await page.locator('table.article-list thead th').allTextContents()).toEqual([
      'Title',
      'Channel',
      'Author',
      'Status',
      'Updated',
      'Views',
    ]);
    expect(await page.locator('.badge').allTextContents()).toEqual(
      expect.arrayContaining(['Draft', 'Published', 'Withdrawn']),
    );
    for (const label of ['Status', 'Channel', 'Author', 'Title contains', 'Sort']) {
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
    expect(await page.getByRole('button', { name: 'Filter' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    expect(await ownWords(page)).not.toMatch(han);

    await page.getByRole('link', { name: 'New article' }).click();
    await page.waitForURL(/\/admin\/articles\/new$/);
    for (const label of ['Title', 'Channel', 'Source', 'Author', 'Summary', 'Tags', 'Body']) {
      expect(await page.getByLabel(label, { exact: true }).count(), label).toBe(1);
    }
    expect(await page.getByRole('toolbar', { name: 'Body formatting' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Bold' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(1);
    // A refused save says why in English, naming the field (the API's problem has a code).
    await page.getByLabel('Title', { exact: true }).fill(' ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-role="error"]').textContent())
      .toBe('Please check: Title');
    expect(await ownWords(page)).not.toMatch(han);

    await page.goto(`${base}/admin/articles/${articleId}`);
    await page.locator('[data-role="revision-list"] li').first().waitFor();
    for (const name of ['Publish now', 'Schedule', 'Back to draft', 'Withdraw', 'Preview']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    }
    expect(await page.getByLabel(/^Publish at/).count()).toBe(1);
    await page
      .locator('[data-role="revision-list"] li')
      .last()
      .getByRole('button', { name: 'Compare with the current version' })
      .click();
    await page.locator('[data-role="revision-diff"]').waitFor();
    const editorWords = await ownWords(page);
    expect(editorWords.match(han)).toBeNull();

    // And back: the Chinese editor has no English words of its own.
    await page.getByRole('link', { name: '中文' }).click();
    await page.waitForURL(new RegExp(`/admin/articles/${articleId}$`));
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.locator('[data-role="revision-list"] li').first().waitFor();
    await page.getByLabel('标题', { exact: true }).fill(' ');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => page.locator('[data-role="error"]').textContent()).toBe('请检查：标题');
    expect(latinWords(await ownWords(page), [username])).toEqual([]);

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
