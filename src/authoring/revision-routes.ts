import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { primaryDb } from '../auth/session';
import { articleStatuses } from '../db/schema';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { siteConfig } from '../lib/site';
import { toZonedIso } from '../lib/time';
import { answerWrite, rethrowWriteError, writeContext, matchedVersion } from './article-routes';
import { readers, security, writers } from './openapi';
import {
  contentFields,
  StaleVersionError,
  writeArticle,
  type ArticleSnapshot,
  type WriteResult,
} from './commands';
import { findAdminArticle, findRevision, listRevisions, type RevisionRow } from './queries';
import { articleTextShape, diffQuery, idParams, revisionParams, revisionSummary } from './schemas';

function snapshotOf(row: RevisionRow): ArticleSnapshot {
  return JSON.parse(row.snapshot) as ArticleSnapshot;
}

function presentRevision(row: RevisionRow, c: Context<AppEnv>) {
  const snapshot = snapshotOf(row);
  return {
    number: row.number,
    reason: row.reason,
    actor: row.actorName,
    createdAt: toZonedIso(row.createdAt, siteConfig(c.env).timeZone),
    published: row.published,
    status: snapshot.status,
    title: snapshot.title,
  };
}

/** Field-by-field differences between two snapshots, in the order of contentFields. */
export function diffSnapshots(a: ArticleSnapshot, b: ArticleSnapshot) {
  return contentFields
    .filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
    .map((field) => ({ field, from: a[field], to: b[field] }));
}

async function articleOr404(c: Context<AppEnv>, id: number) {
  const article = await findAdminArticle(primaryDb(c), id);
  if (!article) throw new AppError('not_found', { detail: `No article ${id}` });
  return article;
}

async function revisionOr404(c: Context<AppEnv>, id: number, n: number) {
  const row = await findRevision(primaryDb(c), id, n);
  if (!row) throw new AppError('not_found', { detail: `Article ${id} has no revision ${n}` });
  return row;
}

const snapshotSchema = () =>
  z.object({
    status: z.enum(articleStatuses),
    slug: z.string(),
    channel: z.string(),
    ...articleTextShape(),
    publishedAt: z.string().nullable(),
    tags: z.array(z.object({ slug: z.string(), name: z.string() })),
    attachments: z.array(z.any()),
    document: z.any().nullable(),
  });

export function registerRevisionRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/articles/{id}/revisions',
      operationId: 'adminListRevisions',
      tags: ['Admin: revisions'],
      summary: 'Revisions of an article, newest first',
      security,
      middleware: [readers] as const,
      request: { params: idParams() },
      responses: {
        200: jsonContent(z.object({ data: z.array(revisionSummary()) }), 'Revisions'),
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await articleOr404(c, id);
      const rows = await listRevisions(primaryDb(c), id);
      return c.json({ data: rows.map((r) => presentRevision(r, c)) }, 200);
    },
  );

  // Before /revisions/{n}, so "diff" is not read as a revision number.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/articles/{id}/revisions/diff',
      operationId: 'adminDiffRevisions',
      tags: ['Admin: revisions'],
      summary: 'Field-by-field differences between two revisions',
      security,
      middleware: [readers] as const,
      request: { params: idParams(), query: diffQuery() },
      responses: {
        200: jsonContent(
          z.object({
            data: z.object({
              from: z.number(),
              to: z.number(),
              changes: z.array(z.object({ field: z.string(), from: z.any(), to: z.any() })),
            }),
          }),
          'The differences',
        ),
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { from, to } = c.req.valid('query');
      await articleOr404(c, id);
      const [a, b] = await Promise.all([revisionOr404(c, id, from), revisionOr404(c, id, to)]);
      return c.json(
        { data: { from, to, changes: diffSnapshots(snapshotOf(a), snapshotOf(b)) } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/articles/{id}/revisions/{n}',
      operationId: 'adminGetRevision',
      tags: ['Admin: revisions'],
      summary: 'One revision with the full content it kept',
      security,
      middleware: [readers] as const,
      request: { params: revisionParams() },
      responses: {
        200: jsonContent(
          z.object({ data: revisionSummary().extend({ content: snapshotSchema() }) }),
          'The revision',
        ),
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id, n } = c.req.valid('param');
      await articleOr404(c, id);
      const row = await revisionOr404(c, id, n);
      return c.json({ data: { ...presentRevision(row, c), content: snapshotOf(row) } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/articles/{id}/revisions/{n}/restore',
      operationId: 'adminRestoreRevision',
      tags: ['Admin: revisions'],
      summary: "Bring back a revision's content (status and publish time stay as they are)",
      security,
      middleware: [writers] as const,
      request: { params: revisionParams() },
      responses: {
        200: jsonContent(z.object({ data: z.any() }), 'The article with the restored content'),
        ...problemResponses(400, 401, 403, 404, 409, 412, 422, 429),
      },
    }),
    async (c) => {
      const { id, n } = c.req.valid('param');
      const current = await articleOr404(c, id);
      if (current.status === 'deleted') {
        throw new AppError('conflict', { detail: 'A deleted article cannot be restored into' });
      }
      const header = c.req.header('If-Match');
      const expectedVersion = header ? matchedVersion(header, current) : undefined;
      if (expectedVersion === null) rethrowWriteError(new StaleVersionError(current));
      const snap = snapshotOf(await revisionOr404(c, id, n));
      let result: WriteResult | null;
      try {
        result = await writeArticle(
          primaryDb(c),
          id,
          {
            slug: snap.slug,
            channelSlug: snap.channel,
            title: snap.title,
            subtitle: snap.subtitle,
            summary: snap.summary,
            body: snap.body,
            source: snap.source,
            author: snap.author,
            lang: snap.lang,
            coverImageUrl: snap.coverImageUrl,
            tags: snap.tags,
            attachments: snap.attachments,
            document: snap.document,
          },
          { ...writeContext(c), expectedVersion, reason: 'restore', action: 'article.restore' },
        );
      } catch (err) {
        rethrowWriteError(err);
      }
      if (!result) throw new AppError('not_found', { detail: `No article ${id}` });
      return answerWrite(
        c,
        result.article,
        200,
        result.written ? { type: 'article.updated', previous: result.previous } : null,
      );
    },
  );
}
