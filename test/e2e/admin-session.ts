import { pbkdf2Sync, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { RunningWorker } from '../../scripts/lib/run-worker';

/** The initial password every seeded account starts with. */
export const initialPassword = 'Initial-Pass-2026';

/**
 * An account written straight into the worker's D1, hashed the way src/auth/passwords.ts
 * does, with Node's own PBKDF2: the formats must agree.
 */
export function seedAccount(
  worker: RunningWorker,
  options: {
    username: string;
    role?: 'admin' | 'editor';
    displayName?: string;
    mustChangePassword?: boolean;
  },
): Promise<void> {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(initialPassword.normalize('NFC'), salt, 100_000, 32, 'sha256');
  return worker.execSql(
    `INSERT INTO users (username, display_name, role, password_hash, password_salt, password_iterations, must_change_password) VALUES ('${options.username}', '${options.displayName ?? '李编辑'}', '${options.role ?? 'editor'}', '${hash.toString('base64')}', '${salt.toString('base64')}', 100000, ${options.mustChangePassword === false ? 0 : 1});\n`,
  );
}

/** Signs a seeded account in through the form (by field names, so in any language). */
export async function signInPage(page: Page, base: string, username: string): Promise<void> {
  await page.goto(`${base}/admin/sign-in`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(initialPassword);
  await page.locator('form.sign-in button[type="submit"]').click();
  await page.waitForURL(/\/admin(?:\/password)?$/);
}
