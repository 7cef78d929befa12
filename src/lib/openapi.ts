import { OpenAPIHono, z } from '@hono/zod-openapi';
import { lazy } from './lazy';
import type { AppEnv } from '../env';
import type { ApiRouter } from './router';

export const problemSchema = lazy(() =>
  z
    .object({
      type: z.string().openapi({ example: '/problems/invalid-parameter' }),
      title: z.string(),
      status: z.number().int(),
      code: z
        .string()
        .openapi({ description: 'Stable machine-readable code', example: 'invalid_parameter' }),
      detail: z.string().optional(),
      instance: z.string(),
      requestId: z.string().optional(),
      invalidParams: z
        .array(z.object({ name: z.string(), in: z.string(), reason: z.string() }))
        .optional(),
    })
    .openapi('Problem'),
);

const descriptions: Record<number, string> = {
  400: 'Invalid parameter',
  401: 'Missing, malformed, unknown, revoked or expired API token',
  403: "The token's role does not allow this",
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflicts with the current state',
  410: 'Withdrawn',
  412: 'If-Match is stale; the problem carries the current version',
  413: 'Body too large (JSON bodies: 1 MB; uploads: MEDIA_MAX_BYTES)',
  415: 'Unsupported body or file type',
  416: 'Range not satisfiable',
  422: 'Body invalid; invalidParams lists every field error',
  428: 'If-Match is required',
  429: 'Too many requests',
  501: 'Not implemented',
  503: 'Temporarily unavailable',
};

/** RFC 9457 problem responses for an OpenAPI route definition. */
export function problemResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemSchema() } },
      },
    ]),
  ) as Record<
    S,
    {
      description: string;
      content: { 'application/problem+json': { schema: ReturnType<typeof problemSchema> } };
    }
  >;
}

export type OpenApiConfig = Parameters<OpenAPIHono['getOpenAPI31Document']>[0];

/** The OpenAPI 3.1 document of routers mounted at these prefixes, in mount order. */
export function openApiDocument(
  mounts: readonly (readonly [string, ApiRouter | OpenAPIHono<AppEnv>])[],
  config: OpenApiConfig,
) {
  const registry = new OpenAPIHono();
  for (const [prefix, router] of mounts) {
    if (router instanceof OpenAPIHono) {
      for (const def of router.openAPIRegistry.definitions) {
        if (def.type !== 'route') continue;
        registry.openAPIRegistry.registerPath({
          ...def.route,
          path: prefix === '/' ? def.route.path : prefix + def.route.path,
        });
      }
      continue;
    }
    for (const endpoint of router.endpoints) {
      registry.openAPIRegistry.registerPath({
        ...endpoint.describe(),
        request: endpoint.request(),
        method: endpoint.method,
        path: prefix === '/' ? endpoint.path : prefix + endpoint.path,
      });
    }
  }
  return registry.getOpenAPI31Document(config);
}
