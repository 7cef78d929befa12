import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi';
import { Hono, type Context, type MiddlewareHandler, type ValidationTargets } from 'hono';
import { every } from 'hono/combine';
import { validator } from 'hono/validator';
import { createDb, openReadSession, type Database } from '../db/client';
import type { AppEnv } from '../env';
import { validationError, type ParameterLocation } from './errors';
import { lazy } from './lazy';

/** The request parts an endpoint validates; only query and path input exist in this API. */
export type EndpointRequest = Pick<NonNullable<RouteConfig['request']>, 'query' | 'params'> & {
  body?: never;
  headers?: never;
  cookies?: never;
};

/**
 * What the OpenAPI document says about an endpoint besides its method, path and request.
 * `middleware` and `hide` are @hono/zod-openapi options this router does not apply.
 */
export type EndpointDocs = Omit<
  RouteConfig,
  'method' | 'path' | 'request' | 'middleware' | 'hide'
> & {
  request?: never;
  middleware?: never;
  hide?: never;
};

export interface EndpointSpec<Q extends EndpointRequest, D extends EndpointDocs> {
  /** The schemas validated on every request, built on the endpoint's first request. */
  request: () => Q;
  /** Summary, responses and the rest, built only for the OpenAPI document. */
  describe: () => D;
}

export interface Endpoint {
  method: RouteConfig['method'];
  /** OpenAPI form, e.g. /articles/{id}. */
  path: string;
  request: () => EndpointRequest;
  describe: () => EndpointDocs;
}

const targets = [
  ['query', 'query', 'query'],
  ['params', 'param', 'path'],
] as const satisfies readonly [keyof EndpointRequest, keyof ValidationTargets, ParameterLocation][];

/** Every endpoint validates the same way, so a bad parameter always reads the same way. */
function requestValidators(request: EndpointRequest): MiddlewareHandler[] {
  return targets.flatMap(([part, target, location]) => {
    const schema = request[part];
    if (!schema) return [];
    return [
      validator(target, (value) => {
        // Synchronous: no parameter schema here refines or transforms asynchronously (one that
        // did would throw instead of validating, and would need safeParseAsync).
        const result = schema.safeParse(value);
        if (!result.success) throw validationError(result.error, location, value);
        return result.data as object;
      }),
    ];
  });
}

/**
 * A feature's routes. Each endpoint's schemas are built on its first request (its request
 * schemas) or when the OpenAPI document is built (everything else): building every schema at
 * startup cost more CPU than the rest of the worker (BENCHMARKS.md).
 */
export class ApiRouter extends Hono<AppEnv> {
  readonly endpoints: Endpoint[] = [];

  endpoint<
    M extends RouteConfig['method'],
    P extends string,
    Q extends EndpointRequest,
    D extends EndpointDocs,
  >(
    method: M,
    path: P,
    spec: EndpointSpec<Q, D>,
    handler: RouteHandler<D & { method: M; path: P; request: Q }, AppEnv>,
  ): this {
    const request = lazy(spec.request);
    this.endpoints.push({ method, path, request, describe: lazy(spec.describe) });
    let validators: MiddlewareHandler | undefined;
    const validate: MiddlewareHandler<AppEnv> = (c, next) =>
      (validators ??= every(...requestValidators(request())))(c, next);
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

/**
 * Adds an ApiRouter's endpoints to an OpenAPIHono app's document, under the prefix the router
 * is mounted at. ApiRouter remains only for src/views/routes.ts, until it moves to OpenAPIHono.
 */
export function describeRouter(api: OpenAPIHono<AppEnv>, prefix: string, router: ApiRouter) {
  for (const endpoint of router.endpoints) {
    const path = prefix === '/' ? endpoint.path : prefix + endpoint.path;
    const docs = endpoint.describe();
    api.openAPIRegistry.registerPath({
      // Its endpoints are public reads and the beacon, named after method and path.
      operationId: operationIdFor(endpoint.method, endpoint.path),
      security: [],
      ...docs,
      request: endpoint.request(),
      method: endpoint.method,
      path,
    });
  }
}

/** e.g. get /articles/{id}/views.svg -> getArticlesIdViewsSvg */
function operationIdFor(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
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
