import { Hono, type MiddlewareHandler } from 'hono';
import { except } from 'hono/combine';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { articlesRoutes } from './articles/routes';
import { channelsRoutes } from './channels/routes';
import { docsRoutes } from './docs/routes';
import { embedRoutes } from './embed/routes';
import type { AppEnv } from './env';
import { feedsRoutes } from './feeds/routes';
import { healthRoutes } from './health/routes';
import { mediaAdminRoutes, mediaRoutes } from './media/routes';
import { AppError, problemResponse } from './lib/errors';
import { handleAppError } from './lib/error-handler';
import { publicGet } from './lib/http';
import { lazy } from './lib/lazy';
import { openApiDocument } from './lib/openapi';
import { accessLog, assignRequestId, securityHeaders } from './lib/middleware';
import { pagesRoutes, renderErrorPage } from './pages/routes';
import { searchPageRoutes } from './search/page-routes';
import { searchRoutes } from './search/routes';
import { previewRoutes } from './authoring/preview-routes';
import { viewsRoutes } from './views/routes';

/** The routers /openapi.json describes. Views first: /articles/popular wins over /articles/{idOrSlug}. */
const apiRouters = [
  ['/api/v1', viewsRoutes],
  ['/api/v1', articlesRoutes],
  ['/api/v1', channelsRoutes],
  ['/api/v1', searchRoutes],
  ['/', mediaRoutes],
  ['/', embedRoutes],
] as const;

/** Built on its first request (no other route needs its schemas), then kept. */
const apiDescription = lazy(() =>
  openApiDocument([...apiRouters, ['/api/v1', mediaAdminRoutes]], {
    openapi: '3.1.0',
    info: {
      title: 'Gazette API',
      version: '1.0.0',
      description:
        'Public read API of Gazette, an edge-native news content service. Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: '/' }],
  }),
);

const adminApi = lazy(async () => await import('./authoring/routes'));

/** The public description plus the admin API's paths, bearer security scheme and schemas. */
function withAdminApi(
  doc: ReturnType<typeof apiDescription>,
  admin: Awaited<ReturnType<typeof adminApi>>,
) {
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
  const app = new Hono<AppEnv>();

  // Before the middleware on purpose: the health check is the benchmark's constant baseline.
  app.route('/', healthRoutes);
  app.use(assignRequestId, accessLog, securityHeaders);
  // The admin API is for credentialed clients on no particular origin: no CORS, no shared caching.
  const notAdmin = (middleware: MiddlewareHandler) => except('/api/v1/admin/*', middleware);
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

  // Built on its first request: the public read path never pays for the admin API's schemas.
  // Uploads stream past the admin API's 1 MB JSON body limit, so media's admin routes come first.
  app.route('/api/v1', mediaAdminRoutes);
  app.all('/api/v1/admin/*', async (c) => (await adminApi()).dispatch(c));
  for (const [prefix, router] of apiRouters) app.route(prefix, router);
  app.route('/', docsRoutes);
  app.route('/', previewRoutes);
  app.route('/', pagesRoutes);
  app.route('/', searchPageRoutes);
  app.route('/', feedsRoutes);

  app.get('/openapi.json', async (c) => c.json(withAdminApi(apiDescription(), await adminApi())));

  // Readers who mistype an address get a page; API clients keep getting a problem document.
  app.notFound((c) =>
    /^\/api(?:\/|$)/.test(new URL(c.req.url).pathname)
      ? problemResponse(
          c,
          new AppError('route_not_found', {
            detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}`,
          }),
        )
      : renderErrorPage(c, 404),
  );

  app.onError(handleAppError);

  return app;
}

export type App = ReturnType<typeof createApp>;
