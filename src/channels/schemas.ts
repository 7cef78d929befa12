import { z } from '@hono/zod-openapi';
import { lazy } from '../lib/lazy';
import { slugParam } from '../lib/params';

export const channelSlugParams = lazy(() =>
  z.object({
    slug: slugParam().openapi({ param: { name: 'slug', in: 'path' }, example: 'news' }),
  }),
);

const channelFields = lazy(() => ({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  position: z.number().int(),
  parentSlug: z.string().nullable(),
  url: z.string(),
}));

type ChannelTreeNode = z.infer<z.ZodObject<ReturnType<typeof channelFields>>> & {
  children: ChannelTreeNode[];
};

export const channelTreeNodeSchema = lazy((): z.ZodType<ChannelTreeNode> =>
  z
    .object({
      ...channelFields(),
      children: z.array(z.lazy(() => channelTreeNodeSchema())),
    })
    .openapi('ChannelTreeNode'),
);

export const channelTreeResponse = lazy(() =>
  z.object({ data: z.array(channelTreeNodeSchema()) }).openapi('ChannelTree'),
);

export const channelResponse = lazy(() =>
  z
    .object({
      data: z.object({
        ...channelFields(),
        breadcrumb: z.array(
          z.object({ name: z.string(), slug: z.string().nullable(), url: z.string() }),
        ),
        children: z.array(z.object(channelFields())),
        articlesUrl: z.string(),
      }),
    })
    .openapi('ChannelResponse'),
);
