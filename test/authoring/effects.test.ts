import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { affectedPaths } from '../../src/authoring/effects';
import { clientAddress, issueToken, json, seedChannel, testDb } from '../helpers';

const app = createApp();
const cachedEnv = { ...env, API_EDGE_CACHE_SECONDS: '60' } as Env;
const origin = `http://purge-${Date.now().toString(36)}.test`;

async function call(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${origin}${path}`, init), cachedEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

function adminInit(
  token: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  return {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'CF-Connecting-IP': clientAddress(),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

describe('reads after writes', () => {
  it('a write purges this colo: the page, the API and the list show the change at once', async () => {
    const channel = await seedChannel(testDb());
    const token = await issueToken('editor');
    const created = await call(
      '/api/v1/admin/articles',
      adminInit(token, 'POST', { title: '缓存原标题', body: '<p>x</p>', channel: channel.slug }),
    );
    const { data } = await json(created);
    const published = await call(
      `/api/v1/admin/articles/${data.id}/publish`,
      adminInit(token, 'POST'),
    );
    expect(published.status).toBe(200);
    const etag = published.headers.get('ETag')!;

    const paths = [
      `/api/v1/articles/${data.id}`,
      `/articles/${data.id}/${data.slug}`,
      `/api/v1/articles?channel=${channel.slug}`,
      `/channels/${channel.slug}/feed.xml`,
    ];
    const before: Record<string, string | null> = {};
    for (const path of paths) {
      expect((await call(path)).headers.get('X-Edge-Cache'), path).toBe('MISS');
      const hit = await call(path);
      expect(hit.headers.get('X-Edge-Cache'), path).toBe('HIT');
      before[path] = hit.headers.get('ETag');
    }

    const patched = await call(
      `/api/v1/admin/articles/${data.id}`,
      adminInit(token, 'PATCH', { title: '缓存新标题' }, { 'If-Match': etag }),
    );
    expect(patched.status).toBe(200);
    expect(patched.headers.get('Cache-Control')).toBe('no-store');
    expect(patched.headers.get('X-D1-Bookmark')).toBeTruthy();

    for (const path of paths) {
      const res = await call(path);
      expect(res.headers.get('X-Edge-Cache'), path).toBe('MISS');
      expect(res.headers.get('ETag'), path).not.toBe(before[path]);
      expect(await res.text(), path).toContain('缓存新标题');
    }
  });

  it('admin responses are never cached and carry no CORS headers', async () => {
    const token = await issueToken('reader-preview');
    const res = await call('/api/v1/admin/articles', {
      ...adminInit(token, 'GET'),
      headers: { ...adminInit(token, 'GET').headers, Origin: 'https://elsewhere.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(res.headers.get('X-Edge-Cache')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const preflight = await call('/api/v1/admin/articles', {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('names the canonical public URLs of the article before and after the write', () => {
    const article = {
      id: 7,
      slug: 'new-slug',
      channel: { id: 1, slug: 'local-news', name: '本地' },
      breadcrumb: [
        { id: 2, slug: 'news', name: '要闻' },
        { id: 1, slug: 'local-news', name: '本地' },
      ],
    } as any;
    const paths = affectedPaths({
      type: 'article.updated',
      article,
      previous: { ...article, slug: 'old-slug' },
    });
    for (const p of [
      '/',
      '/api/v1/articles/7',
      '/api/v1/articles/new-slug',
      '/api/v1/articles/old-slug',
      '/articles/7/new-slug',
      '/articles/7/old-slug',
      '/channels/news',
      '/channels/local-news/feed.xml',
      '/feed.xml',
      '/sitemap.xml',
      '/embed/articles/7',
    ]) {
      expect(paths).toContain(p);
    }
  });
});
