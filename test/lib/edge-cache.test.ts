import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { json, seedArticleInNewChannel } from '../helpers';
import { now as clockNow } from '../../src/lib/clock';

const app = createApp();
const cachedEnv = { ...env, API_EDGE_CACHE_SECONDS: '60' } as Env;
// A host of its own per run, so no cached entry from an earlier run can answer.
const origin = `http://cache-${clockNow().toString(36)}.test`;

async function fetchCached(path: string, init?: RequestInit, over: Partial<Env> = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${origin}${path}`, init),
    { ...cachedEnv, ...over },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe('edge cache for public API reads', () => {
  it('serves a repeat read from the colo cache without touching D1', async () => {
    const article = await seedArticleInNewChannel({ title: 'Cached original title' });
    const path = `/api/v1/articles/${article.id}`;

    const first = await fetchCached(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('X-Edge-Cache')).toBe('MISS');
    const etag = first.headers.get('ETag');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const requestId = first.headers.get('X-Request-Id');

    // Change the row behind the cache's back: a hit must not see it.
    await env.DB.prepare('UPDATE articles SET title = ? WHERE id = ?')
      .bind('Changed', article.id)
      .run();
    const second = await fetchCached(path);
    expect(second.status).toBe(200);
    expect(second.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(second.headers.get('ETag')).toBe(etag);
    expect(second.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(second.headers.get('X-Request-Id')).toBeTruthy();
    expect(second.headers.get('X-Request-Id')).not.toBe(requestId);
    expect((await json(second)).data.title).toBe('Cached original title');

    const revalidated = await fetchCached(path, { headers: { 'If-None-Match': etag! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('ETag')).toBe(etag);
    expect(await revalidated.text()).toBe('');
  });

  it('never stores errors or uncacheable answers', async () => {
    const missing = await fetchCached('/api/v1/articles/987654321');
    expect(missing.status).toBe(404);
    const again = await fetchCached('/api/v1/articles/987654321');
    expect(again.status).toBe(404);
    expect(again.headers.get('X-Edge-Cache')).toBeNull();
  });
});

describe('a colo-cache hit answered before the app', () => {
  // The Cache API adds its own (Age, CF-Cache-Status, Date, Content-Length) to what it stored.
  const ours = (name: string) =>
    !/^(x-edge-cache|x-request-id|age|cf-cache-status|date|content-length)$/.test(name);
  const headersOf = (res: Response) =>
    Object.fromEntries([...res.headers].filter(([name]) => ours(name)));

  it('carries every header the miss had, security headers included', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    const miss = await fetchCached(path, { headers: { Origin: 'https://other.example' } });
    const hit = await fetchCached(path, { headers: { Origin: 'https://other.example' } });
    expect(hit.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(headersOf(hit)).toEqual(headersOf(miss));
    expect(hit.headers.get('Content-Security-Policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(hit.headers.get('X-Frame-Options')).toBe('DENY');
    expect(hit.headers.get('Cross-Origin-Resource-Policy')).toBe('cross-origin');
    expect(hit.headers.get('Strict-Transport-Security')).toBe(env.STRICT_TRANSPORT_SECURITY);
    expect(hit.headers.get('Access-Control-Expose-Headers')).toContain('X-Request-Id');
    expect(hit.headers.get('X-Gazette-Fresh-Until')).toBeNull();
    expect(hit.headers.get('X-Gazette-Client-Cache-Control')).toBeNull();
    expect(await hit.text()).toBe(await miss.text());
  });

  it('answers a revalidation with a 304 that keeps the 200s policy headers', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    const miss = await fetchCached(path);
    const res = await fetchCached(path, {
      headers: { 'If-None-Match': `"other", ${miss.headers.get('ETag')}` },
    });
    expect(res.status).toBe(304);
    expect(res.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(await res.text()).toBe('');
    for (const name of [
      'ETag',
      'Cache-Control',
      'Vary',
      'Access-Control-Allow-Origin',
      'Content-Security-Policy',
      'Referrer-Policy',
      'X-Content-Type-Options',
      'X-Frame-Options',
      'Permissions-Policy',
      'Cross-Origin-Resource-Policy',
      'Strict-Transport-Security',
    ]) {
      expect([name, res.headers.get(name)]).toEqual([name, miss.headers.get(name)]);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    const miss = await fetchCached(path);
    const head = await fetchCached(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(headersOf(head)).toEqual(headersOf(miss));
    expect(await head.text()).toBe('');
  });

  it("echoes the caller's request id, or mints one when it is not plain", async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    await fetchCached(path);
    const echoed = await fetchCached(path, { headers: { 'X-Request-Id': 'edge-hit-id-0001' } });
    expect(echoed.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(echoed.headers.get('X-Request-Id')).toBe('edge-hit-id-0001');
    const minted = await fetchCached(path, { headers: { 'X-Request-Id': '<bad id>' } });
    expect(minted.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends Strict-Transport-Security as configured at the hit, not at the miss', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    await fetchCached(path);
    const off = await fetchCached(path, {}, { STRICT_TRANSPORT_SECURITY: '' });
    expect(off.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(off.headers.get('Strict-Transport-Security')).toBeNull();
  });

  it('never answers an admin API path from the colo cache', async () => {
    const res = await fetchCached('/api/v1/admin/articles');
    expect(res.status).toBe(401);
    expect(res.headers.get('X-Edge-Cache')).toBeNull();
  });
});

describe('access log of colo-cache hits', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes no access line for a hit at the default level, info', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    await fetchCached(path);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const hit = await fetchCached(path, {}, { LOG_LEVEL: 'info' });
    expect(hit.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(lines).toEqual([]);
  });

  it('writes the access line for a hit answered before the app at debug, without IP or User-Agent', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    const visitor = {
      'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) access-log-hit-test',
      'CF-Connecting-IP': '203.0.113.77',
    };
    expect((await fetchCached(path, { headers: visitor })).headers.get('X-Edge-Cache')).toBe(
      'MISS',
    );

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const hit = await fetchCached(
      path,
      { headers: { ...visitor, 'X-Request-Id': 'edge-hit-log-1' } },
      { LOG_LEVEL: 'debug' },
    );
    expect(hit.headers.get('X-Edge-Cache')).toBe('HIT');
    expect(hit.headers.get('X-Request-Id')).toBe('edge-hit-log-1');
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(access).toEqual([
      expect.objectContaining({
        level: 'debug',
        requestId: 'edge-hit-log-1',
        method: 'GET',
        path,
        status: 200,
        edgeCache: 'HIT',
        durationMs: expect.any(Number),
      }),
    ]);
    expect(lines.join('\n')).not.toContain('203.0.113.77');
    expect(lines.join('\n')).not.toContain('access-log-hit-test');
  });

  it('logs a revalidated hit with its 304', async () => {
    const article = await seedArticleInNewChannel();
    const path = `/api/v1/articles/${article.id}`;
    const etag = (await fetchCached(path)).headers.get('ETag')!;

    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const res = await fetchCached(
      path,
      { headers: { 'If-None-Match': etag } },
      { LOG_LEVEL: 'debug' },
    );
    expect(res.status).toBe(304);
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ msg: 'request', path, status: 304, edgeCache: 'HIT' }),
    );
  });
});

describe('security headers on revalidation', () => {
  it('keep on a 304 the policy its 200 carried, so the cached copy keeps its own CSP', async () => {
    const article = await seedArticleInNewChannel();
    const first = await app.fetch(
      new Request(`${origin}/api/v1/articles/${article.id}`),
      env,
      createExecutionContext(),
    );
    expect(first.headers.get('Content-Security-Policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    const again = await app.fetch(
      new Request(`${origin}/api/v1/articles/${article.id}`, {
        headers: { 'If-None-Match': first.headers.get('ETag')! },
      }),
      env,
      createExecutionContext(),
    );
    expect(again.status).toBe(304);
    expect(again.headers.get('Content-Security-Policy')).toBe(
      first.headers.get('Content-Security-Policy'),
    );
  });
});
