import { z } from '@hono/zod-openapi';
import { idParam } from '../lib/params';

/** Widths a body image can be asked for (`?w=`); a fixed set keeps the variants cacheable. */
export const imageWidths = [320, 640, 960, 1280, 1920] as const;

export const mediaIdParams = z.object({
  id: idParam().openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 1 }),
});

export const mediaFileParams = z.object({
  hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex')
    .openapi({ param: { name: 'hash', in: 'path' }, description: 'SHA-256 of the content' }),
  name: z
    .string()
    .min(1, 'must not be empty')
    .openapi({ param: { name: 'name', in: 'path' }, description: 'The original file name' }),
});

export const mediaFileQuery = z
  .object({
    w: z
      .enum(imageWidths.map(String) as [string, ...string[]], {
        error: `must be one of ${imageWidths.join(', ')}`,
      })
      .transform(Number)
      .optional()
      .openapi({
        type: 'integer',
        enum: [...imageWidths],
        description: 'Images only: a width in pixels (resized where the Images binding exists)',
      }),
  })
  .strict();

export const mediaSchema = z
  .object({
    id: z.number().int(),
    url: z.string().openapi({ example: 'https://example.gov.cn/media/3a7b…/2024年预算表.xlsx' }),
    name: z.string().openapi({ example: '2024年预算表.xlsx' }),
    size: z.number().int().openapi({ description: 'Bytes', example: 38912 }),
    type: z.string().openapi({
      example: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    }),
    hash: z.string().openapi({ description: 'SHA-256 of the content, lower-case hex' }),
  })
  .openapi('Media');

export const mediaResponse = z.object({ data: mediaSchema });
