import { channelPath, presentBreadcrumb } from '../articles/present';
import { AppError } from '../lib/errors';
import { createRoute } from '@hono/zod-openapi';
import { createApi, jsonContent, problemResponses, publicAccess } from '../lib/openapi';
import { noQueryParams } from '../lib/params';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { findChannel, listChannelTree, type Channel, type ChannelNode } from './queries';
import { channelResponse, channelSlugParams, channelTreeResponse } from './schemas';

function presentChannel(channel: Channel, origin: string) {
  return {
    id: channel.id,
    slug: channel.slug,
    name: channel.name,
    description: channel.description,
    position: channel.position,
    parentSlug: channel.parentSlug,
    url: origin + channelPath(channel.slug),
  };
}

type PresentedNode = ReturnType<typeof presentChannel> & { children: PresentedNode[] };

function presentTree(node: ChannelNode, origin: string): PresentedNode {
  return {
    ...presentChannel(node, origin),
    children: node.children.map((n) => presentTree(n, origin)),
  };
}

const listChannels = createRoute({
  method: 'get',
  path: '/channels',
  operationId: 'listChannels',
  tags: ['Channels'],
  summary: 'The channel tree (栏目)',
  ...publicAccess,
  request: { query: noQueryParams },
  responses: {
    200: jsonContent(channelTreeResponse, 'Root channels with their descendants'),
    ...problemResponses(400),
  },
});

const getChannel = createRoute({
  method: 'get',
  path: '/channels/{slug}',
  operationId: 'getChannel',
  tags: ['Channels'],
  summary: 'One channel with its breadcrumb and children',
  ...publicAccess,
  request: { params: channelSlugParams, query: noQueryParams },
  responses: {
    200: jsonContent(channelResponse, 'The channel'),
    ...problemResponses(400, 404),
  },
});

export const channelsRoutes = createApi()
  .openapi(listChannels, async (c) => {
    const origin = requestOrigin(c);
    const roots = await listChannelTree(readDb(c));
    return c.json({ data: roots.map((r) => presentTree(r, origin)) }, 200);
  })
  .openapi(getChannel, async (c) => {
    const { slug } = c.req.valid('param');
    const channel = await findChannel(readDb(c), slug);
    if (!channel) throw new AppError('not_found', { detail: `No channel '${slug}'` });
    const origin = requestOrigin(c);
    const site = siteConfig(c.env);
    return c.json(
      {
        data: {
          ...presentChannel(channel, origin),
          breadcrumb: presentBreadcrumb(channel.breadcrumb, site, origin),
          children: channel.children.map((child) => presentChannel(child, origin)),
          articlesUrl: `${origin}/api/v1/articles?channel=${channel.slug}`,
        },
      },
      200,
    );
  });
