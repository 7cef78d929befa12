import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
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
import { AppError, problemResponse, type ProblemCode } from './lib/errors';
import { publicGet } from './lib/http';
import { lazy } from './lib/lazy';
import { createLogger, describeError } from './lib/logger';
import { openApiDocument } from './lib/openapi';
import { accessLog, assignRequestId, securityHeaders } from './lib/middleware';
import { pagesRoutes, renderErrorPage } from './pages/routes';
import { viewsRoutes } from './views/routes';

const statusCodes: Partial<Record<number, ProblemCode>> = {
  400: 'invalid_parameter',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** The routers /openapi.json describes. Views first: /articles/popular wins over /articles/{idOrSlug}. */
const apiRouters = [
  ['/api/v1', viewsRoutes],
  ['/api/v1', articlesRoutes],
  ['/api/v1', channelsRoutes],
  ['/api/v1', mediaAdminRoutes],
  ['/', mediaRoutes],
  ['/', embedRoutes],
] as const;

/** Built on its first request (no other route needs its schemas), then kept. */
const apiDescription = lazy(() =>
  openApiDocument(apiRouters, {
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

export function createApp() {
  const app = new Hono<AppEnv>();

  // Before the middleware on purpose: the health check is the benchmark's constant baseline.
  app.route('/', healthRoutes);
  app.use(assignRequestId, accessLog, securityHeaders);
  app.use(
    '/api/*',
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
  );
  app.use('/api/v1/*', publicGet());
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

  for (const [prefix, router] of apiRouters) app.route(prefix, router);
  app.route('/', docsRoutes);
  app.route('/', pagesRoutes);
  app.route('/', feedsRoutes);

  app.get('/openapi.json', (c) => c.json(apiDescription()));

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

  app.onError((err, c) => {
    if (err instanceof AppError) return problemResponse(c, err);
    if (err instanceof HTTPException && err.status < 500) {
      const code = statusCodes[err.status] ?? 'invalid_parameter';
      return problemResponse(c, new AppError(code, { detail: err.message || undefined }));
    }
    const logger =
      c.get('logger') ?? createLogger(c.env?.LOG_LEVEL, { requestId: c.get('requestId') });
    logger.error('unhandled error', {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      ...describeError(err),
    });
    return problemResponse(
      c,
      new AppError('internal_error', { detail: 'The error was logged with this request id.' }),
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
