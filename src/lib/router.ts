import type { RouteConfig, RouteHandler } from '@hono/zod-openapi';
import { Hono, type Context, type MiddlewareHandler, type ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import { createDb, openReadSession, type Database } from '../db/client';
import type { AppEnv } from '../env';
import { validationError, type ParameterLocation } from './errors';
import { lazy } from './lazy';

/** What an endpoint says about itself besides its method and path; only query and path input. */
export type EndpointDescription = Omit<RouteConfig, 'method' | 'path' | 'request'> & {
  request?: Pick<NonNullable<RouteConfig['request']>, 'query' | 'params'>;
};

export interface Endpoint {
  method: RouteConfig['method'];
  /** OpenAPI form, e.g. /articles/{id}. */
  path: string;
  describe: () => EndpointDescription;
}

const targets = [
  ['query', 'query', 'query'],
  ['params', 'param', 'path'],
] as const satisfies readonly [
  keyof NonNullable<EndpointDescription['request']>,
  keyof ValidationTargets,
  ParameterLocation,
][];

/** Every endpoint validates the same way, so a bad parameter always reads the same way. */
function requestValidators(request: EndpointDescription['request']): MiddlewareHandler[] {
  return targets.flatMap(([part, target, location]) => {
    const schema = request?.[part];
    if (!schema) return [];
    return [
      validator(target, (value) => {
        const result = schema.safeParse(value);
        if (!result.success) throw validationError(result.error, location, value);
        return result.data as object;
      }),
    ];
  });
}

/**
 * A feature's routes. Endpoints are described by a function, called on the endpoint's first
 * request (for its validators) or when the OpenAPI document is built: building every schema at
 * startup cost more CPU than the rest of the worker (BENCHMARKS.md).
 */
export class ApiRouter extends Hono<AppEnv> {
  readonly endpoints: Endpoint[] = [];

  endpoint<M extends RouteConfig['method'], P extends string, D extends EndpointDescription>(
    method: M,
    path: P,
    describe: () => D,
    handler: RouteHandler<D & { method: M; path: P }, AppEnv>,
  ): this {
    const description = lazy(describe);
    this.endpoints.push({ method, path, describe: description });
    let validators: MiddlewareHandler[] | undefined;
    const validate: MiddlewareHandler<AppEnv> = (c, next) => {
      validators ??= requestValidators(description().request);
      let index = 0;
      const step = async (): Promise<void> => {
        const current = validators![index++];
        if (current) await current(c, step);
        else await next();
      };
      return step();
    };
    this.on(
      method.toUpperCase(),
      path.replaceAll(/\{(\w+)\}/g, ':$1'),
      validate,
      handler as unknown as MiddlewareHandler<AppEnv>,
    );
    return this;
  }
}

export function createRouter() {
  return new ApiRouter();
}

/** The request's read session, opened on first use so routes that never touch D1 pay nothing. */
export function readDb(c: Context<AppEnv>): Database {
  let db = c.get('db');
  if (!db) {
    db = createDb(openReadSession(c.env.DB));
    c.set('db', db);
  }
  return db;
}

export function requestOrigin(c: Context): string {
  return new URL(c.req.url).origin;
}
