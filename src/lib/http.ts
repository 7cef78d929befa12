import type { MiddlewareHandler } from 'hono';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';

export interface CachePolicy {
  maxAge: number;
  staleWhileRevalidate: number;
}

export const publicCachePolicy: CachePolicy = { maxAge: 60, staleWhileRevalidate: 300 };

export function cacheControlValue(policy: CachePolicy): string {
  return `public, max-age=${policy.maxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`;
}

/** Headers a 304 must keep so that caches and cross-origin callers treat it like the 200 it stands for. */
const retainedOn304 = [
  ...RETAINED_304_HEADERS,
  'access-control-allow-origin',
  'access-control-expose-headers',
  'x-request-id',
  'link',
  'x-content-type-options',
];

const strongEtag = etag({ retainedHeaders: retainedOn304 });

/**
 * Public GETs: strong ETag with 304 on If-None-Match, a short shared-cache lifetime with
 * stale-while-revalidate, and Vary on what can change the bytes. Handlers that need another
 * lifetime set Cache-Control themselves; this only fills it in.
 */
export function publicGet(policy: CachePolicy = publicCachePolicy): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    await strongEtag(c, async () => {
      await next();
      if (c.res.status !== 200) return;
      if (!c.res.headers.has('Cache-Control')) {
        c.res.headers.set('Cache-Control', cacheControlValue(policy));
      }
      c.res.headers.append('Vary', 'Accept-Encoding');
    });
  };
}
