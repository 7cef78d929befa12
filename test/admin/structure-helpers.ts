import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { origin, seedUser, signInAs, type Browser } from '../auth/browser';
import { createApp } from '../../src/app';
import { clientAddress } from '../helpers';

/** What the channels and tags tests share: a signed-in admin or editor, and posting a form. */

export async function signedIn(role: 'admin' | 'editor' = 'admin'): Promise<Browser> {
  const user = await seedUser(role);
  return signInAs(user.username);
}

/**
 * A form post from the admin pages: cookie, same-origin Fetch Metadata and the session's CSRF
 * token in the `csrf` field, unless `csrf` says otherwise (null: no field at all).
 */
export function postForm(
  path: string,
  browser: Browser,
  fields: Record<string, string>,
  options: { csrf?: string | null; lang?: 'en'; fetch?: (req: Request) => Promise<Response> } = {},
): Promise<Response> {
  const body = new URLSearchParams(fields);
  if (options.csrf !== null) body.set('csrf', options.csrf ?? browser.csrf);
  const request = new Request(`${origin}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'CF-Connecting-IP': clientAddress(),
      'Sec-Fetch-Site': 'same-origin',
      Cookie: `__Host-gazette_session=${browser.cookie}${options.lang ? `; gazette_admin_lang=${options.lang}` : ''}`,
    },
    body: body.toString(),
    redirect: 'manual',
  });
  return (options.fetch ?? ((req) => exports.default.fetch(req)))(request);
}

/** A 303 back to `page` with `?done=done`; returns the Location. */
export function expectDone(res: Response, page: string, done: string): string {
  expect(res.status).toBe(303);
  const location = res.headers.get('Location') ?? '';
  expect(location).toMatch(new RegExp(`^${page.replace(/\//g, '\\/')}\\?done=${done}(&|#|$)`));
  return location;
}

/** The page's inline error: the alert at the top, as text. */
export function pageError(html: string): string {
  const block = /<div class="alert" role="alert" data-role="page-error">([\s\S]*?)<\/div>/.exec(
    html,
  );
  return (block?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Requests to an app whose public answers go through this colo's edge cache (off in the
 * suite's config), to prove a write leaves no stale copy behind.
 */
export function withEdgeCache(): (req: Request) => Promise<Response> {
  const app = createApp();
  const cachedEnv = { ...env, API_EDGE_CACHE_SECONDS: '60' } as Env;
  return async (req) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(req, cachedEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}
