/**
 * The channels and tags pages in Chromium, as an admin: reorder with the keyboard, rename (and
 * see the public article page follow), move under another parent, merge two tags. Plain forms
 * with a redirect after each; no CSP violation, no console error, no third-party request.
 * Screenshots of both pages go to test-results/screenshots.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderSql } from '../../scripts/lib/d1-cli';
import { hashPassword } from '../../src/auth/passwords';
import { insertUserStatement } from '../../src/auth/users';
import { createDb } from '../../src/db/client';
import { adminFetch, adminToken } from './admin-token';
import { newContext, screenshotPath, useWorkerAndBrowser } from './harness';

const e2e = useWorkerAndBrowser();

const password = 'Structure-Admin-2026';

/** An admin account that has already chosen its password, stored as `npm run user` stores one. */
async function seedAdmin(username: string) {
  const db = createDb({} as Parameters<typeof createDb>[0]);
  const statement = insertUserStatement(
    db,
    { username, displayName: '王管理员', role: 'admin', mustChangePassword: false, at: new Date() },
    await hashPassword(password),
  );
  await e2e.worker.execSql(`${renderSql(statement.toSQL())};\n`);
}

async function seed() {
  const token = await adminToken(e2e.worker);
  const call = async (path: string, json: unknown) => {
    const res = await adminFetch(e2e.worker, token, path, { json });
    expect(res.status, path).toBeLessThan(300);
    return res.json() as Promise<{ data: { id: number; slug: string } }>;
  };
  await call('/channels', { slug: 'news', name: '要闻动态' });
  await call('/channels', { slug: 'gov', name: '政务公开' });
  for (const [slug, name] of [
    ['local', '盘锦要闻'],
    ['counties', '县区动态'],
    ['notices', '通知公告'],
  ]) {
    await call('/channels', { slug, name, parent: 'news' });
  }
  const articles = [];
  for (const [title, tags] of [
    ['市政府召开常务会议', ['供暖']],
    ['关于做好冬季供暖工作的通知', ['冬季供暖']],
  ] as const) {
    const { data } = await call('/articles', {
      title,
      body: '<p>正文。</p>',
      channel: 'local',
      source: '盘锦日报',
      tags,
    });
    await call(`/articles/${data.id}/publish`, {});
    articles.push(data);
  }
  return articles;
}

/** Runs `act` (a form submission) and waits for the page it loads, even at the same URL. */
async function submits(page: Page, act: () => Promise<unknown>) {
  const loaded = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await act();
  await loaded;
  await page.waitForLoadState('load');
}

/** The slugs of the channels directly under `parent`, as the page shows them. */
function childrenOn(page: Page, parent: string) {
  return page
    .locator(`#channel-${parent} > ol > li`)
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-channel')));
}

describe('/admin/channels and /admin/tags in Chromium', () => {
  it('reorders, renames and moves channels and merges tags', async () => {
    await seedAdmin('wang.guanli');
    const [article] = await seed();
    const context = await newContext(e2e.browser);
    const page = await context.newPage();
    const origins = new Set<string>();
    const problems: string[] = [];
    page.on('request', (req) => origins.add(new URL(req.url()).origin));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const base = e2e.worker.url.origin;

    await page.goto(`${base}/admin/channels`);
    await page.getByLabel('用户名').fill('wang.guanli');
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/admin\/channels$/);
    await expect.poll(() => childrenOn(page, 'news')).toEqual(['local', 'counties', 'notices']);
    await page.screenshot({ path: screenshotPath('admin-channels.png'), fullPage: true });

    // Reorder with the keyboard: the page comes back with the focus on the same button.
    await page.getByRole('button', { name: '上移“通知公告”' }).focus();
    await submits(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).searchParams.get('done')).toBe('reordered');
    expect(await childrenOn(page, 'news')).toEqual(['local', 'notices', 'counties']);
    await expect
      .poll(() => page.locator(':focus').getAttribute('aria-label'))
      .toBe('上移“通知公告”');
    await submits(page, () => page.keyboard.press('Enter'));
    expect(await childrenOn(page, 'news')).toEqual(['notices', 'local', 'counties']);
    expect(await page.getByRole('status').textContent()).toBe('顺序已更新。');

    // Rename; the public article page's breadcrumb follows at once.
    await page.locator('#channel-local > details > summary').click();
    await page.locator('#name-local').fill('本地要闻');
    await submits(page, () =>
      page.locator('#channel-local').getByRole('button', { name: '重命名' }).click(),
    );
    expect(page.url()).toContain('done=saved');
    expect(await page.locator('#channel-local .channel-name').first().textContent()).toBe(
      '本地要闻',
    );
    const reader = await context.newPage();
    await reader.goto(`${base}/articles/${article!.id}/${article!.slug}`);
    expect(await reader.locator('nav.breadcrumb').textContent()).toContain('本地要闻');
    await reader.close();

    // Move under another parent.
    await page.locator('#channel-counties > details > summary').click();
    await page.locator('#parent-counties').selectOption('gov');
    await submits(page, () =>
      page.locator('#channel-counties').getByRole('button', { name: '移动' }).click(),
    );
    expect(page.url()).toContain('done=moved');
    expect(await childrenOn(page, 'gov')).toEqual(['counties']);
    expect(await childrenOn(page, 'news')).toEqual(['notices', 'local']);

    // Tags: merge 供暖 into 冬季供暖, confirming the browser's question.
    await page.getByRole('link', { name: '标签管理' }).click();
    await page.waitForURL(/\/admin\/tags$/);
    const rows = page.locator('table.tag-list tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: screenshotPath('admin-tags.png'), fullPage: true });
    const slugOf = (name: string) =>
      rows.evaluateAll(
        (trs, wanted) =>
          trs.find((tr) => tr.querySelector('.tag-name')?.textContent === wanted)?.dataset.tag,
        name,
      );
    const [from, into] = [(await slugOf('供暖'))!, (await slugOf('冬季供暖'))!];
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.accept();
    });
    const fromRow = page.locator(`#tag-${from}`);
    await fromRow.getByLabel('合并到').fill(into);
    await submits(page, () => fromRow.getByRole('button', { name: '合并' }).click());
    expect(page.url()).toContain('done=tagMerged');
    expect(questions[0]).toContain('供暖');
    expect(await page.locator(`#tag-${from}`).count()).toBe(0);
    expect(await page.locator(`#tag-${into} td.num`).textContent()).toBe('2');

    expect(problems).toEqual([]);
    expect([...origins]).toEqual([base]);
    await context.close();
  });
});
