import { Hono, type Context, type ErrorHandler, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { AppEnv } from './env';
import { healthRoutes } from './health/routes';
import { AppError, clientProblem, problemResponse, routeNotFound } from './lib/errors';
import { answerFromColo, apiExposedHeaders, isAdminApiPath, publicGet } from './lib/http';
import { lazyRoutes, type LazyMount } from './lib/lazy-routes';
import { createLogger, describeError } from './lib/logger';
import { accessLog, assignRequestId, securityHeaders } from './lib/middleware';

/** Readers get an error page in the site's language; API clients get a problem document. */
async function renderProblem(c: Context<AppEnv>, problem: AppError, asPage: boolean) {
  if (!asPage) return problemResponse(c, problem);
  const { renderErrorPage } = await import('./pages/routes');
  return renderErrorPage(c, problem);
}

/**
 * Route order is decided here and nowhere else, except inside a feature: each feature's paths
 * are its own, so their mount order does not matter (the articles API itself puts
 * /articles/popular before /articles/{idOrSlug}). Each feature is built on the first request to
 * one of the paths listed with it (src/lib/lazy-routes.ts; test/app.test.ts checks the lists
 * cover every route). These are the readers' features, which both workers serve; what only
 * writers use is a `Writers` the entry hands in (src/app.ts runs it inline, src/reader-app.ts
 * forwards it to the admin worker), so the readers' bundle never contains it.
 */
export const publicApiMounts: readonly LazyMount[] = [
  {
    prefix: '/api/v1',
    paths: ['/articles/:id/views', '/articles/:id/views.svg', '/views', '/stats'],
    load: async () => (await import('./views/routes')).viewsRoutes,
  },
  {
    prefix: '/api/v1',
    paths: ['/articles', '/articles/*'],
    load: async () => (await import('./articles/routes')).articlesRoutes,
  },
  {
    prefix: '/api/v1',
    paths: ['/channels', '/channels/*'],
    load: async () => (await import('./channels/routes')).channelsRoutes,
  },
  {
    prefix: '/api/v1',
    paths: ['/search'],
    load: async () => (await import('./search/routes')).searchRoutes,
  },
  {
    prefix: '/',
    paths: ['/media/*'],
    load: async () => (await import('./media/routes')).mediaRoutes,
  },
  {
    prefix: '/',
    paths: ['/oembed', '/embed', '/embed/*'],
    load: async () => (await import('./embed/routes')).embedRoutes,
  },
];

/** The HTML side, after the writers' routes (mounted between the two lists). */
export const publicSiteMounts: readonly LazyMount[] = [
  {
    prefix: '/',
    paths: ['/docs', '/problems', '/problems/*'],
    load: async () => (await import('./docs/routes')).docsRoutes,
  },
  {
    prefix: '/',
    paths: ['/', '/channels/*', '/articles/*', '/favicon.svg', '/favicon.ico'],
    load: async () => (await import('./pages/routes')).pagesRoutes,
  },
  {
    prefix: '/',
    paths: ['/search', '/opensearch.xml'],
    load: async () => (await import('./search/page-routes')).searchPageRoutes,
  },
  {
    prefix: '/',
    paths: [
      '/feed.xml',
      '/atom.xml',
      '/feed.json',
      '/channels/*',
      '/sitemap.xml',
      '/sitemap-news.xml',
      '/sitemaps/*',
      '/robots.txt',
    ],
    load: async () => (await import('./feeds/routes')).feedsRoutes,
  },
];

/** 405 for a path served under other methods, from the app and from each lazy feature. */
function onMethodNotAllowed(c: Context<AppEnv>, methods: string[]) {
  return problemResponse(
    c,
    new AppError('method_not_allowed', {
      detail: `${c.req.method} is not allowed here; use ${methods.join(', ')}`,
      headers: { Allow: methods.join(', ') },
    }),
  );
}

/**
 * The one place errors become responses, for the public API, the admin API (whose own app
 * hands its errors on to this one), the pages and every lazily built feature alike.
 */
const onError: ErrorHandler<AppEnv> = (err, c) => {
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
};

/** What only writers use, handed to buildApp by the entry that serves it (or forwards it). */
export interface Writers {
  /**
   * Registered before every route and middleware: the reader's forwarder, which hands these
   * requests to the admin worker unchanged (the admin worker runs its own middleware on them).
   */
  first?(app: Hono<AppEnv>): void;
  /**
   * Mounted between the public API and the site (writer paths are their own: media uploads
   * under /api/v1/admin/media, then the admin API, the admin pages, previews). `mount` is the
   * app's lazy mounting, with its error and 405 handlers.
   */
  mount?(app: Hono<AppEnv>, mount: (feature: LazyMount) => void): void;
  /** /openapi.json's document, public and admin operations; absent where `first` serves it. */
  document?(): Promise<object>;
}

export function buildApp(writers: Writers) {
  const app = new Hono<AppEnv>();

  writers.first?.(app);

  // Before the middleware on purpose: the health check is the benchmark's constant baseline.
  app.route('/', healthRoutes);
  // The admin API is for credentialed clients on no particular origin: no CORS, no shared caching.
  // A prefix test rather than hono/combine's except(), which matched a pattern router per
  // middleware per request: 5.6 % of the article JSON route's CPU samples (2026-12-01).
  const notAdmin =
    (middleware: MiddlewareHandler): MiddlewareHandler =>
    (c, next) =>
      isAdminApiPath(c.req.path) ? next() : middleware(c, next);
  app.use(assignRequestId, accessLog, securityHeaders);
  const apiCors = cors({
    origin: '*',
    // Reads are open to any site; the only cross-origin write is the credential-free view beacon.
    allowMethods: (_origin, c) =>
      /\/views$/.test(c.req.path) ? ['POST', 'GET', 'HEAD', 'OPTIONS'] : ['GET', 'HEAD', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'If-None-Match', 'X-Request-Id'],
    exposeHeaders: [...apiExposedHeaders],
    maxAge: 86400,
    credentials: false,
  });
  const answered = async () => {};
  // A preflight is answered by hono/cors itself. For any other request it runs once the route
  // has answered: run before, it sets its headers on a stand-in for the answer, which Hono then
  // copies into a new Response, every header with it, when the route's arrives (2.3 % of the
  // article JSON route's samples under load, with its share of GC; 2026-12-02).
  app.use(
    '/api/*',
    notAdmin(async (c, next) => {
      if (c.req.method === 'OPTIONS') return apiCors(c, next);
      await next();
      try {
        await apiCors(c, answered);
      } catch (err) {
        // An answer passed on as the platform gave it (a fetch() or Cache API response) has
        // immutable headers: CORS goes on a copy.
        if (!(err instanceof TypeError)) throw err;
        c.res = new Response(c.res.body, c.res);
        await apiCors(c, answered);
      }
    }),
  );
  app.use('/api/v1/*', notAdmin(publicGet()));
  // API tools on other origins load the description too; it gets the same caching as reads.
  app.use(
    '/openapi.json',
    cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'] }),
    publicGet(),
  );
  app.use(methodNotAllowed({ app, onMethodNotAllowed }));

  const mount = (feature: LazyMount) =>
    app.route(feature.prefix, lazyRoutes(feature, { onError, onMethodNotAllowed }));
  publicApiMounts.forEach(mount);
  writers.mount?.(app, mount);
  publicSiteMounts.forEach(mount);

  // Built on its first request (no other route needs it), then kept.
  const describe = writers.document;
  if (describe) {
    let document: Promise<object> | undefined;
    app.get('/openapi.json', async (c) => {
      document ??= describe();
      try {
        return c.json(await document);
      } catch (err) {
        document = undefined;
        throw err;
      }
    });
  }

  // Readers who mistype an address get a page; API clients keep getting a problem document.
  app.notFound((c) => renderProblem(c, routeNotFound(c), !/^\/api(?:\/|$)/.test(c.req.path)));

  app.onError(onError);

  // A colo-cache hit of a public API read is answered before the app (src/lib/http.ts): it is
  // issue 20's edge-hit budget.
  const dispatch = app.fetch;
  app.fetch = async (request, env, executionCtx) =>
    (await answerFromColo(request, env as Partial<Env> | undefined)) ??
    dispatch(request, env, executionCtx);

  return app;
}

export type App = ReturnType<typeof buildApp>;
