import { exports } from 'cloudflare:workers';
import { createUser } from '../../src/auth/users';
import { nowDate } from '../../src/lib/clock';
import type { TokenRole } from '../../src/db/schema';
import { clientAddress, testDb, uniqueSlug } from '../helpers';

export const origin = 'http://gazette.test';
export const goodPassword = '盘锦新闻中心-2026';

/** A fresh account; by default one that has already chosen its own password. */
export async function seedUser(
  role: TokenRole = 'editor',
  options: { mustChangePassword?: boolean; password?: string } = {},
) {
  const username = uniqueSlug('u')
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 40);
  const user = await createUser(testDb(), {
    username,
    displayName: `测试用户 ${username}`,
    role,
    password: options.password ?? goodPassword,
    mustChangePassword: options.mustChangePassword ?? false,
    at: nowDate(),
  });
  return { ...user!, password: options.password ?? goodPassword };
}

export function postSignIn(
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return exports.default.fetch(
    new Request(`${origin}/admin/sign-in`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'CF-Connecting-IP': clientAddress(),
        'Sec-Fetch-Site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    }),
  );
}

export interface Browser {
  cookie: string;
  csrf: string;
}

/** Signs in and returns the session cookie and the CSRF token the admin pages carry. */
export async function signInAs(username: string, password = goodPassword): Promise<Browser> {
  const res = await postSignIn({ username, password });
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  const cookie = /__Host-gazette_session=([^;]+)/.exec(res.headers.get('Set-Cookie') ?? '')![1]!;
  const page = await browserGet('/admin/password', { cookie, csrf: '' });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, csrf };
}

export function browserGet(path: string, browser: Browser | null): Promise<Response> {
  return exports.default.fetch(
    new Request(`${origin}${path}`, {
      headers: {
        'CF-Connecting-IP': clientAddress(),
        'Sec-Fetch-Site': 'same-origin',
        ...(browser ? { Cookie: `__Host-gazette_session=${browser.cookie}` } : {}),
      },
      redirect: 'manual',
    }),
  );
}

/** A write from the admin pages: cookie, CSRF header and same-origin Fetch Metadata by default. */
export function browserApi(
  path: string,
  browser: Browser,
  init: {
    method?: string;
    json?: unknown;
    headers?: Record<string, string>;
    csrf?: string | null;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    'CF-Connecting-IP': clientAddress(),
    Cookie: `__Host-gazette_session=${browser.cookie}`,
    'Sec-Fetch-Site': 'same-origin',
    ...(init.csrf === null ? {} : { 'X-CSRF-Token': init.csrf ?? browser.csrf }),
    ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...init.headers,
  };
  return exports.default.fetch(
    new Request(`${origin}/api/v1/admin${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
  );
}

/**
 * A form post of the admin pages: cookie, same-origin Fetch Metadata and, unless `csrf` is
 * null, the session's CSRF token in the form's `csrf` field (as the pages' forms carry it).
 */
export function browserPost(
  path: string,
  browser: Browser,
  fields: Record<string, string> = {},
  options: { csrf?: string | null } = {},
): Promise<Response> {
  const csrf = options.csrf === undefined ? browser.csrf : options.csrf;
  return exports.default.fetch(
    new Request(`${origin}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'CF-Connecting-IP': clientAddress(),
        'Sec-Fetch-Site': 'same-origin',
        Cookie: `__Host-gazette_session=${browser.cookie}`,
      },
      body: new URLSearchParams(csrf === null ? fields : { ...fields, csrf }).toString(),
      redirect: 'manual',
    }),
  );
}
