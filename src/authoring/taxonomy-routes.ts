import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/middleware';
import { primaryDb } from '../auth/session';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { rethrowWriteError } from './article-routes';
import { jsonBody, security, writers } from './openapi';
import { auditContext } from './audit';
import { afterTaxonomyWrite, effectContext } from './effects';
import { afterChannelWrite, afterTagWrite } from './taxonomy-effects';
import {
  createChannelCommand,
  createTag,
  deleteChannel,
  deleteTag,
  mergeTags,
  patchChannel,
  renameTag,
  reorderChannels,
  type ChannelRow,
  type TagRow,
} from './taxonomy';
import {
  channelCreateBody,
  channelOrderBody,
  channelPatchBody,
  slugParams,
  tagCreateBody,
  tagMergeBody,
  tagPatchBody,
} from './schemas';

const admins = requireRole('admin');

const channelView = () =>
  z
    .object({
      slug: z.string(),
      name: z.string(),
      parent: z.string().nullable(),
      position: z.number(),
      description: z.string(),
    })
    .openapi('AdminChannel');

const tagView = () => z.object({ slug: z.string(), name: z.string() }).openapi('AdminTag');

function presentChannel(row: ChannelRow) {
  return {
    slug: row.slug,
    name: row.name,
    parent: row.parentSlug,
    position: row.position,
    description: row.description,
  };
}

const presentTag = (t: TagRow) => ({ slug: t.slug, name: t.name });

function missing(what: string): never {
  throw new AppError('not_found', { detail: `No ${what}` });
}

export function registerTaxonomyRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/channels',
      operationId: 'adminCreateChannel',
      tags: ['Admin: channels'],
      summary: 'Create a channel (parent: a channel slug)',
      security,
      middleware: [admins] as const,
      request: { body: jsonBody(channelCreateBody()) },
      responses: {
        201: jsonContent(z.object({ data: channelView() }), 'The channel'),
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      let row: ChannelRow;
      try {
        row = await createChannelCommand(primaryDb(c), body, auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      await afterTaxonomyWrite(effectContext(c), { channels: [row.slug] });
      c.header('Location', `/api/v1/channels/${row.slug}`);
      return c.json({ data: presentChannel(row) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/channels/order',
      operationId: 'adminReorderChannels',
      tags: ['Admin: channels'],
      summary:
        'Order the children of a parent (null: the top level); the list must name each exactly once (409 otherwise)',
      security,
      middleware: [admins] as const,
      request: { body: jsonBody(channelOrderBody()) },
      responses: {
        200: jsonContent(z.object({ data: z.array(channelView()) }), 'The siblings, in order'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { parent, order } = c.req.valid('json');
      let rows: ChannelRow[] | null;
      try {
        rows = await reorderChannels(primaryDb(c), parent, order, auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      if (!rows) missing(`channel '${parent}'`);
      await afterTaxonomyWrite(effectContext(c), { channels: parent ? [parent] : [] });
      return c.json({ data: rows.map(presentChannel) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/channels/{slug}',
      operationId: 'adminPatchChannel',
      tags: ['Admin: channels'],
      summary: 'Rename, reorder (position) or move (parent) a channel; a cycle is 409',
      security,
      middleware: [admins] as const,
      request: { params: slugParams(), body: jsonBody(channelPatchBody()) },
      responses: {
        200: jsonContent(z.object({ data: channelView() }), 'The channel'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const body = c.req.valid('json');
      let row: ChannelRow | null;
      try {
        row = await patchChannel(primaryDb(c), slug, body, auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      if (!row) missing(`channel '${slug}'`);
      await afterChannelWrite(effectContext(c), primaryDb(c), {
        channels: [slug, row.parentSlug],
        breadcrumbsOf: body.name !== undefined || body.parent !== undefined ? slug : undefined,
      });
      return c.json({ data: presentChannel(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/channels/{slug}',
      operationId: 'adminDeleteChannel',
      tags: ['Admin: channels'],
      summary: 'Delete an empty channel (409 while it has articles or children)',
      security,
      middleware: [admins] as const,
      request: { params: slugParams() },
      responses: {
        204: { description: 'Deleted' },
        ...problemResponses(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      let row: ChannelRow | null;
      try {
        row = await deleteChannel(primaryDb(c), slug, auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      if (!row) missing(`channel '${slug}'`);
      await afterTaxonomyWrite(effectContext(c), { channels: [slug] });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tags',
      operationId: 'adminCreateTag',
      tags: ['Admin: tags'],
      summary: 'Create a tag',
      security,
      middleware: [writers] as const,
      request: { body: jsonBody(tagCreateBody()) },
      responses: {
        201: jsonContent(z.object({ data: tagView() }), 'The tag'),
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      let tag: TagRow;
      try {
        tag = await createTag(primaryDb(c), c.req.valid('json'), auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      return c.json({ data: presentTag(tag) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/tags/{slug}',
      operationId: 'adminRenameTag',
      tags: ['Admin: tags'],
      summary: 'Rename a tag (its slug stays)',
      security,
      middleware: [writers] as const,
      request: { params: slugParams(), body: jsonBody(tagPatchBody()) },
      responses: {
        200: jsonContent(z.object({ data: tagView() }), 'The tag'),
        ...problemResponses(400, 401, 403, 404, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const tag = await renameTag(primaryDb(c), slug, c.req.valid('json').name, auditContext(c));
      if (!tag) missing(`tag '${slug}'`);
      await afterTagWrite(effectContext(c), primaryDb(c), { tag: slug });
      return c.json({ data: presentTag(tag) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tags/{slug}',
      operationId: 'adminDeleteTag',
      tags: ['Admin: tags'],
      summary: 'Delete a tag: every article loses it',
      security,
      middleware: [admins] as const,
      request: { params: slugParams() },
      responses: {
        204: { description: 'Deleted' },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const tag = await deleteTag(primaryDb(c), slug, auditContext(c));
      if (!tag) missing(`tag '${slug}'`);
      await afterTagWrite(effectContext(c), primaryDb(c), { ids: tag.articleIds });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tags/{slug}/merge',
      operationId: 'adminMergeTag',
      tags: ['Admin: tags'],
      summary: 'Merge this tag into another: its articles get the other tag, and it goes',
      security,
      middleware: [writers] as const,
      request: { params: slugParams(), body: jsonBody(tagMergeBody()) },
      responses: {
        200: jsonContent(z.object({ data: tagView() }), 'The tag merged into'),
        ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      const { into } = c.req.valid('json');
      let tag: TagRow | null;
      try {
        tag = await mergeTags(primaryDb(c), slug, into, auditContext(c));
      } catch (err) {
        rethrowWriteError(err);
      }
      if (!tag) missing(`tag '${slug}' or '${into}'`);
      await afterTagWrite(effectContext(c), primaryDb(c), { tag: into });
      return c.json({ data: presentTag(tag) }, 200);
    },
  );
}
