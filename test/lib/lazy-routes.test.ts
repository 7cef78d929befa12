import { Hono, type Context, type ErrorHandler } from 'hono';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiMounts, siteMounts } from '../../src/app';
import type { AppEnv } from '../../src/env';
import { AppError, problemResponse } from '../../src/lib/errors';
import { lazyRoutes } from '../../src/lib/lazy-routes';
import { json } from '../helpers';

/** A concrete path a route pattern matches: each parameter and wildcard becomes "1". */
function samplePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z0-9_]+(\{[^}]*\})?\??/g, '1').replace(/\*/g, '1');
}

describe('the app mounts', () => {
  for (const mount of [...apiMounts, ...siteMounts]) {
    it(`list every path of the feature at ${mount.prefix} ${mount.paths[0]}`, async () => {
      const feature = await mount.load();
      const listed = new Hono();
      for (const path of mount.paths) listed.all(path, (c) => c.body(null));
      const routes = feature.routes.filter((r) => r.method !== 'ALL');
      expect(routes.length).toBeGreaterThan(0);
      for (const { method, path } of routes) {
        const sample = samplePath(path);
        // The sample reaches the feature's own route, and the mount's paths load the feature for it.
        expect(feature.router.match(method, sample)[0].length, `${method} ${path}`).toBeGreaterThan(
          0,
        );
        expect(listed.router.match(method, sample)[0].length, `${method} ${path}`).toBeGreaterThan(
          0,
        );
      }
    });
  }
});

/** An app mounting two lazy features at /x, as src/app.ts mounts them, counting their builds. */
function twoFeatures() {
  const builds = { first: 0, second: 0 };
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'req-12345678');
    await next();
  });
  const handlers = {
    onMethodNotAllowed: (c: Context<AppEnv>, methods: string[]) =>
      problemResponse(
        c,
        new AppError('method_not_allowed', { headers: { Allow: methods.join() } }),
      ),
    onError: ((err, c) =>
      c.json(
        { error: err instanceof AppError ? err.code : 'other', page: c.var.page ?? false },
        500,
      )) satisfies ErrorHandler<AppEnv>,
  };
  app.route(
    '/x',
    lazyRoutes(
      {
        prefix: '/x',
        paths: ['/a', '/a/*'],
        load: async () => {
          builds.first += 1;
          return (
            new Hono<AppEnv>()
              .use('/a/rescued', async (c, next) => {
                await next();
                if (c.res.status === 500)
                  c.res = c.json({ rescued: (await c.res.json()) as object });
              })
              .get('/a/rescued', () => {
                throw new Error('D1 failed');
              })
              .get('/a/fail', () => {
                throw new AppError('not_found', { detail: 'gone' });
              })
              .get('/a/page-fail', (c) => {
                c.set('page', true);
                throw new AppError('not_found');
              })
              // Its headers are immutable, as a Cache API or fetch() answer's are.
              .get('/a/moved', () => Response.redirect('https://gazette.test/x/b', 301))
              .get('/a/:id', (c) =>
                c.json({ first: c.req.param('id'), requestId: c.var.requestId }),
              )
          );
        },
      },
      handlers,
    ),
  );
  app.route(
    '/x',
    lazyRoutes(
      {
        prefix: '/x',
        paths: ['/a/*', '/b'],
        load: async () => {
          builds.second += 1;
          return new Hono<AppEnv>()
            .get('/a/1/more', (c) => c.json({ second: true }))
            .get('/b', (c) => c.json({ second: true }, 200, { 'X-Method': c.req.method }));
        },
      },
      handlers,
    ),
  );
  app.notFound((c) => c.json({ notFound: true }, 404));
  app.onError(handlers.onError);
  return { app, builds };
}

describe('lazyRoutes', () => {
  it('builds a feature on the first request to one of its paths, once', async () => {
    const { app, builds } = twoFeatures();
    expect(builds).toEqual({ first: 0, second: 0 });
    const res = await app.request('/x/b');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ second: true });
    expect(builds).toEqual({ first: 0, second: 1 });
    await app.request('/x/b');
    expect(builds).toEqual({ first: 0, second: 1 });
  });

  it("hands the feature the request's parameters and id, and sets X-Request-Id", async () => {
    const { app } = twoFeatures();
    const res = await app.request('/x/a/7');
    expect(await json(res)).toEqual({ first: '7', requestId: 'req-12345678' });
    expect(res.headers.get('X-Request-Id')).toBe('req-12345678');
  });

  it('sets X-Request-Id on a response whose headers are immutable, through a copy', async () => {
    const { app } = twoFeatures();
    const res = await app.request('/x/a/moved');
    expect(res.status).toBe(301);
    expect(res.headers.get('Location')).toBe('https://gazette.test/x/b');
    expect(res.headers.get('X-Request-Id')).toBe('req-12345678');
  });

  it('passes a path the feature does not serve on to the next mount, then to notFound', async () => {
    const { app } = twoFeatures();
    expect(await json(await app.request('/x/a/1/more'))).toEqual({ second: true });
    const missing = await app.request('/x/a/1/2/3');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ notFound: true });
  });

  it("renders the feature's errors with the app's handler, inside the feature", async () => {
    const { app } = twoFeatures();
    // The feature's own middleware sees the error's response, as when mounted eagerly.
    expect(await json(await app.request('/x/a/rescued'))).toEqual({
      rescued: { error: 'other', page: false },
    });
  });

  it("hands the feature's errors to the app's handler, saying whether a page threw", async () => {
    const { app } = twoFeatures();
    expect(await json(await app.request('/x/a/fail'))).toEqual({ error: 'not_found', page: false });
    expect(await json(await app.request('/x/a/page-fail'))).toEqual({
      error: 'not_found',
      page: true,
    });
  });

  it('answers another method on a path the feature serves with 405 and Allow', async () => {
    const { app } = twoFeatures();
    const res = await app.request('/x/a/7', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET,HEAD');
  });

  it('answers HEAD with the GET response without its body, the handler seeing HEAD', async () => {
    const { app } = twoFeatures();
    const res = await app.request('/x/b', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Method')).toBe('HEAD');
    expect(res.headers.get('Content-Type')).toMatch(/json/);
    expect(await res.text()).toBe('');
  });

  it('passes a HEAD of a path the feature does not serve on to the next mount, then to notFound', async () => {
    const { app } = twoFeatures();
    expect((await app.request('/x/a/1/more', { method: 'HEAD' })).status).toBe(200);
    const missing = await app.request('/x/a/1/2/3', { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('');
  });

  it('answers a HEAD whose GET fails with the same status, not a 500', async () => {
    const feed = await exports.default.fetch(
      new Request('http://gazette.test/channels/no-such-channel/atom.xml', { method: 'HEAD' }),
    );
    expect(feed.status).toBe(404);
    expect(feed.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  });
});
