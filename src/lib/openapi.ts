import { z } from '@hono/zod-openapi';

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
  404: 'Not found',
  405: 'Method not allowed',
  410: 'Withdrawn',
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
