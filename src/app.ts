import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { articlesRoutes } from './articles/routes';
import { channelsRoutes } from './channels/routes';
import { docsRoutes } from './docs/routes';
import { embedRoutes } from './embed/routes';
import type { AppEnv } from './env';
import { feedsRoutes } from './feeds/routes';
import { healthRoutes } from './health/routes';
import type { Context } from 'hono';
import { AppError, clientProblem, problemResponse } from './lib/errors';
import { publicGet } from './lib/http';
import { createLogger, describeError } from './lib/logger';
import type { OpenApiConfig } from './lib/openapi';
import { describeRouter } from './lib/router';
import { accessLog, assignRequestId, securityHeaders } from './lib/middleware';
import { pagesRoutes, renderErrorPage } from './pages/routes';
import { viewsRoutes } from './views/routes';

/** Readers get an error page in the site's language; API clients get a problem document. */
function renderProblem(c: Context<AppEnv>, problem: AppError, asPage: boolean) {
  return asPage ? renderErrorPage(c, problem) : problemResponse(c, problem);
}

/**
 * Route order is decided here and nowhere else. Hono tries routes in the order they are added,
 * so a feature with static paths goes before one whose parameterised path would also match
 * them: views' /articles/popular before articles' /articles/{idOrSlug}.
 */
const apiMounts = [
  ['/api/v1', viewsRoutes],
  ['/api/v1', articlesRoutes],
  ['/api/v1', channelsRoutes],
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
  // Nothing needs credentials today; each operation says so (security: []).
  security: [],
};

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

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

  // OpenAPIHono sub-apps bring their route descriptions along into app's registry.
  for (const [prefix, api] of apiMounts) app.route(prefix, api);
  app.route('/', docsRoutes);
  app.route('/', pagesRoutes);
  app.route('/', feedsRoutes);

  // Built on its first request (no other route needs it), then kept.
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/openapi.json', (c) => {
    if (!document) {
      for (const [prefix, api] of apiMounts) {
        if (!(api instanceof OpenAPIHono)) describeRouter(app, prefix, api);
      }
      document = app.getOpenAPI31Document(apiDescription);
    }
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

  // The one place errors become responses, for the API and the pages alike.
  app.onError((err, c) => {
    let problem = clientProblem(err);
    if (!problem) {
      const logger =
        c.get('logger') ?? createLogger(c.env?.LOG_LEVEL, { requestId: c.get('requestId') });
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
