/**
 * The admin's operations pages in Chromium against the built worker: import a small NDJSON
 * file with one bad line through the page and watch its progress reach done, read the
 * report, find the import's entries in the audit log, then register a webhook (pointing at a
 * real receiver on 127.0.0.1) and see its delivery log after an article is published.
 * Screenshots go to test-results/screenshots.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, type RunningWorker } from '../../scripts/lib/run-worker';
import { adminFetch, adminToken } from './admin-token';
import { launchBrowser, newContext, screenshotPath, startTestWorker, tempDir } from './harness';

let worker: RunningWorker;
let browser: Browser;
let server: Server;
let port = 0;
const received: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  worker = await startTestWorker();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
  await new Promise((resolve) => server?.close(resolve));
});

const password = '运维页面-Panjin-2026';

/** An admin account that has already chosen its password, hashed as src/auth/passwords.ts does. */
function seedAdmin(username: string) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password.normalize('NFC'), salt, 100_000, 32, 'sha256');
  return worker.execSql(
    `INSERT INTO users (username, display_name, role, password_hash, password_salt, password_iterations, must_change_password) VALUES ('${username}', '王管理', 'admin', '${hash.toString('base64')}', '${salt.toString('base64')}', 100000, 0);\n`,
  );
}

describe('/admin operations pages in Chromium', () => {
  it('imports a file with a bad line, shows the report and the audit entries, and a webhook with its delivery log', async () => {
    await seedAdmin('wang.admin');
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    const base = worker.url.origin;

    await page.goto(`${base}/admin/import`);
    await page.getByLabel('用户名').fill('wang.admin');
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/admin\/import$/);
    // An admin's menu has the three entries.
    for (const name of ['操作日志', 'Webhook', '导入导出']) {
      expect(await page.getByRole('navigation').getByRole('link', { name }).count()).toBe(1);
    }
    expect(await page.getByRole('link', { name: '下载导出文件' }).getAttribute('href')).toBe(
      '/api/v1/admin/export',
    );

    const run = Date.now().toString(36);
    const lines = [
      {
        externalId: `ops-e2e-${run}-1`,
        title: '市政府召开安全生产工作会议',
        paragraphs: ['会议强调，要压实安全生产责任。'],
        channelPath: '要闻动态/运维导入',
        source: '盘锦日报',
        publishedAt: '2024-05-01T08:00:00+08:00',
      },
      '{"externalId": "broken", "title": ',
      {
        externalId: `ops-e2e-${run}-3`,
        title: '关于开展冬季清雪工作的通知',
        paragraphs: ['各单位按责任区清雪。'],
        channelPath: '要闻动态/运维导入',
        publishedAt: '2024-05-02T08:00:00+08:00',
      },
    ];
    const file = join(tempDir('gazette-ops-'), 'articles.ndjson');
    writeFileSync(
      file,
      lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n',
    );
    await page.getByLabel('导入文件').setInputFiles(file);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/admin\/import\/[0-9a-f]{64}$/);
    const jobId = /([0-9a-f]{64})$/.exec(page.url())![1]!;
    // The page polls the job; when it is done the page shows the report.
    await page.locator('[data-import-job][data-status="done"]').waitFor({ timeout: 30_000 });
    const progress = page.locator('progress[data-role="progress"]');
    expect(await progress.evaluate((p: HTMLProgressElement) => p.value === p.max)).toBe(true);
    expect(await page.locator('[data-count="created"]').textContent()).toBe('2');
    expect(await page.locator('[data-count="rejected"]').textContent()).toBe('1');
    const rejection = page.locator('table[data-table="rejections"] tbody tr');
    expect(await rejection.count()).toBe(1);
    expect(await rejection.locator('td').first().textContent()).toBe('2');
    expect(await rejection.textContent()).toMatch(/not valid JSON/);
    await page.screenshot({ path: screenshotPath('admin-ops-import.png'), fullPage: true });

    // The old site's JSON (the shared fixture), mapped in the browser as `--from municipal` does.
    await page.getByRole('link', { name: '再导入一个文件' }).click();
    await page.waitForURL(/\/admin\/import$/);
    await page.getByLabel('旧站 JSON（municipal 格式，单篇或数组）').check();
    await page
      .getByLabel('导入文件')
      .setInputFiles(
        join(projectRoot, '..', 'shared', 'fixtures', 'article-zh-municipal-news.json'),
      );
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.waitForURL(/\/admin\/import\/[0-9a-f]{64}$/);
    await page.locator('[data-import-job][data-status="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-count="created"]').textContent()).toBe('1');
    expect(await page.locator('[data-count="rejected"]').textContent()).toBe('0');

    // The import's entries in the audit log, named by the person's display name.
    await page.getByRole('navigation').getByRole('link', { name: '操作日志' }).click();
    await page.waitForURL(/\/admin\/audit$/);
    await page.getByLabel('操作', { exact: true }).fill('import.start');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/action=import.start/);
    const start = page.locator('table[data-table="audit"] tbody tr', {
      has: page.locator(`a[href="/admin/import/${jobId}"]`),
    });
    expect(await start.count()).toBe(1);
    expect(await start.textContent()).toContain('王管理');
    expect(await start.textContent()).toContain('import.start');
    await page.getByLabel('操作', { exact: true }).fill('article.');
    await page.getByLabel('操作人').selectOption('wang.admin');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/action=article\./);
    const created = await page.locator('table[data-table="audit"] tbody tr').allTextContents();
    expect(created.filter((row) => row.includes('article.import'))).toHaveLength(3);
    expect(created.every((row) => row.includes('王管理'))).toBe(true);
    const targets = await page
      .locator('table[data-table="audit"] tbody tr a[href^="/admin/articles/"]')
      .count();
    expect(targets).toBe(created.length);
    await page.screenshot({ path: screenshotPath('admin-ops-audit.png'), fullPage: true });

    // A webhook, created on the page; its secret is shown once.
    await page.getByRole('navigation').getByRole('link', { name: 'Webhook' }).click();
    await page.waitForURL(/\/admin\/webhooks$/);
    await page.getByLabel('接收地址').fill(`http://127.0.0.1:${port}/gazette`);
    await page.getByLabel('说明').fill('政务公开平台同步');
    await page.getByRole('button', { name: '创建' }).click();
    const secret = await page.getByLabel('签名密钥').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('link', { name: /编辑 Webhook #\d+/ }).click();
    await page.waitForURL(/\/admin\/webhooks\/\d+$/);
    expect(await page.content()).not.toContain(secret);

    // Publishing an article sends the event; the delivery log shows it.
    const token = await adminToken(worker);
    const imported = (await (await adminFetch(worker, token, `/articles?limit=5`)).json()) as {
      data: { id: number; title: string; status: string }[];
    };
    const article = imported.data.find((a) => a.title === '关于开展冬季清雪工作的通知')!;
    expect(
      (await adminFetch(worker, token, `/articles/${article.id}/unpublish`, { json: {} })).status,
    ).toBe(200);
    expect(
      (await adminFetch(worker, token, `/articles/${article.id}/publish`, { json: {} })).status,
    ).toBe(200);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('table[data-table="deliveries"] tbody tr').count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    const delivery = page.locator('table[data-table="deliveries"] tbody tr').first();
    await expect
      .poll(
        async () => {
          await page.reload();
          return delivery.textContent();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toContain('已送达');
    expect(await delivery.textContent()).toContain('204');
    expect(await delivery.textContent()).toContain('article.published');
    expect(received).toContain('/gazette');
    await page.screenshot({ path: screenshotPath('admin-ops-webhook.png'), fullPage: true });

    // The same page in English, through the language switch.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/admin\/webhooks\/\d+$/);
    expect(await page.getByRole('heading', { name: 'Delivery log' }).count()).toBe(1);

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
