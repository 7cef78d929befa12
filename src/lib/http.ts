import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import type { AppEnv } from '../env';
import { now } from './clock';
import { createLogger } from './logger';
import { applySecurityHeaders, logAccess, requestIdFor } from './middleware';

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
  // The date validator's own 304 (feeds) names the instant it compared; a cross-origin image's
  // policy stays with its revalidated copy.
  'last-modified',
  'cross-origin-resource-policy',
];

const strongEtag = etag({ retainedHeaders: retainedOn304 });

/** Two hex digits per byte value, looked up rather than formatted per byte of every ETag. */
const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The strong ETag hono/etag gives a body under its 256 KiB chunk: the SHA-1 of its bytes. */
async function sha1Tag(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes));
  let hex = '';
  for (const byte of digest) hex += hexByte[byte];
  return `"${hex}"`;
}

/**
 * Tags a 200 that came without an ETag (a c.json() list, say) from its bytes, read once,
 * before hono/etag sees it; hono/etag then only answers If-None-Match. Left to itself it
 * clones the response and reads the copy back chunk by chunk. Channel list JSON, A/B in
 * alternating rounds (12 × 2 s, 2026-12-01): 1,052 → 979 µs CPU per request, median per-round
 * ratio 0.972.
 */
async function tagResponse(c: Context): Promise<void> {
  const read = c.res;
  const bytes = await read.arrayBuffer();
  const tagged = new Response(bytes, read);
  tagged.headers.set('ETag', await sha1Tag(bytes));
  // Dropped first: assigning c.res merges the old response's headers into the new one.
  c.res = undefined;
  c.res = tagged;
}

/**
 * A 200 with the strong ETag publicGet's hono/etag would give it (the SHA-1 of its bytes, so
 * If-None-Match and the 304 work as before), hashed from the text the handler already holds.
 * hono/etag otherwise clones the response and reads the copy back as a stream: 7.6 % of the
 * article JSON route's CPU samples in a profile under load (2026-12-01).
 */
export async function taggedBody(c: Context, text: string, contentType: string): Promise<Response> {
  const bytes = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>;
  c.header('ETag', await sha1Tag(bytes));
  c.header('Content-Type', contentType);
  return c.body(bytes, 200);
}

/** taggedBody for a JSON value, typed as c.json's answer so OpenAPI routes keep their checks. */
export async function taggedJson<T>(c: Context, value: T) {
  const res = await taggedBody(c, JSON.stringify(value), 'application/json');
  return res as Response & TypedResponse<JSONParsed<T>, 200, 'json'>;
}

/** Carries the reader-facing Cache-Control through the colo cache, which needs its own. */
const clientCacheControl = 'X-Gazette-Client-Cache-Control';
/** When a stored copy stops being fresh (ms on the app's clock); after it, only stale-if-error. */
const freshUntilHeader = 'X-Gazette-Fresh-Until';

/** A stale copy is kept this long past its freshness unless STALE_IF_ERROR_SECONDS says otherwise. */
export const defaultStaleIfErrorSeconds = 21_600;

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value ?? fallback);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function edgeCacheSeconds(env: { API_EDGE_CACHE_SECONDS?: string } | undefined): number {
  return seconds(env?.API_EDGE_CACHE_SECONDS, 0);
}

function staleIfErrorSeconds(env: { STALE_IF_ERROR_SECONDS?: string } | undefined): number {
  return seconds(env?.STALE_IF_ERROR_SECONDS, defaultStaleIfErrorSeconds);
}

/** If-None-Match's weak comparison (RFC 9110 §13.1.2): does any listed tag name this ETag? */
export function ifNoneMatchHits(
  ifNoneMatch: string | undefined,
  etagValue: string | null,
): boolean {
  if (!ifNoneMatch || !etagValue) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const strong = etagValue.replace(/^W\//, '');
  const tags: string[] = ifNoneMatch.match(/"[^"]*"/g) ?? [];
  return tags.includes(strong);
}

/** The one place a 304 is built: from the 200 it stands for, keeping what retainedOn304 names. */
export function notModified(stored: Response): Response {
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

/** A stored copy as the reader gets it: the reader's Cache-Control, no colo bookkeeping. */
function fromStore(request: Request, stored: Response, state: 'HIT' | 'STALE'): Response {
  const res = ifNoneMatchHits(
    request.headers.get('If-None-Match') ?? undefined,
    stored.headers.get('ETag'),
  )
    ? notModified(stored)
    : new Response(stored.body, stored);
  res.headers.set(
    'Cache-Control',
    // A stale copy stands in for an answer that failed: no cache downstream may keep it.
    state === 'STALE' ? 'no-cache' : (stored.headers.get(clientCacheControl) ?? ''),
  );
  res.headers.delete(clientCacheControl);
  res.headers.delete(freshUntilHeader);
  res.headers.set('X-Edge-Cache', state);
  return res;
}

/**
 * Requests whose colo-cache look-up already found no fresh copy (see edgeCacheHit), with the
 * stale copy it found, if any: no one looks twice, and publicGet still has the copy to serve
 * if the handler fails.
 */
const edgeLookedUp = new WeakMap<Request, Response | null>();

/** Response headers the public API exposes to scripts on other origins (CORS). */
export const apiExposedHeaders: readonly string[] = ['ETag', 'Link', 'X-Request-Id', 'Retry-After'];

/** The admin API: for credentialed clients, never CORS-open nor kept in a shared cache. */
export function isAdminApiPath(path: string): boolean {
  return /^\/api\/v1\/admin(?:\/|$)/.test(path);
}

/** The colo's fresh copy of this GET (or HEAD), or null; a miss is remembered for publicGet. */
async function freshCopy(
  request: Request,
  env: Partial<Env> | undefined,
): Promise<Response | null> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return null;
  if (edgeLookedUp.has(request) || edgeCacheSeconds(env) === 0) return null;
  // The URL as the key (a GET without headers, as a Request built from it would be): one
  // Request object fewer per hit. Edge hit, A/B in alternating rounds (12 × 2 s, 2026-12-01):
  // 1,007 → 992 µs CPU per request, median per-round ratio 0.966.
  const stored = await caches.default.match(request.url);
  if (stored) {
    const freshUntil = Number(stored.headers.get(freshUntilHeader));
    if (!(freshUntil > 0) || now() < freshUntil) return stored;
  }
  edgeLookedUp.set(request, stored ?? null);
  return null;
}

/**
 * A colo-cache hit of a public API read, answered before the app runs (buildApp, src/app-core.ts):
 * no routing, context or middleware. The stored copy is the route's answer (ETag, Vary, the
 * reader's Cache-Control); each hit gets the 304 when If-None-Match names the ETag, HEAD's empty
 * body, its request id, the API's CORS headers, the security headers (the middleware's own
 * function) and its access line. Issue 20's edge-hit budget: A/B in alternating rounds against
 * f28c87e's hit, answered by the app's first middleware (15 × 4 s, 2026-12-02): 951 → 819 µs CPU
 * per request, median per-round ratio 0.873 (with every header stored in the copy instead: 1.01).
 */
export async function answerFromColo(
  request: Request,
  env: Partial<Env> | undefined,
): Promise<Response | null> {
  // The cheap test first: with the edge cache off (the article JSON budget) this is all it costs.
  if (edgeCacheSeconds(env) === 0) return null;
  const url = request.url;
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  if (!url.startsWith('/api/v1/', pathStart)) return null;
  const query = url.indexOf('?', pathStart);
  const path = url.slice(pathStart, query === -1 ? undefined : query);
  if (isAdminApiPath(path)) return null;
  const started = performance.now();
  const stored = await freshCopy(request, env);
  if (!stored) return null;
  let res = fromStore(request, stored, 'HIT');
  if (request.method === 'HEAD') res = new Response(null, res);
  const requestId = requestIdFor(request.headers.get('X-Request-Id'));
  res.headers.set('X-Request-Id', requestId);
  // What hono/cors gives any public API answer but a preflight (origin '*', src/app-core.ts).
  res.headers.set('Access-Control-Allow-Origin', '*');
  res.headers.set('Access-Control-Expose-Headers', apiExposedHeaders.join(','));
  await applySecurityHeaders(res, path, env?.STRICT_TRANSPORT_SECURITY);
  const durationMs = Math.round(performance.now() - started);
  logAccess(createLogger(env?.LOG_LEVEL, { requestId }), request, res.status, durationMs, () => ({
    method: request.method,
    path,
    edgeCache: 'HIT',
  }));
  return res;
}

/**
 * The colo cache's fresh answer to a public GET, or null, for the reads answerFromColo does not
 * take (/openapi.json); never a second look-up after a miss.
 */
export async function edgeCacheHit(c: Context): Promise<Response | null> {
  const stored = await freshCopy(c.req.raw, c.env as Partial<Env> | undefined);
  return stored && fromStore(c.req.raw, stored, 'HIT');
}

function staleCopy(c: Context): Response | undefined {
  return edgeLookedUp.get(c.req.raw) ?? undefined;
}

/**
 * Public GETs: strong ETag with 304 on If-None-Match, a short shared-cache lifetime with
 * stale-while-revalidate, and Vary on what can change the bytes. Handlers that need another
 * lifetime set Cache-Control themselves; this only fills it in.
 *
 * With API_EDGE_CACHE_SECONDS set, 200 responses are also kept in the colo's Cache API for
 * that long (at most their own max-age), so a popular article is served without touching
 * D1 or re-hashing its body. (The Cache API works on custom domains, not on *.workers.dev.)
 *
 * Stale-if-error: the stored copy outlives its freshness by STALE_IF_ERROR_SECONDS. A request
 * that finds only a stale copy runs the handler as usual (the happy path is unchanged: the
 * same one D1 round trip); when the handler answers 5xx (D1 failing or too slow, see
 * src/lib/d1-guard.ts), the reader gets the stale copy instead, marked X-Edge-Cache: STALE.
 */
export function publicGet(policy: CachePolicy = publicCachePolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    const ttl = edgeCacheSeconds(c.env);
    const cache = ttl > 0 ? caches.default : null;
    // The same key edgeCacheHit looks up: the URL, for a GET without headers.
    const key = cache ? c.req.url : null;
    let stale: Response | undefined;
    if (cache && key) {
      const hit = await edgeCacheHit(c);
      if (hit) {
        const requestId = c.get('requestId');
        if (requestId) hit.headers.set('X-Request-Id', requestId);
        c.res = hit;
        return;
      }
      stale = staleCopy(c);
    }
    await strongEtag(c, async () => {
      await next();
      if (c.res.status !== 200) return;
      if (!c.res.headers.has('Cache-Control')) {
        c.res.headers.set('Cache-Control', cacheControlValue(policy));
      }
      c.res.headers.append('Vary', 'Accept-Encoding');
      if (c.res.body && !c.res.headers.has('ETag')) await tagResponse(c);
    });
    const staleUntil = stale
      ? Number(stale.headers.get(freshUntilHeader)) + staleIfErrorSeconds(c.env) * 1000
      : 0;
    // Bounded on the app's clock too, not only by the Cache API's own expiry.
    if (stale && c.res.status >= 500 && now() < staleUntil) {
      c.get('logger')?.warn('served a stale copy', {
        path: c.req.path,
        status: c.res.status,
        staleSince: new Date(Number(stale.headers.get(freshUntilHeader))).toISOString(),
      });
      // Dropped first: assigning c.res merges the failed answer's headers into the copy.
      c.res = undefined;
      c.res = fromStore(c.req.raw, stale, 'STALE');
      const requestId = c.get('requestId');
      if (requestId) c.res.headers.set('X-Request-Id', requestId);
      return;
    }
    if (cache && key && c.res.status === 200) {
      const maxAge = /max-age=(\d+)/.exec(c.res.headers.get('Cache-Control') ?? '');
      const fresh = Math.min(ttl, maxAge ? Number(maxAge[1]) : 0);
      if (fresh > 0 && !/no-store|private/.test(c.res.headers.get('Cache-Control') ?? '')) {
        // The route's answer as publicGet made it: the app's CORS and security headers are not
        // stored but added to each answer (answerFromColo), so a change to them reaches every
        // copy, stale ones too, at once; and the colo cache keeps fewer headers per copy, which
        // is less work per hit (locally, a bare worker's hit with Gazette's 15 stored headers
        // cost 1.14 x the CPU of one with 2, and 1.08 x with 2 stored and 13 added; 9 rounds
        // each, 2026-12-02).
        const copy = new Response(c.res.clone().body, c.res);
        copy.headers.delete('X-Request-Id');
        copy.headers.set(clientCacheControl, c.res.headers.get('Cache-Control') ?? '');
        copy.headers.set(freshUntilHeader, String(now() + fresh * 1000));
        copy.headers.set('Cache-Control', `public, max-age=${fresh + staleIfErrorSeconds(c.env)}`);
        waitUntil(c, cache.put(key, copy));
      }
      c.res.headers.set('X-Edge-Cache', 'MISS');
    }
  };
}
