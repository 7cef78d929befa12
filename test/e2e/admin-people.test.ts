/**
 * The people and access pages in Chromium: an admin creates an editor, who signs in with the
 * initial password, must choose their own, turns on TOTP from the QR page and signs in again
 * with a code (generated here with otpauth); the admin creates an API token and ends the
 * editor's session, which signs that browser out. No third-party request, no console error.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newContext, screenshotPath, useWorkerAndBrowser } from './harness';

const running = useWorkerAndBrowser();

const adminPassword = 'Admin-Pass-Panjin-2026';
const initial = 'Initial-Pass-2026';
const chosen = '我的新密码-Panjin-2026';

/** An admin who already chose a password, hashed as src/auth/passwords.ts does. */
function seedAdmin(username: string) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(adminPassword.normalize('NFC'), salt, 100_000, 32, 'sha256');
  return running.worker.execSql(
    `INSERT INTO users (username, display_name, role, password_hash, password_salt, password_iterations, must_change_password) VALUES ('${username}', '张管理', 'admin', '${hash.toString('base64')}', '${salt.toString('base64')}', 100000, 0);\n`,
  );
}

/**
 * The code an authenticator shows `ahead` periods from now. A code works once per 30-second
 * step, so the sign-in after the confirming code uses the next step (the server accepts one
 * step of drift either side).
 */
function codeFor(secret: string, ahead = 0): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
    timestamp: Date.now() + ahead * 30_000,
  });
}

function watch(page: Page, base: string) {
  const origins = new Set<string>();
  const problems: string[] = [];
  page.on('request', (req) => origins.add(new URL(req.url()).origin));
  page.on('console', (msg) => {
    // Refused sign-ins answer 401 and the editor's visit to an admin page 403, on purpose;
    // Chromium logs every 4xx document.
    if (msg.type() === 'error' && !/status of 40[13]/.test(msg.text())) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return () => {
    expect(problems).toEqual([]);
    expect([...origins]).toEqual([base]);
  };
}

async function signIn(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/admin/sign-in`);
  await page.getByLabel('用户名', { exact: true }).fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

describe('/admin people and access in Chromium', () => {
  it('creates an editor who changes the password, turns on TOTP, signs in with a code and is signed out by the admin', async () => {
    const { worker, browser } = running;
    const base = worker.url.origin;
    const suffix = randomBytes(3).toString('hex');
    const adminName = `zhang.admin-${suffix}`;
    const editorName = `wang.bianji-${suffix}`;
    await seedAdmin(adminName);

    // The admin creates the editor.
    const adminContext = await newContext(browser);
    const admin = await adminContext.newPage();
    const adminChecks = watch(admin, base);
    await signIn(admin, base, adminName, adminPassword);
    await admin.waitForURL(/\/admin$/);
    await admin.getByRole('link', { name: '用户管理' }).click();
    await admin.waitForURL(/\/admin\/users$/);
    await admin.getByLabel('姓名').fill('王编辑');
    await admin.locator('#new-username').fill(editorName);
    await admin.locator('#new-role').selectOption('editor');
    await admin.locator('#new-password').fill(initial);
    await admin.getByRole('button', { name: '创建' }).click();
    await admin.waitForURL(/done=created/);
    expect(await admin.getByRole('status').first().textContent()).toContain('用户已创建');
    const row = admin.locator(`tr[data-username="${editorName}"]`);
    expect(await row.textContent()).toContain('待改密码');
    await admin.screenshot({ path: screenshotPath('admin-users.png'), fullPage: true });

    // An API token: its secret once, with a copy button.
    await admin.getByRole('link', { name: '接口令牌' }).click();
    await admin.getByLabel('令牌名称').fill(`发布脚本-${suffix}`);
    await admin.getByRole('button', { name: '创建' }).click();
    const secret = await admin.locator('#new-token').textContent();
    expect(secret).toMatch(/^gz_[A-Za-z0-9_-]{43}$/);
    expect(await admin.getByRole('button', { name: '复制' }).isVisible()).toBe(true);
    await admin.screenshot({ path: screenshotPath('admin-tokens.png'), fullPage: true });
    await admin.goto(`${base}/admin/tokens`);
    expect(await admin.content()).not.toContain(secret!);

    // The editor signs in with the initial password and must choose their own.
    const editorContext = await newContext(browser);
    const editor = await editorContext.newPage();
    const editorChecks = watch(editor, base);
    await signIn(editor, base, editorName, initial);
    await editor.waitForURL(/\/admin\/password$/);
    await editor.getByLabel('当前密码').fill(initial);
    await editor.getByLabel('新密码（至少 10 个字符）').fill(chosen);
    await editor.getByLabel('再次输入新密码').fill(chosen);
    await editor.getByRole('button', { name: '保存' }).click();
    await editor.waitForURL(/\/admin$/);
    // An editor's menu has no admin-only entries, and those pages say no.
    expect(await editor.getByRole('link', { name: '用户管理' }).count()).toBe(0);
    expect(await editor.getByRole('link', { name: '接口令牌' }).count()).toBe(0);
    const forbidden = await editor.goto(`${base}/admin/users`);
    expect(forbidden?.status()).toBe(403);

    // TOTP: the QR code is drawn locally; the key is also there as text.
    await editor.getByRole('link', { name: '我的账户' }).click();
    await editor.getByRole('button', { name: '开始设置' }).click();
    await expect.poll(() => editor.locator('.qr svg path').count()).toBe(1);
    const key = (await editor.locator('code.secret').textContent())!;
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    await editor.screenshot({ path: screenshotPath('admin-totp-setup.png'), fullPage: true });
    await editor.getByLabel('动态验证码', { exact: true }).fill(codeFor(key));
    await editor.getByRole('button', { name: '确认开启' }).click();
    await editor.waitForURL(/done=totp-on/);
    expect(await editor.getByRole('status').first().textContent()).toContain('双因素验证已开启');

    // Signing in again asks for the code.
    await editor.getByRole('button', { name: '退出登录' }).click();
    await editor.waitForURL(/\/admin\/sign-in$/);
    await signIn(editor, base, editorName, chosen);
    await expect
      .poll(() => editor.getByRole('alert').textContent())
      .toContain('请输入身份验证器中的动态验证码');
    await editor.getByLabel('密码', { exact: true }).fill(chosen);
    await editor.getByLabel('动态验证码', { exact: true }).fill(codeFor(key, 1));
    await editor.getByRole('button', { name: '登录' }).click();
    await editor.waitForURL(/\/admin$/);

    // The admin sees the editor's session and ends it.
    await admin.getByRole('link', { name: '登录会话' }).click();
    await admin.waitForURL(/\/admin\/sessions$/);
    const sessions = admin.locator(`tr[data-username="${editorName}"]`);
    await expect.poll(() => sessions.count()).toBe(1);
    expect(await admin.locator('tr', { hasText: '当前会话' }).count()).toBe(1);
    await admin.screenshot({ path: screenshotPath('admin-sessions.png'), fullPage: true });
    await sessions.getByRole('button', { name: '结束会话' }).click();
    await admin.waitForURL(/done=session-revoked/);
    expect(await admin.locator(`tr[data-username="${editorName}"]`).count()).toBe(0);

    // The editor's next request lands on the sign-in page.
    await editor.reload();
    await editor.waitForURL(/\/admin\/sign-in\?/);
    expect(await editor.getByRole('alert').textContent()).toContain('登录已失效');

    adminChecks();
    editorChecks();
    await adminContext.close();
    await editorContext.close();
  });
});
