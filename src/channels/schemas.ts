import { z } from '@hono/zod-openapi';
import { slugParam } from '../lib/params';

export const channelSlugParams = z.object({
  slug: slugParam().openapi({ param: { name: 'slug', in: 'path' }, example: 'news' }),
});

const channelFields = {
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  position: z.number().int(),
  parentSlug: z.string().nullable(),
  url: z.string(),
};

type ChannelTreeNode = z.infer<z.ZodObject<typeof channelFields>> & {
  children: ChannelTreeNode[];
};

export const channelTreeNodeSchema: z.ZodType<ChannelTreeNode> = z
  .object({
    ...channelFields,
    children: z.array(z.lazy(() => channelTreeNodeSchema)),
  })
  .openapi('ChannelTreeNode');

export const channelTreeResponse = z
  .object({ data: z.array(channelTreeNodeSchema) })
  .openapi('ChannelTree');

export const channelResponse = z
  .object({
    data: z.object({
      ...channelFields,
      breadcrumb: z.array(
        z.object({ name: z.string(), slug: z.string().nullable(), url: z.string() }),
      ),
      children: z.array(z.object(channelFields)),
      articlesUrl: z.string(),
    }),
  })
  .openapi('ChannelResponse');
