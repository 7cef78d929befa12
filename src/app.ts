import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { articlesRoutes } from './articles/routes';
import { previewRoutes } from './authoring/preview-routes';
import { channelsRoutes } from './channels/routes';
import { docsRoutes } from './docs/routes';
import { embedRoutes } from './embed/routes';
import type { AppEnv } from './env';
import { feedsRoutes } from './feeds/routes';
import { healthRoutes } from './health/routes';
import { AppError, clientProblem, problemResponse } from './lib/errors';
import { edgeCacheHit, publicGet } from './lib/http';
import { createLogger, describeError } from './lib/logger';
import { accessLog, assignRequestId, securityHeaders } from './lib/middleware';
import type { OpenApiConfig } from './lib/openapi';
import { mediaAdminRoutes, mediaRoutes } from './media/routes';
import { pagesRoutes, renderErrorPage } from './pages/routes';
import { searchPageRoutes } from './search/page-routes';
import { searchRoutes } from './search/routes';
import { viewsRoutes } from './views/routes';

/** Readers get an error page in the site's language; API clients get a problem document. */
function renderProblem(c: Context<AppEnv>, problem: AppError, asPage: boolean) {
  return asPage ? renderErrorPage(c, problem) : problemResponse(c, problem);
}

/**
 * Route order is decided here and nowhere else, except inside a feature: each feature's paths
 * are its own, so their mount order does not matter (the articles API itself puts
 * /articles/popular before /articles/{idOrSlug}). Media's admin routes come first of all,
 * before the admin API (mounted right after this list): uploads stream past the admin API's
 * 1 MB JSON body limit.
 */
const apiMounts = [
  ['/api/v1', mediaAdminRoutes],
  ['/api/v1', viewsRoutes],
  ['/api/v1', articlesRoutes],
  ['/api/v1', channelsRoutes],
  ['/api/v1', searchRoutes],
  ['/', mediaRoutes],
  ['/', embedRoutes],
] as const;

const apiDescription: OpenApiConfig = {
  openapi: '3.1.0',
  info: {
    title: 'Gazette API',
    version: '1.0.0',
    description:
      'Public read API of Gazette, an edge-native news content service. Errors are RFC 9457 problem documents.',
  },
  servers: [{ url: '/' }],
  // Public operations say so (security: []); admin ones declare the bearer scheme.
  security: [],
};

/** Loaded on the first admin request: the public read path never pays for the admin API's schemas. */
const adminApi = () => import('./authoring/routes');
/** The editors' web UI, loaded likewise on its first request. */
const adminPages = () => import('./admin/routes');

type ApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

/** The public description plus the admin API's paths, bearer security scheme and schemas. */
function withAdminApi(doc: ApiDocument, admin: Awaited<ReturnType<typeof adminApi>>) {
  const adminDoc = admin.adminDescription();
  return {
    ...doc,
    paths: { ...doc.paths, ...adminDoc.paths },
    components: {
      ...doc.components,
      schemas: { ...doc.components?.schemas, ...adminDoc.components?.schemas },
      securitySchemes: {
        ...doc.components?.securitySchemes,
        ...adminDoc.components?.securitySchemes,
      },
    },
  };
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  // Before the middleware on purpose: the health check is the benchmark's constant baseline.
  app.route('/', healthRoutes);
  // The admin API is for credentialed clients on no particular origin: no CORS, no shared caching.
  // A prefix test rather than hono/combine's except(), which matched a pattern router per
  // middleware per request: 5.6 % of the article JSON route's CPU samples (2026-12-01).
  const notAdmin =
    (middleware: MiddlewareHandler): MiddlewareHandler =>
    (c, next) =>
      /^\/api\/v1\/admin(?:\/|$)/.test(c.req.path) ? next() : middleware(c, next);
  // A colo-cache hit of a public API read is answered here, before routing and CORS (whose
  // headers the stored copy carries): it is the edge-hit budget of issue 20. It still gets its
  // own request id, its access-log line and the baseline security headers.
  app.use(
    '/api/v1/*',
    notAdmin(async (c, next) => {
      const hit = await edgeCacheHit(c);
      if (!hit) return next();
      await assignRequestId(c, async () => {
        await accessLog(c, async () => {
          await securityHeaders(c, async () => {
            c.res = hit;
          });
        });
      });
      // Set on a response the handler never made, so assignRequestId's c.header() does not reach it.
      c.res.headers.set('X-Request-Id', c.get('requestId'));
    }),
  );
  app.use(assignRequestId, accessLog, securityHeaders);
  app.use(
    '/api/*',
    notAdmin(
      cors({
        origin: '*',
        // Reads are open to any site; the only cross-origin write is the credential-free view beacon.
        allowMethods: (_origin, c) =>
          /\/views$/.test(c.req.path)
            ? ['POST', 'GET', 'HEAD', 'OPTIONS']
            : ['GET', 'HEAD', 'OPTIONS'],
        allowHeaders: ['Content-Type', 'If-None-Match', 'X-Request-Id'],
        exposeHeaders: ['ETag', 'Link', 'X-Request-Id', 'Retry-After'],
        maxAge: 86400,
        credentials: false,
      }),
    ),
  );
  app.use('/api/v1/*', notAdmin(publicGet()));
  // API tools on other origins load the description too; it gets the same caching as reads.
  app.use(
    '/openapi.json',
    cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'] }),
    publicGet(),
  );
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) =>
        problemResponse(
          c,
          new AppError('method_not_allowed', {
            detail: `${c.req.method} is not allowed here; use ${methods.join(', ')}`,
            headers: { Allow: methods.join(', ') },
          }),
        ),
    }),
  );

  // OpenAPIHono sub-apps bring their route descriptions along into app's registry.
  for (const [prefix, api] of apiMounts) app.route(prefix, api);
  app.all('/api/v1/admin/*', async (c) => (await adminApi()).dispatch(c));
  app.all('/admin', async (c) => (await adminPages()).dispatchPages(c));
  app.all('/admin/*', async (c) => (await adminPages()).dispatchPages(c));
  app.route('/', docsRoutes);
  app.route('/', previewRoutes);
  app.route('/', pagesRoutes);
  app.route('/', searchPageRoutes);
  app.route('/', feedsRoutes);

  // Built on its first request (no other route needs it), then kept.
  let document: ApiDocument | undefined;
  app.get('/openapi.json', async (c) => {
    document ??= withAdminApi(app.getOpenAPI31Document(apiDescription), await adminApi());
    return c.json(document);
  });

  // Readers who mistype an address get a page; API clients keep getting a problem document.
  app.notFound((c) =>
    renderProblem(
      c,
      new AppError('route_not_found', {
        // Percent-encoded, as in the problem's instance: the caller's text is echoed back.
        detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}`,
      }),
      !/^\/api(?:\/|$)/.test(c.req.path),
    ),
  );

  // The one place errors become responses, for the public API, the admin API (whose own app
  // hands its errors on to this one) and the pages alike.
  app.onError((err, c) => {
    let problem = clientProblem(err);
    const logger =
      c.get('logger') ?? createLogger(c.env?.LOG_LEVEL, { requestId: c.get('requestId') });
    if (problem && problem.status >= 500) {
      // Ours, not the client's (D1 failing or too slow): the operator needs the cause.
      logger.error('request failed', {
        method: c.req.method,
        path: c.req.path,
        code: problem.code,
        ...describeError(problem.cause ?? err),
      });
    }
    if (!problem) {
      logger.error('unhandled error', {
        method: c.req.method,
        path: c.req.path,
        ...describeError(err),
      });
      problem = new AppError('internal_error', {
        detail: 'The error was logged with this request id.',
      });
    }
    return renderProblem(c, problem, c.get('page') === true);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
