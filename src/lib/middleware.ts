import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppEnv } from '../env';
import { createLogger } from './logger';

/** Accept a caller's request id only when it is short and plain, so it is safe to log and echo. */
export const assignRequestId = requestId({
  generator: (c) => {
    const incoming = c.req.header('X-Request-Id');
    return incoming && /^[A-Za-z0-9._:-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
  },
});

/** One structured access line per request, carrying the request id that every other line carries. */
export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const logger = createLogger(c.env.LOG_LEVEL, { requestId: c.get('requestId') });
  c.set('logger', logger);
  await next();
  const url = new URL(c.req.url);
  logger.info('request', {
    method: c.req.method,
    path: url.pathname,
    status: c.res.status,
    durationMs: Date.now() - started,
    colo: (c.req.raw.cf as { colo?: string } | undefined)?.colo,
  });
};

/**
 * Baseline headers for every response. Pages and embeds set a fuller policy themselves;
 * this default forbids framing, which only the /embed pages may relax.
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
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
