import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env';
import { createLogger, type Logger } from './logger';
import { permissionsPolicy } from './permissions-policy';

const requestIdPattern = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Accept a caller's request id only when it is short and plain, so it is safe to log and echo;
 * otherwise mint one. (hono/request-id would take any id of up to 255 word characters.)
 */
export function requestIdFor(incoming: string | null | undefined): string {
  return incoming && requestIdPattern.test(incoming) ? incoming : crypto.randomUUID();
}

export const assignRequestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = requestIdFor(c.req.header('X-Request-Id'));
  c.set('requestId', id);
  c.header('X-Request-Id', id);
  await next();
};

/** A request that takes this long (wall time, storage included) is logged whatever its status. */
export const slowRequestMs = 1000;

/**
 * The access line's level: what the platform's own request metrics (counts, status classes, CPU
 * and wall time per Worker, in the dashboard and its analytics API) cannot tell an operator is
 * logged at `info` and above; an ordinary answer only at `debug`. Every line is a Workers Logs
 * event, metered by the plan; the invocation logs, which would duplicate the line, stay off for
 * privacy (wrangler.toml). At `info` a read that went well costs no line: 0.92 × the article JSON
 * read's CPU per request in A/B with and without the line; with the CORS change in src/app-core.ts,
 * 1,569 → 1,413 µs (median per-round 0.901, 13 rounds; scripts/bench/limits.md).
 */
export function accessLevel(
  status: number,
  durationMs: number,
): 'debug' | 'info' | 'warn' | 'error' {
  if (status >= 500) return 'error';
  if (durationMs >= slowRequestMs) return 'warn';
  if (status >= 400) return 'info';
  return 'debug';
}

export interface AccessFields {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** HIT, MISS or STALE where the colo cache was asked (src/lib/http.ts); absent elsewhere. */
  edgeCache: string | null;
}

/**
 * The one access line (also written for a colo-cache hit answered before the app: src/lib/http.ts).
 * The fields are read only when the line is written: at `info` most requests write none.
 */
export function logAccess(
  logger: Logger,
  request: Request,
  status: number,
  durationMs: number,
  fields: () => Omit<AccessFields, 'status' | 'durationMs'>,
): void {
  const level = accessLevel(status, durationMs);
  if (!logger.enabled(level)) return;
  const { method, path, edgeCache } = fields();
  logger.log(level, 'request', {
    method,
    path,
    status,
    durationMs,
    colo: (request.cf as { colo?: string } | undefined)?.colo,
    edgeCache: edgeCache ?? undefined,
  });
}

/** One structured access line per request (see accessLevel), carrying the request id. */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Durations on the monotonic timer: the clock module is for instants, and tests may pin it.
  const started = performance.now();
  const logger = createLogger(c.env.LOG_LEVEL, { requestId: c.get('requestId') });
  c.set('logger', logger);
  await next();
  logAccess(logger, c.req.raw, c.res.status, Math.round(performance.now() - started), () => ({
    method: c.req.method,
    path: c.req.path,
    edgeCache: c.res.headers.get('X-Edge-Cache'),
  }));
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

const answered = async () => {};

/**
 * The baseline on a response that has been made: hono/secure-headers' part on the response
 * alone (with no nonce callbacks it reads and writes nothing else of the context), then ours.
 * Shared by the middleware and by a colo-cache hit answered before the app (src/lib/http.ts),
 * so both send the same.
 */
export async function applySecurityHeaders(
  res: Response,
  path: string,
  hsts: string | undefined,
): Promise<void> {
  // A 304 keeps its page's own CSP (src/lib/http.ts), so defaults only fill in what is missing.
  await baselineHeaders({ res } as unknown as Context, answered);
  // For browsers without frame-ancestors; a page that any site may frame must not get it.
  const h = res.headers;
  if (
    !h.has('X-Frame-Options') &&
    !/frame-ancestors \*/.test(h.get('Content-Security-Policy') ?? '')
  ) {
    h.set('X-Frame-Options', 'DENY');
  }
  if (!h.has('Permissions-Policy')) h.set('Permissions-Policy', permissionsPolicy);
  if (!h.has('Cross-Origin-Resource-Policy')) {
    h.set('Cross-Origin-Resource-Policy', resourcePolicy(path));
  }
  // Configurable (STRICT_TRANSPORT_SECURITY, empty: off), for a domain not yet fully on HTTPS.
  if (hsts) h.set('Strict-Transport-Security', hsts);
}

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  await applySecurityHeaders(c.res, c.req.path, c.env?.STRICT_TRANSPORT_SECURITY);
};
