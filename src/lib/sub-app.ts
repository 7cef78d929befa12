import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { routeNotFound } from './errors';

/**
 * A Hono app built apart and run from inside one of the app's handlers (the admin API and the
 * admin pages, built on their first request): its requests keep the outer request's id and
 * logger, and its errors and not-found go on to the app's onError, the one place problems are
 * rendered.
 */

const parents = new WeakMap<Request, Pick<AppEnv['Variables'], 'requestId' | 'logger'>>();

/** The inner app's first middleware: the outer request's id and logger. */
export const outerRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  const parent = parents.get(c.req.raw);
  if (parent) {
    c.set('requestId', parent.requestId);
    c.set('logger', parent.logger);
  }
  await next();
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function handErrorsOn(app: Hono<any>): void {
  app.notFound((c) => {
    throw routeNotFound(c);
  });
  app.onError((err) => {
    throw err;
  });
}

/** Runs the request through `app`; its answer carries the outer request's X-Request-Id. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function dispatchTo(app: Hono<any>, c: Context<AppEnv>): Promise<Response> {
  parents.set(c.req.raw, { requestId: c.var.requestId, logger: c.var.logger });
  return withRequestId(await app.fetch(c.req.raw, c.env, executionContext(c)), c.var.requestId);
}

/** The outer request's execution context to hand an inner app (none under app.request() in tests). */
export function executionContext(c: Context<AppEnv>): Parameters<Hono['fetch']>[2] {
  try {
    return c.executionCtx as Parameters<Hono['fetch']>[2];
  } catch {
    return undefined;
  }
}

/**
 * An inner app's answer with the outer request's X-Request-Id: a Response a handler returns does
 * not pick up headers the outer middleware prepared. Copied only when its headers are immutable
 * (a Cache API or fetch() answer passed on as is): a copy per request was 4.6 % of the article
 * JSON route's CPU samples (2026-12-01).
 */
export function withRequestId(res: Response, requestId: string): Response {
  try {
    res.headers.set('X-Request-Id', requestId);
    return res;
  } catch {
    const out = new Response(res.body, res);
    out.headers.set('X-Request-Id', requestId);
    return out;
  }
}
