/**
 * The web admin in Chromium: sign in with an initial password, choose one's own, see the
 * article list with its status badges and view counts, sign out. No CSP violation, no
 * third-party request. Screenshots go to test-results/screenshots (gitignored).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/run-worker';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { adminFetch, adminToken } from './admin-token';
import { launchBrowser, newContext, screenshotPath, startTestWorker } from './harness';

let worker: RunningWorker;
let browser: Browser;

beforeAll(async () => {
  worker = await startTestWorker();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

const initial = 'Initial-Pass-2026';
const chosen = '我的新密码-Panjin-2026';

function seedAccount() {
  // Hashed the way src/auth/passwords.ts does, with Node's own PBKDF2: the formats must agree.
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(initial.normalize('NFC'), salt, 100_000, 32, 'sha256');
  return worker.execSql(
    `INSERT INTO users (username, display_name, role, password_hash, password_salt, password_iterations, must_change_password) VALUES ('li.bianji', '李编辑', 'editor', '${hash.toString('base64')}', '${salt.toString('base64')}', 100000, 1);\n`,
  );
}

async function seedArticles() {
  const token = await adminToken(worker);
  const slug = `e2e-admin-${Date.now().toString(36)}`;
  expect(
    (await adminFetch(worker, token, '/channels', { json: { slug, name: '要闻动态' } })).status,
  ).toBe(201);
  const titles = ['市政府召开常务会议', '关于做好冬季供暖工作的通知', '盘锦港集装箱吞吐量创新高'];
  for (const [i, title] of titles.entries()) {
    const res = await adminFetch(worker, token, '/articles', {
      json: { title, body: '<p>正文。</p>', channel: slug, author: '新闻中心', source: '盘锦日报' },
    });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: number } };
    if (i > 0) {
      const action = i === 1 ? 'publish' : 'archive';
      if (action === 'archive') {
        await adminFetch(worker, token, `/articles/${data.id}/publish`, { json: {} });
      }
      expect(
        (await adminFetch(worker, token, `/articles/${data.id}/${action}`, { json: {} })).status,
      ).toBe(200);
    }
  }
}

describe('/admin in Chromium', () => {
  it('signs in, asks for a new password, lists articles and signs out', async () => {
    await seedAccount();
    await seedArticles();
    const context = await newContext(browser);
    const page = await context.newPage();
    const origins = new Set<string>();
    const problems: string[] = [];
    page.on('request', (req) => origins.add(new URL(req.url()).origin));
    page.on('console', (msg) => {
      // The failed sign-in page is a 401 on purpose; Chromium logs every 4xx document.
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));

    const base = worker.url.origin;
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.getByLabel('用户名').fill('li.bianji');
    await page.getByLabel('密码').fill('wrong-password-1');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户名或密码不正确');

    await page.getByLabel('密码').fill(initial);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/admin\/password$/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-gazette_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });

    await page.getByLabel('当前密码').fill(initial);
    await page.getByLabel('新密码（至少 10 个字符）').fill(chosen);
    await page.getByLabel('再次输入新密码').fill(chosen);
    await page.getByRole('button', { name: '保存' }).click();
    await page.waitForURL(/\/admin$/);

    await expect.poll(() => page.locator('table.article-list tbody tr').count()).toBeGreaterThan(2);
    const badges = await page.locator('.badge').allTextContents();
    expect(badges).toEqual(expect.arrayContaining(['草稿', '已发布', '已撤回']));
    // An editor's menu has no admin-only entries.
    expect(await page.getByRole('link', { name: '接口令牌' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('admin-list.png'), fullPage: true });

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/admin\/sign-in$/);
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');

    expect(problems).toEqual([]);
    expect([...origins]).toEqual([base]);
    await context.close();
  });
});
