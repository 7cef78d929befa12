import { Hono } from 'hono';
import { assetManifest } from '../asset-manifest.gen';
import type { AppEnv } from '../env';
import { AppError, problemCatalogue, problemTypeUri, type ProblemCode } from '../lib/errors';

const problemCodes = Object.keys(problemCatalogue) as ProblemCode[];

/** The interactive reference and the pages that problem `type` URIs point at. */
export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => {
    // The same strict policy as every page: own scripts and styles only, nothing inline.
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(
      '<!doctype html>' +
        (
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Gazette API reference</title>
              <link rel="stylesheet" href={assetManifest['/assets/docs/swagger-ui.css']} />
            </head>
            <body>
              <div id="api-reference" data-openapi-url="/openapi.json"></div>
              <script src={assetManifest['/assets/docs/swagger-ui.js']}></script>
              <script src={assetManifest['/assets/docs.js']}></script>
            </body>
          </html>
        ).toString(),
    );
  })
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
