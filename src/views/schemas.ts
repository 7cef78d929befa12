import { z } from '@hono/zod-openapi';
import { idParam, limitParam, slugParam } from '../lib/params';

export const articleIdParams = z.object({
  id: idParam().openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 1 }),
});

export const viewIdsQuery = z
  .object({
    ids: z
      .string()
      .max(1700, 'lists at most 100 ids')
      .regex(/^[1-9][0-9]{0,15}(,[1-9][0-9]{0,15})*$/, 'must be comma-separated positive ids')
      .transform((value) => [...new Set(value.split(',').map(Number))])
      .pipe(
        z.array(z.number().int().max(Number.MAX_SAFE_INTEGER)).max(100, 'lists at most 100 ids'),
      )
      .openapi({ type: 'string', example: '1,2,3', description: 'Up to 100 article ids' }),
  })
  .strict();

export const popularWindows = ['1d', '7d', '30d'] as const;

export const popularQuery = z
  .object({
    window: z
      .enum(popularWindows)
      .optional()
      .transform((v) => v ?? '7d')
      .openapi({ type: 'string', enum: [...popularWindows], default: '7d' }),
    channel: slugParam()
      .optional()
      .openapi({ description: 'Only this channel and its descendants' }),
    limit: limitParam(50, 10),
  })
  .strict();

export const statsQuery = z
  .object({
    window: z
      .enum([...popularWindows, 'all'])
      .optional()
      .transform((v) => v ?? '7d')
      .openapi({ type: 'string', enum: [...popularWindows, 'all'], default: '7d' }),
  })
  .strict();

export const countsSchema = z
  .object({
    views: z.number().int().openapi({ description: '浏览次数: page views' }),
    visitors: z.number().int().openapi({
      description: 'Unique visitors per day, summed over days',
    }),
  })
  .openapi('ViewCounts');

export const beaconResponse = countsSchema
  .extend({
    counted: z.boolean(),
    reason: z
      .enum(['duplicate', 'ip_cap', 'bot', 'suspicious', 'foreign_origin'])
      .optional()
      .openapi({ description: 'Why the hit was answered but not counted' }),
  })
  .openapi('ViewBeaconResult');

export const liveCountsResponse = countsSchema
  .extend({
    live: z
      .boolean()
      .openapi({ description: 'false when the counters were unreachable and D1 answered' }),
  })
  .openapi('LiveViewCounts');

export const batchCountsResponse = z
  .object({
    data: z.array(countsSchema.extend({ id: z.number().int() })),
    meta: z.object({ live: z.boolean() }),
  })
  .openapi('ViewCountsBatch');

export const statsResponse = z
  .object({
    data: z.object({
      window: z.string(),
      from: z.string(),
      to: z.string(),
      views: z.number().int(),
      visitors: z.number().int(),
      channels: z.array(
        z.object({
          slug: z.string(),
          name: z.string(),
          parentSlug: z.string().nullable(),
          views: z.number().int(),
          visitors: z.number().int(),
        }),
      ),
      rejections: z.record(z.string(), z.number().int()),
    }),
  })
  .openapi('ViewStats');
