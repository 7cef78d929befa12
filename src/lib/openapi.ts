import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ValidationTargets } from 'hono';
import type { AppEnv } from '../env';
import { validationError, type ParameterLocation } from './errors';

export const problemSchema = z
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
  .openapi('Problem');

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
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  ) as Record<
    S,
    {
      description: string;
      content: { 'application/problem+json': { schema: typeof problemSchema } };
    }
  >;
}

/** A JSON response of an OpenAPI route definition. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** The public API needs no credentials; an operation says so rather than leaving it unsaid. */
export const publicAccess = { security: [] };

const locations: Partial<Record<keyof ValidationTargets, ParameterLocation>> = {
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  json: 'body',
  form: 'body',
};

/**
 * Every route validates the same way, so a bad parameter always reads the same way: as an
 * invalid_parameter problem naming each offender, rendered by onError.
 */
export function defaultHook(
  result: { target: keyof ValidationTargets } & (
    | { success: true }
    // zod-validator hands the hook what it validated, also on failure; it tells a missing
    // parameter and a repeated one from a mistyped one.
    | { success: false; error: z.core.$ZodError; data?: unknown }
  ),
): undefined {
  if (result.success) return;
  throw validationError(result.error, locations[result.target] ?? 'query', result.data);
}

/** A feature's API routes: described in /openapi.json, validated with defaultHook. */
export function createApi() {
  return new OpenAPIHono<AppEnv>({ defaultHook });
}

export type OpenApiConfig = Parameters<OpenAPIHono['getOpenAPI31Document']>[0];
