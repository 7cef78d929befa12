import type { Context } from 'hono';
import { buildApp, type Writers } from './app-core';
import type { AppEnv } from './env';
import { AppError, problemResponse } from './lib/errors';
import { createLogger, describeError } from './lib/logger';

/**
 * The readers' worker's app: the public features, and every path only writers use handed
 * unchanged to the admin worker through its service binding (ADMIN). Same origin and Host, so
 * session cookies, the admin's same-origin CSRF checks and the links it builds stay right; the
 * admin worker runs the whole app (src/app.ts) and its own middleware on them. The editors'
 * code (admin API and pages, authoring commands, sanitize-html, import, webhooks, the API
 * description with its admin schemas) is thus never in this bundle: test/node/worker-bundle.test.ts.
 */
export const forwardedPaths: readonly string[] = [
  '/admin',
  '/admin/*',
  '/api/v1/admin',
  '/api/v1/admin/*',
  '/preview/*',
  // The API description holds the admin API's schemas too.
  '/openapi.json',
];

export async function forwardToAdmin(c: Context<AppEnv>): Promise<Response> {
  try {
    if (!c.env.ADMIN) throw new Error('no ADMIN service binding');
    // The request itself, body streaming through; the answer comes back as it was sent.
    return await c.env.ADMIN.fetch(c.req.raw);
  } catch (err) {
    const requestId = crypto.randomUUID();
    createLogger(c.env.LOG_LEVEL, { requestId }).error('admin worker unreachable', {
      method: c.req.method,
      path: c.req.path,
      ...describeError(err),
    });
    c.set('requestId', requestId);
    return problemResponse(
      c,
      new AppError('admin_unavailable', {
        detail: 'The admin worker could not be reached; try again shortly.',
        headers: { 'Retry-After': '5' },
      }),
    );
  }
}

export const forwardingWriters: Writers = {
  first(app) {
    for (const path of forwardedPaths) app.all(path, forwardToAdmin);
  },
};

export function createReaderApp() {
  return buildApp(forwardingWriters);
}
