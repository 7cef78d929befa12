import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env';
import { createLogger } from './logger';
import { permissionsPolicy } from './permissions-policy';

const requestIdPattern = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Accept a caller's request id only when it is short and plain, so it is safe to log and echo;
 * otherwise mint one. (hono/request-id would take any id of up to 255 word characters.)
 */
export const assignRequestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header('X-Request-Id');
  const id = incoming && requestIdPattern.test(incoming) ? incoming : crypto.randomUUID();
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};

/** One structured access line per request, carrying the request id that every other line carries. */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Durations on the monotonic timer: the clock module is for instants, and tests may pin it.
  const started = performance.now();
  const logger = createLogger(c.env.LOG_LEVEL, { requestId: c.get('requestId') });
  c.set('logger', logger);
  await next();
  logger.info('request', {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round(performance.now() - started),
    colo: (c.req.raw.cf as { colo?: string } | undefined)?.colo,
    // HIT, MISS or STALE where the colo cache was asked (src/lib/http.ts); absent elsewhere.
    edgeCache: c.res.headers.get('X-Edge-Cache') ?? undefined,
  });
};

/**
 * Baseline headers for every response, filled in only where a route set none. Pages and
 * embeds set a fuller policy themselves; the default forbids framing, which only the /embed
 * pages relax. hono/secure-headers' other defaults are off: the API and embed.js are read from
 * other origins (Cross-Origin-Resource-Policy would block embed.js), and the rest are not ours
 * to add unasked.
 */
const baselineHeaders = secureHeaders({
  overwrite: false,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  referrerPolicy: 'strict-origin-when-cross-origin',
  xContentTypeOptions: true,
  xFrameOptions: false,
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/**
 * What other sites may load without CORS (Cross-Origin-Resource-Policy): public reads, frames,
 * feeds, badges and media are meant for them; reader pages, the docs and the admin API are not.
 */
export function resourcePolicy(path: string): 'cross-origin' | 'same-origin' {
  if (path.startsWith('/api/v1/admin')) return 'same-origin';
  return /^\/(?:api\/|embed\/|oembed$|media\/|openapi\.json$)|\.(?:xml|json)$/.test(path)
    ? 'cross-origin'
    : 'same-origin';
}

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  // A 304 keeps its page's own CSP (src/lib/http.ts), so defaults only fill in what is missing.
  await baselineHeaders(c, next);
  // For browsers without frame-ancestors; a page that any site may frame must not get it.
  const h = c.res.headers;
  if (
    !h.has('X-Frame-Options') &&
    !/frame-ancestors \*/.test(h.get('Content-Security-Policy') ?? '')
  ) {
    h.set('X-Frame-Options', 'DENY');
  }
  if (!h.has('Permissions-Policy')) h.set('Permissions-Policy', permissionsPolicy);
  if (!h.has('Cross-Origin-Resource-Policy')) {
    h.set('Cross-Origin-Resource-Policy', resourcePolicy(c.req.path));
  }
  // Configurable (STRICT_TRANSPORT_SECURITY, empty: off), for a domain not yet fully on HTTPS.
  const hsts = c.env?.STRICT_TRANSPORT_SECURITY;
  if (hsts) h.set('Strict-Transport-Security', hsts);
};
