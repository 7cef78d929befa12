import { Scalar } from '@scalar/hono-api-reference';
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { AppError, problemCatalogue, problemTypeUri, type ProblemCode } from '../lib/errors';

const problemCodes = Object.keys(problemCatalogue) as ProblemCode[];

/** The interactive reference and the pages that problem `type` URIs point at. */
export const docsRoutes = new Hono<AppEnv>()
  .get(
    '/docs',
    async (c, next) => {
      await next();
      // The reference UI is a script app from a CDN; only this page gets a policy that allows it.
      c.res.headers.set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; font-src 'self' data: https://fonts.scalar.com; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'",
      );
      c.res.headers.set('Cache-Control', 'public, max-age=300');
    },
    Scalar({ url: '/openapi.json', pageTitle: 'Gazette API reference' }),
  )
  .get('/problems', (c) =>
    c.json(
      {
        data: problemCodes.map((code) => ({
          type: problemTypeUri(code),
          code,
          status: problemCatalogue[code].status,
          title: problemCatalogue[code].title,
        })),
      },
      200,
      { 'Cache-Control': 'public, max-age=3600' },
    ),
  )
  .get('/problems/:type', (c) => {
    const type = c.req.param('type');
    const code = type.replaceAll('-', '_');
    // Only the canonical hyphenated form; hasOwn, not "in", so "constructor" is not a problem type.
    if (!/^[a-z]+(?:-[a-z]+)*$/.test(type) || !Object.hasOwn(problemCatalogue, code)) {
      throw new AppError('not_found', { detail: 'No such problem type' });
    }
    const entry = problemCatalogue[code as ProblemCode];
    return c.json(
      { type: problemTypeUri(code as ProblemCode), code, status: entry.status, title: entry.title },
      200,
      { 'Cache-Control': 'public, max-age=3600' },
    );
  });
