import type { Context, MiddlewareHandler } from 'hono';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';

export interface CachePolicy {
  maxAge: number;
  staleWhileRevalidate: number;
}

export const publicCachePolicy: CachePolicy = { maxAge: 60, staleWhileRevalidate: 300 };

export function cacheControlValue(policy: CachePolicy): string {
  return `public, max-age=${policy.maxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`;
}

/**
 * Headers a 304 must keep so that caches and cross-origin callers treat it like the 200 it
 * stands for. A browser copies a 304's headers onto the page it kept, so the page's own CSP
 * goes along: without it the page would pick up the app's locked-down default and lose its
 * stylesheet and script (or, for an embed, the right to be framed) on every revalidation.
 */
const retainedOn304 = [
  ...RETAINED_304_HEADERS,
  'content-security-policy',
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-request-id',
  'link',
  'x-content-type-options',
  'x-edge-cache',
];

const strongEtag = etag({ retainedHeaders: retainedOn304 });

/** Carries the reader-facing Cache-Control through the colo cache, which needs its own. */
const clientCacheControl = 'X-Gazette-Client-Cache-Control';

function edgeCacheSeconds(env: { API_EDGE_CACHE_SECONDS?: string } | undefined): number {
  const seconds = Number(env?.API_EDGE_CACHE_SECONDS ?? 0);
  return Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
}

function ifNoneMatchHits(ifNoneMatch: string | undefined, etagValue: string | null): boolean {
  if (!ifNoneMatch || !etagValue) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const strong = etagValue.replace(/^W\//, '');
  const tags: string[] = ifNoneMatch.match(/"[^"]*"/g) ?? [];
  return tags.includes(strong);
}

function notModified(stored: Response): Response {
  const headers = new Headers();
  for (const name of retainedOn304) {
    const value = stored.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

function waitUntil(c: Context, promise: Promise<unknown>) {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    // No execution context (a direct app.fetch in a script): the put still runs, unawaited.
    void promise;
  }
}

/** Requests whose colo-cache look-up already missed (see edgeCacheHit), so no one looks twice. */
const edgeMissed = new WeakSet<Request>();

/**
 * The colo cache's answer to a public GET, or null. app.ts asks this before the rest of the
 * middleware so that a hit costs little more than the Cache API call (issue 20); publicGet
 * asks it for routes that app.ts does not, and never again after a miss.
 */
export async function edgeCacheHit(c: Context): Promise<Response | null> {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return null;
  if (edgeMissed.has(c.req.raw) || edgeCacheSeconds(c.env) === 0) return null;
  const stored = await caches.default.match(new Request(c.req.url, { method: 'GET' }));
  if (!stored) {
    edgeMissed.add(c.req.raw);
    return null;
  }
  const res = ifNoneMatchHits(c.req.header('If-None-Match'), stored.headers.get('ETag'))
    ? notModified(stored)
    : new Response(stored.body, stored);
  // The stored copy's Cache-Control was the colo's lifetime; readers get the original.
  res.headers.set('Cache-Control', stored.headers.get(clientCacheControl) ?? '');
  res.headers.delete(clientCacheControl);
  res.headers.set('X-Edge-Cache', 'HIT');
  return res;
}

/**
 * Public GETs: strong ETag with 304 on If-None-Match, a short shared-cache lifetime with
 * stale-while-revalidate, and Vary on what can change the bytes. Handlers that need another
 * lifetime set Cache-Control themselves; this only fills it in.
 *
 * With API_EDGE_CACHE_SECONDS set, 200 responses are also kept in the colo's Cache API for
 * that long (at most their own max-age), so a popular article is served without touching
 * D1 or re-hashing its body. (The Cache API works on custom domains, not on *.workers.dev.)
 */
export function publicGet(policy: CachePolicy = publicCachePolicy): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const ttl = edgeCacheSeconds(c.env);
    const cache = ttl > 0 ? caches.default : null;
    // Only a request that may use the colo cache pays for its key.
    const key = cache ? new Request(c.req.url, { method: 'GET' }) : null;
    const hit = await edgeCacheHit(c);
    if (hit) {
      c.res = hit;
      return;
    }
    await strongEtag(c, async () => {
      await next();
      if (c.res.status !== 200) return;
      if (!c.res.headers.has('Cache-Control')) {
        c.res.headers.set('Cache-Control', cacheControlValue(policy));
      }
      c.res.headers.append('Vary', 'Accept-Encoding');
    });
    if (cache && key && c.res.status === 200) {
      const maxAge = /max-age=(\d+)/.exec(c.res.headers.get('Cache-Control') ?? '');
      const seconds = Math.min(ttl, maxAge ? Number(maxAge[1]) : 0);
      if (seconds > 0 && !/no-store|private/.test(c.res.headers.get('Cache-Control') ?? '')) {
        const copy = new Response(c.res.clone().body, c.res);
        copy.headers.delete('X-Request-Id');
        copy.headers.set(clientCacheControl, c.res.headers.get('Cache-Control') ?? '');
        copy.headers.set('Cache-Control', `public, max-age=${seconds}`);
        waitUntil(c, cache.put(key, copy));
      }
      c.res.headers.set('X-Edge-Cache', 'MISS');
    }
  };
}
