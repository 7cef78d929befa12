import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createLogger } from './logger';

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
  });
};

/**
 * Baseline headers for every response. Pages and embeds set a fuller policy themselves;
 * this default forbids framing, which only the /embed pages may relax.
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  // A 304 keeps its page's own CSP (src/lib/http.ts), so defaults only fill in what is missing.
  const h = c.res.headers;
  if (!h.has('X-Content-Type-Options')) h.set('X-Content-Type-Options', 'nosniff');
  if (!h.has('Referrer-Policy')) h.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  if (!h.has('Content-Security-Policy')) {
    h.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  }
  if (
    !h.has('X-Frame-Options') &&
    !/frame-ancestors \*/.test(h.get('Content-Security-Policy') ?? '')
  ) {
    h.set('X-Frame-Options', 'DENY');
  }
};
