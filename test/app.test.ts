import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import app from '../src/index';
import { expectProblem, get, json, seedArticle, seedChannel, testDb } from './helpers';
import { now as clockNow } from '../src/lib/clock';

/** Every public read route, with the path to reach a real resource on each. */
async function seedRoutes() {
  const db = testDb();
  const parent = await seedChannel(db, { name: '父栏目' });
  const channel = await seedChannel(db, { name: '子栏目', parentSlug: parent.slug });
  const article = await seedArticle(db, { channelSlug: channel.slug });
  return {
    channel,
    article,
    routes: [
      ['/api/v1/articles', '/api/v1/articles'],
      ['/api/v1/articles?channel=…', `/api/v1/articles?channel=${channel.slug}&limit=5`],
      ['/api/v1/articles/{id}', `/api/v1/articles/${article.id}`],
      ['/api/v1/articles/{slug}', `/api/v1/articles/${article.slug}`],
      ['/api/v1/channels', '/api/v1/channels'],
      ['/api/v1/channels/{slug}', `/api/v1/channels/${channel.slug}`],
    ] as const,
  };
}

const routeNames = [
  '/api/v1/articles',
  '/api/v1/articles?channel=…',
  '/api/v1/articles/{id}',
  '/api/v1/articles/{slug}',
  '/api/v1/channels',
  '/api/v1/channels/{slug}',
] as const;

async function pathFor(name: (typeof routeNames)[number]): Promise<string> {
  const { routes } = await seedRoutes();
  return routes.find(([n]) => n === name)![1];
}

const cacheControl = 'public, max-age=60, stale-while-revalidate=300';
const requestIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectCors(res: Response) {
  expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
}

describe.each(routeNames)('GET %s', (name) => {
  it('answers 200 JSON with a strong ETag, short shared caching, Vary, CORS and a request id', async () => {
    const res = await get(await pathFor(name));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('application/json');
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{40}"$/);
    expect(res.headers.get('Cache-Control')).toBe(cacheControl);
    expect(res.headers.get('Vary')).toMatch(/\bAccept-Encoding\b/);
    expectCors(res);
    expect(res.headers.get('Access-Control-Expose-Headers')).toMatch(/ETag/);
    expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect((await json(res)).data).toBeDefined();
  });

  it('answers 304 to If-None-Match with its ETag, keeping the headers a cache needs', async () => {
    const path = await pathFor(name);
    const first = await get(path);
    const etag = first.headers.get('ETag')!;
    for (const ifNoneMatch of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
      const res = await get(path, {
        headers: { 'If-None-Match': ifNoneMatch, Origin: 'https://other.example' },
      });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('ETag')).toBe(etag);
      expect(res.headers.get('Cache-Control')).toBe(cacheControl);
      expect(res.headers.get('Vary')).toMatch(/\bAccept-Encoding\b/);
      expectCors(res);
      expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
    }
  });

  it('answers 200 with the body to a stale If-None-Match', async () => {
    const path = await pathFor(name);
    const res = await get(path, {
      headers: { 'If-None-Match': '"0000000000000000000000000000000000000000"' },
    });
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(0);
  });

  it('answers HEAD like GET, without a body', async () => {
    const path = await pathFor(name);
    const getRes = await get(path);
    const head = await get(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('ETag')).toBe(getRes.headers.get('ETag'));
    expect(head.headers.get('Content-Type')).toBe(getRes.headers.get('Content-Type'));
    expect(head.headers.get('Cache-Control')).toBe(cacheControl);
    const conditional = await get(path, {
      method: 'HEAD',
      headers: { 'If-None-Match': getRes.headers.get('ETag')! },
    });
    expect(conditional.status).toBe(304);
  });

  it('answers a CORS preflight allowing only GET, HEAD and OPTIONS, without credentials', async () => {
    const path = await pathFor(name);
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await get(path, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://news.example',
          'Access-Control-Request-Method': method,
          'Access-Control-Request-Headers': 'If-None-Match',
        },
      });
      expect(res.status).toBe(204);
      expectCors(res);
      expect(res.headers.get('Access-Control-Allow-Methods')).toBe('GET,HEAD,OPTIONS');
      expect(res.headers.get('Access-Control-Allow-Headers')).toMatch(/If-None-Match/);
      expect(res.headers.get('Access-Control-Max-Age')).toBe('86400');
      expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
    }
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'answers %s with a 405 problem and Allow',
    async (method) => {
      const path = await pathFor(name);
      const res = await get(path, { method, body: method === 'DELETE' ? undefined : '{}' });
      expect(res.headers.get('Allow')).toBe('GET, HEAD');
      expectCors(res);
      expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
      const problem = await expectProblem(res, 405, 'method_not_allowed');
      expect(problem.detail).toContain(method);
    },
  );
});

describe('ETags follow the content', () => {
  it('stays the same for the same bytes and changes when the content does', async () => {
    const db = testDb();
    const channel = await seedChannel(db);
    const path = `/api/v1/articles?channel=${channel.slug}`;
    const empty1 = await get(path);
    const empty2 = await get(path);
    expect(empty2.headers.get('ETag')).toBe(empty1.headers.get('ETag'));
    await seedArticle(db, { channelSlug: channel.slug });
    const changed = await get(path, { headers: { 'If-None-Match': empty1.headers.get('ETag')! } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('ETag')).not.toBe(empty1.headers.get('ETag'));
  });
});

describe('problem responses', () => {
  it.each([
    ['a bad parameter', '/api/v1/articles?limit=0', 400],
    ['an unknown article', '/api/v1/articles/987654321', 404],
    ['an unknown channel', '/api/v1/channels/no-such-channel', 404],
    ['an unknown API route', '/api/v1/nothing-here', 404],
  ])(
    'for %s are not cacheable, carry no ETag, and are readable cross-origin',
    async (_l, path, status) => {
      const res = await get(path, { headers: { Origin: 'https://news.example' } });
      expect(res.status).toBe(status);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.headers.get('ETag')).toBeNull();
      expectCors(res);
      const problem = await json(res);
      expect(problem.requestId).toBe(res.headers.get('X-Request-Id'));
      expect(problem.instance).toBe(new URL(`http://x${path}`).pathname);
    },
  );

  it('answers HEAD of a missing article with a 404 and no body', async () => {
    const res = await get('/api/v1/articles/987654321', { method: 'HEAD' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });
});

describe('unknown routes', () => {
  it.each([
    '/api/v1/nothing-here',
    '/api/v2/articles',
    '/api/v1/articles/1/extra',
    '/api/v1/channels/a/b',
    '/api/v1',
    '/api/',
  ])('answer %s with a 404 route_not_found problem', async (path) => {
    const problem = await expectProblem(await get(path), 404, 'route_not_found');
    expect(problem.detail).toContain(path);
  });

  it('answer POST to an unknown API route with 404, not 405', async () => {
    await expectProblem(
      await get('/api/v1/nothing-here', { method: 'POST' }),
      404,
      'route_not_found',
    );
  });

  it('answer an unknown page with a 404 and a request id', async () => {
    const res = await get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
  });
});

describe('X-Request-Id', () => {
  it.each([
    '/api/v1/articles',
    '/api/v1/channels',
    '/api/v1/articles?limit=abc',
    '/api/v1/nothing',
    '/openapi.json',
    '/docs',
    '/problems/not-found',
  ])('is on the response to %s', async (path) => {
    const res = await get(path);
    expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
  });

  it('differs between requests', async () => {
    const a = await get('/api/v1/channels');
    const b = await get('/api/v1/channels');
    expect(a.headers.get('X-Request-Id')).not.toBe(b.headers.get('X-Request-Id'));
  });

  it.each(['req-12345678', 'abc.DEF:ghi_jkl-0', 'a'.repeat(64)])(
    'echoes a valid incoming id %s',
    async (id) => {
      const ok = await get('/api/v1/channels', { headers: { 'X-Request-Id': id } });
      expect(ok.headers.get('X-Request-Id')).toBe(id);
      const problem = await get('/api/v1/articles?limit=0', { headers: { 'X-Request-Id': id } });
      expect(problem.headers.get('X-Request-Id')).toBe(id);
      expect((await json(problem)).requestId).toBe(id);
    },
  );

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(65)],
    ['spaces', 'has spaces here'],
    ['markup', '<script>alert(1)</script>'],
    ['a newline smuggling attempt', 'abcdefgh%0d%0aSet-Cookie:x'],
  ])('replaces an incoming id with %s', async (_l, id) => {
    const res = await get('/api/v1/channels', { headers: { 'X-Request-Id': id } });
    expect(res.headers.get('X-Request-Id')).toMatch(requestIdPattern);
  });
});

describe('access log', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one structured line per request carrying the request id', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('http://gazette.test/api/v1/articles?limit=0', {
        headers: { 'X-Request-Id': 'access-log-test-1' },
      }),
      { ...env, LOG_LEVEL: 'info' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(400);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        requestId: 'access-log-test-1',
        method: 'GET',
        path: '/api/v1/articles',
        status: 400,
        durationMs: expect.any(Number),
      }),
    );
  });
});

describe('access log level', () => {
  afterEach(() => vi.restoreAllMocks());

  async function accessLines(path: string, level: string, over: Partial<Env> = {}) {
    const lines: string[] = [];
    const keep = (line: unknown) => void lines.push(String(line));
    for (const method of ['log', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation(keep);
    }
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://gazette.test${path}`),
      { ...env, LOG_LEVEL: level, ...over },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    await res.arrayBuffer();
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    return { status: res.status, access };
  }

  it('writes no line for a read that went well at info, and one at debug', async () => {
    const atInfo = await accessLines('/api/v1/channels', 'info');
    expect(atInfo).toEqual({ status: 200, access: [] });
    const atDebug = await accessLines('/api/v1/channels', 'debug');
    expect(atDebug.access).toEqual([
      expect.objectContaining({ level: 'debug', path: '/api/v1/channels', status: 200 }),
    ]);
  });

  it('writes a client error at info', async () => {
    const { access } = await accessLines('/api/v1/no-such-route', 'info');
    expect(access).toEqual([expect.objectContaining({ level: 'info', status: 404 })]);
  });

  it('writes a server error at error, even when only errors are logged', async () => {
    const broken = { withSession: () => ({}) } as unknown as D1Database;
    const { status, access } = await accessLines('/api/v1/channels', 'error', { DB: broken });
    expect(status).toBe(500);
    expect(access).toEqual([expect.objectContaining({ level: 'error', status: 500 })]);
  });
});

describe('an unexpected error', () => {
  afterEach(() => vi.restoreAllMocks());

  const failing = (where: 'prepare' | 'batch' | 'withSession') => {
    const boom = () => {
      throw new Error('D1_ERROR: no such table: secret_internal_table at /src/db.ts:12');
    };
    const session = {
      prepare: where === 'prepare' ? boom : env.DB.prepare.bind(env.DB),
      batch: where === 'batch' ? async () => boom() : env.DB.batch.bind(env.DB),
    };
    return {
      ...session,
      withSession: where === 'withSession' ? boom : () => session,
    } as unknown as D1Database;
  };

  it.each([
    ['prepare', '/api/v1/articles'],
    ['prepare', '/api/v1/articles/1'],
    ['withSession', '/api/v1/channels'],
  ] as const)(
    'when D1 %s throws on %s is a 500 problem without internals, logged with the request id',
    async (where, path) => {
      const errors: string[] = [];
      vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
        errors.push(String(line));
      });
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`http://gazette.test${path}`, {
          headers: { 'X-Request-Id': 'trace-500-test' },
        }),
        { ...env, DB: failing(where), LOG_LEVEL: 'error' },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      expect(res.status).toBe(500);
      expect(res.headers.get('Content-Type')).toBe('application/problem+json; charset=utf-8');
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.headers.get('X-Request-Id')).toBe('trace-500-test');
      const text = await res.text();
      expect(text).not.toMatch(/secret_internal_table|D1_ERROR|\.ts:\d|stack|Error:/);
      expect(JSON.parse(text)).toEqual({
        type: '/problems/internal-error',
        title: 'An unexpected error occurred',
        status: 500,
        code: 'internal_error',
        detail: 'The error was logged with this request id.',
        instance: new URL(`http://x${path}`).pathname,
        requestId: 'trace-500-test',
      });

      const logged = errors.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'unhandled error',
          requestId: 'trace-500-test',
          path: new URL(`http://x${path}`).pathname,
          errorMessage: expect.stringContaining('secret_internal_table'),
        }),
      );
    },
  );

  it('when a D1 query fails on /api/v1/channels/some-channel is a 503 storage_unavailable problem without internals, logged', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request('http://gazette.test/api/v1/channels/some-channel', {
        headers: { 'X-Request-Id': 'trace-503-test' },
      }),
      { ...env, DB: failing('batch'), LOG_LEVEL: 'error' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('10');
    const text = await res.text();
    expect(text).not.toMatch(/secret_internal_table|D1_ERROR|\.ts:\d|stack|Error:/);
    expect(JSON.parse(text)).toMatchObject({
      code: 'storage_unavailable',
      status: 503,
      requestId: 'trace-503-test',
    });
    const logged = errors.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        msg: 'request failed',
        code: 'storage_unavailable',
        requestId: 'trace-503-test',
        errorMessage: expect.stringContaining('secret_internal_table'),
      }),
    );
  });
});

describe('with the edge cache on', () => {
  // A host of its own per run, so no cached entry from an earlier run can answer.
  const edgeOrigin = `http://edge-${clockNow().toString(36)}.test`;

  async function fetchWithCache(path: string, init: RequestInit = {}) {
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${edgeOrigin}${path}`, init),
      { ...env, API_EDGE_CACHE_SECONDS: '60' },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('serves a hit with the same headers as a miss, and a fresh request id', async () => {
    const { article } = await seedRoutes();
    const path = `/api/v1/articles/${article.id}`;
    const miss = await fetchWithCache(path);
    const hit = await fetchWithCache(path);
    expect(miss.headers.get('X-Edge-Cache')).toBe('MISS');
    expect(hit.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(await hit.json()).toEqual(await miss.json());
    for (const header of [
      'ETag',
      'Cache-Control',
      'Content-Type',
      'Vary',
      'Access-Control-Allow-Origin',
    ]) {
      expect([header, hit.headers.get(header)]).toEqual([header, miss.headers.get(header)]);
    }
    expect(hit.headers.get('X-Request-Id')).toMatch(requestIdPattern);
    expect(hit.headers.get('X-Request-Id')).not.toBe(miss.headers.get('X-Request-Id'));

    const notModified = await fetchWithCache(path, {
      headers: { 'If-None-Match': miss.headers.get('ETag')! },
    });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(miss.headers.get('ETag'));
    expect(notModified.headers.get('Cache-Control')).toBe(cacheControl);
    expectCors(notModified);
    expect(notModified.headers.get('X-Request-Id')).toMatch(requestIdPattern);
  });
});
