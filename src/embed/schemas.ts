import { z } from '@hono/zod-openapi';
import { langs } from '../lib/labels';
import { idParam, limitParam, slugParam } from '../lib/params';

const dimension = z
  .string()
  .regex(/^[1-9][0-9]{0,4}$/, 'must be a whole number of pixels from 1 to 99999')
  .transform(Number)
  .optional()
  .openapi({ type: 'integer', minimum: 1, maximum: 99999 });

/**
 * Unknown parameters are ignored rather than refused: the spec lets consumers send their
 * own (and some do), and a refused embed is a broken post on someone else's site.
 */
export const oembedQuery = z.object({
  url: z.string().min(1, 'must not be empty').max(2048, 'must be at most 2048 characters').openapi({
    description:
      'An article (/articles/{id}[/{slug}]) or channel (/channels/{slug}) URL on this host.',
    example: 'https://news.example/articles/1',
  }),
  maxwidth: dimension.openapi({
    description: 'Largest width the consumer can show, in pixels.',
  }),
  maxheight: dimension.openapi({
    description: 'Largest height the consumer can show, in pixels.',
  }),
  format: z.string().max(32, 'must be at most 32 characters').optional().openapi({
    description: 'Only json is supported; any other format is answered with 501.',
    example: 'json',
  }),
});

export const oembedResponse = z
  .object({
    version: z.literal('1.0'),
    type: z.literal('rich'),
    title: z.string(),
    author_name: z.string().optional(),
    provider_name: z.string(),
    provider_url: z.string(),
    cache_age: z.number().int(),
    html: z
      .string()
      .openapi({ description: 'An iframe of /embed/articles/{id} or /embed/channels/{slug}' }),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi('OEmbed');

const langParam = z.enum(langs).optional();
const themeParam = z.enum(['light', 'dark']).optional();

/** Frame and owner-page parameters; unknown ones (tracking tags and the like) are ignored. */
export const frameQuery = z.object({ lang: langParam, theme: themeParam });

/** The page size is the API's own validator, with the frame's limits. */
export const channelFrameQuery = frameQuery.extend({ limit: limitParam(20, 10) });

export const ownerQuery = z.object({
  lang: langParam,
  article: idParam().optional(),
  channel: slugParam().optional(),
});

/** The frames' path parameters, validated as the API validates ids and slugs. */
export const articleFrameParams = z.object({ id: idParam() });
export const channelFrameParams = z.object({ slug: slugParam() });
