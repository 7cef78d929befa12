import { sanitizePolicy } from '../lib/sanitize';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { primaryDb } from '../auth/session';
import { presentBreadcrumb } from '../articles/present';
import type { AppEnv } from '../env';
import { now, nowDate } from '../lib/clock';
import { decodeCursor, encodeCursor, queryFingerprint } from '../lib/cursor';
import { AppError } from '../lib/errors';
import { jsonContent, problemResponses } from '../lib/openapi';
import { siteConfig } from '../lib/site';
import { toZonedIso } from '../lib/time';
import { auditContext, auditRequest } from './audit';
import { defaultPreviewSeconds, previewPath, previewSecret } from './preview';
import {
  createArticle,
  InvalidFieldError,
  purgeArticle,
  resolveTagNames,
  StaleVersionError,
  transitionArticle,
  writeArticle,
  WriteConflictError,
  type ArticleChanges,
  type Transition,
  type WriteContext,
  type WriteResult,
} from './commands';
import { afterArticleWrite, effectContext, type ArticleEventType } from './effects';
import type { Database } from '../db/client';
import type { AttachmentInput } from '../articles/types';
import { resolveMediaAttachments } from '../media/queries';
import { jsonBody, mergePatchBody, optionalJsonBody, readers, security, writers } from './openapi';
import { articleText, findAdminArticle, listAdminArticles, type AdminArticle } from './queries';
import {
  adminArticle,
  adminListQuery,
  articleCreateBody,
  articlePatchBody,
  idParams,
  previewLinkBody,
  publishBody,
} from './schemas';

const articleData = () => z.object({ data: adminArticle() });

export function etagOf(article: { id: number; version: number }): string {
  return `"a${article.id}-v${article.version}"`;
}

export function presentAdminArticle(a: AdminArticle, c: Context<AppEnv>) {
  const site = siteConfig(c.env);
  const origin = new URL(c.req.url).origin;
  return {
    id: a.id,
    slug: a.slug,
    status: a.status,
    version: a.version,
    ...articleText(a),
    channel: a.channel,
    breadcrumb: presentBreadcrumb(a.breadcrumb, site, origin)
      .slice(1)
      .map((b, i) => ({
        id: a.breadcrumb[i]!.id,
        slug: b.slug!,
        name: b.name,
      })),
    tags: a.tags,
    attachments: a.attachments,
    document: a.document,
    publishedAt: a.publishedAt ? toZonedIso(a.publishedAt, site.timeZone) : null,
    createdAt: toZonedIso(a.createdAt, site.timeZone),
    updatedAt: toZonedIso(a.updatedAt, site.timeZone),
    views: a.views,
    visitors: a.visitors,
    url: `${origin}/articles/${a.id}/${a.slug}`,
  };
}

export function writeContext(c: Context<AppEnv>): WriteContext {
  const cap = Number(c.env.REVISION_CAP);
  return {
    ...auditContext(c),
    timeZone: siteConfig(c.env).timeZone,
    revisionCap: Number.isInteger(cap) && cap >= 1 ? cap : undefined,
    sanitize: sanitizePolicy(c.env),
  };
}

/** The answer to a write: the article, its new ETag, and the effects already run. */
export async function answerWrite<S extends 200 | 201>(
  c: Context<AppEnv>,
  article: AdminArticle,
  status: S,
  event: { type: ArticleEventType; previous?: AdminArticle | null } | null,
) {
  if (event) await afterArticleWrite(effectContext(c), { ...event, article });
  c.header('ETag', etagOf(article));
  return c.json({ data: presentAdminArticle(article, c) }, status);
}

/** Errors of the write path, as the API answers them. */
export function rethrowWriteError(err: unknown): never {
  if (err instanceof StaleVersionError) {
    throw new AppError('precondition_failed', {
      detail: `The article changed since it was read; it is now at ${etagOf(err.current)}`,
      headers: { ETag: etagOf(err.current) },
      extensions: { currentVersion: err.current.version, currentEtag: etagOf(err.current) },
    });
  }
  if (err instanceof InvalidFieldError) {
    throw new AppError('unprocessable', {
      detail: err.message,
      invalidParams: [{ name: err.field, in: 'body', reason: err.message }],
    });
  }
  if (err instanceof WriteConflictError) throw new AppError('conflict', { detail: err.message });
  throw err;
}

/** The version an If-Match names: `*` is any, a list may name several; null when none match. */
export function matchedVersion(header: string, current: AdminArticle): number | null {
  if (header.trim() === '*') return current.version;
  const tags: string[] = header.match(/(?:W\/)?"[^"]*"/g) ?? [];
  // Weak validators never match for If-Match (RFC 9110 §13.1.1: strong comparison).
  return tags.includes(etagOf(current)) ? current.version : null;
}

function notFound(id: number): never {
  throw new AppError('not_found', { detail: `No article ${id}` });
}

/** If-Match, when given, must name the current version (412 otherwise, with that version). */
function checkIfMatch(
  c: Context<AppEnv>,
  current: AdminArticle,
  required: boolean,
): number | undefined {
  const header = c.req.header('If-Match');
  if (!header) {
    if (required) {
      throw new AppError('precondition_required', {
        detail: `Send If-Match with the article's ETag (now ${etagOf(current)}) so no one else's change is overwritten`,
      });
    }
    return undefined;
  }
  const version = matchedVersion(header, current);
  if (version === null) rethrowWriteError(new StaleVersionError(current));
  return version;
}

function eventFor(result: WriteResult): ArticleEventType {
  if (result.previous.status !== result.article.status) {
    const s = result.article.status;
    if (s === 'published') return 'article.published';
    if (s === 'scheduled') return 'article.scheduled';
    if (s === 'draft') return 'article.unpublished';
    if (s === 'archived') return 'article.archived';
    if (s === 'deleted') return 'article.deleted';
  }
  return 'article.updated';
}

/** `write`, with the write path's errors as the API answers them. */
export async function guarded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    rethrowWriteError(err);
  }
}

/**
 * Runs a write of article `id` and answers it: 404 when there is no such article, otherwise
 * the article with its new ETag after the effects of its event: `event` when given, else the
 * event of what the write changed (none when it changed nothing).
 */
async function answerWriteOf(
  c: Context<AppEnv>,
  id: number,
  write: () => Promise<WriteResult | null>,
  event?: ArticleEventType,
) {
  const result = await guarded(write);
  if (!result) notFound(id);
  const type = event ?? (result.written ? eventFor(result) : null);
  return answerWrite(c, result.article, 200, type ? { type, previous: result.previous } : null);
}

/** The body fields as the commands take them; tag names become tags. */
async function toChanges(
  c: Context<AppEnv>,
  body: z.infer<ReturnType<typeof articlePatchBody>>,
): Promise<ArticleChanges> {
  const changes: ArticleChanges = {};
  if (body.title !== undefined) changes.title = body.title;
  if (body.body !== undefined) changes.body = body.body;
  if (body.channel !== undefined) changes.channelSlug = body.channel;
  if (body.slug !== undefined) changes.slug = body.slug;
  if (body.subtitle !== undefined) changes.subtitle = body.subtitle ?? '';
  if (body.summary !== undefined) changes.summary = body.summary ?? '';
  if (body.source !== undefined) changes.source = body.source ?? '';
  if (body.author !== undefined) changes.author = body.author ?? '';
  if (body.lang !== undefined) changes.lang = body.lang;
  if (body.coverImageUrl !== undefined) changes.coverImageUrl = body.coverImageUrl;
  if (body.publishedAt !== undefined) {
    changes.publishedAt = body.publishedAt === null ? null : new Date(body.publishedAt);
  }
  if (body.tags !== undefined) changes.tags = await resolveTagNames(primaryDb(c), body.tags ?? []);
  if (body.document !== undefined) changes.document = body.document;
  if (body.attachments !== undefined) {
    changes.attachments = await resolveAttachments(primaryDb(c), body.attachments ?? []);
  }
  if (body.views !== undefined) changes.viewBase = body.views;
  return changes;
}

type AttachmentBody =
  | { name: string; url: string; size?: number | null; contentType?: string | null }
  | { mediaId: number; name?: string };

/**
 * Attachments as stored, in the order given: links as they are, uploads from their media row
 * (URL, size and sniffed type come from the upload, never from the client).
 */
async function resolveAttachments(
  db: Database,
  list: readonly AttachmentBody[],
): Promise<AttachmentInput[]> {
  const refs = list.flatMap((a) => ('mediaId' in a ? [a] : []));
  const { attachments: uploads, missing } = await resolveMediaAttachments(db, refs);
  if (missing.length) {
    throw new InvalidFieldError('attachments', `unknown media id: ${missing.join(', ')}`);
  }
  let next = 0;
  return list.map((a) =>
    'mediaId' in a
      ? uploads[next++]!
      : { name: a.name, url: a.url, size: a.size ?? null, contentType: a.contentType ?? null },
  );
}

export function registerArticleRoutes(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/articles/{id}/preview-link',
      operationId: 'adminCreatePreviewLink',
      tags: ['Admin: articles'],
      summary: 'A signed, expiring link to the article page as it will look (default 24 h)',
      security,
      middleware: [writers] as const,
      request: { params: idParams(), body: optionalJsonBody(previewLinkBody()) },
      responses: {
        201: jsonContent(
          z.object({ data: z.object({ url: z.string(), expiresAt: z.string() }) }),
          'The link',
        ),
        ...problemResponses(400, 401, 403, 404, 409, 415, 422, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = (c.req.valid as (t: 'json') => { expiresInSeconds?: number })('json') ?? {};
      const db = primaryDb(c);
      const article = await findAdminArticle(db, id);
      if (!article) notFound(id);
      if (article.status === 'deleted') {
        throw new AppError('conflict', { detail: 'A deleted article has no preview' });
      }
      const expires = Math.floor(now() / 1000) + (body.expiresInSeconds ?? defaultPreviewSeconds);
      const path = await previewPath(previewSecret(c.env, c.req.url), id, expires);
      await auditRequest(c, db, 'article.preview-link', 'article', id);
      return c.json(
        {
          data: {
            url: new URL(c.req.url).origin + path,
            expiresAt: new Date(expires * 1000).toISOString(),
          },
        },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/articles',
      operationId: 'adminCreateArticle',
      tags: ['Admin: articles'],
      summary: 'Create an article (a draft)',
      security,
      middleware: [writers] as const,
      request: { body: jsonBody(articleCreateBody()) },
      responses: {
        201: {
          ...jsonContent(articleData(), 'The new article'),
          headers: {
            Location: { schema: { type: 'string' } },
            ETag: { schema: { type: 'string' } },
          },
        },
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const db = primaryDb(c);
      const ctx = writeContext(c);
      const created = await guarded(async () =>
        createArticle(
          db,
          {
            title: body.title,
            body: body.body,
            channelSlug: body.channel,
            slug: body.slug,
            subtitle: body.subtitle,
            summary: body.summary,
            source: body.source,
            author: body.author,
            lang: body.lang,
            coverImageUrl: body.coverImageUrl,
            tags: await resolveTagNames(db, body.tags ?? []),
            publishedAt: body.publishedAt ? new Date(body.publishedAt) : null,
            document: body.document,
            attachments: body.attachments && (await resolveAttachments(db, body.attachments)),
            viewBase: body.views,
            status: 'draft',
          },
          ctx,
        ),
      );
      const article = (await findAdminArticle(db, created.id))!;
      c.header('Location', `/api/v1/admin/articles/${article.id}`);
      return answerWrite(c, article, 201, { type: 'article.created' });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/articles',
      operationId: 'adminListArticles',
      tags: ['Admin: articles'],
      summary: 'Articles in every status, most recently changed first',
      security,
      middleware: [readers] as const,
      request: { query: adminListQuery() },
      responses: {
        200: jsonContent(
          z.object({
            data: z.array(adminArticle()),
            meta: z.object({ nextCursor: z.string().nullable(), limit: z.number() }),
          }),
          'A page of articles',
        ),
        ...problemResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const fingerprint = queryFingerprint({
        admin: 1,
        status: q.status,
        channel: q.channel,
        author: q.author,
        updatedSince: q.updatedSince,
        q: q.q,
        sort: q.sort,
      });
      const after = q.cursor
        ? (decodeCursor(q.cursor, fingerprint, [
            q.sort === 'views' ? 'number' : 'instant',
            'number',
          ]) as [number, number])
        : undefined;
      const limit = q.limit ?? 20;
      const page = await listAdminArticles(primaryDb(c), {
        status: q.status,
        channelSlug: q.channel,
        author: q.author,
        updatedSince: q.updatedSince ? new Date(q.updatedSince) : undefined,
        title: q.q,
        sort: q.sort,
        after,
        limit,
      });
      const nextCursor = page.next ? encodeCursor(page.next, fingerprint) : null;
      if (nextCursor) {
        const next = new URL(c.req.url);
        next.searchParams.set('cursor', nextCursor);
        c.header('Link', `<${next.href}>; rel="next"`);
      }
      return c.json(
        { data: page.items.map((a) => presentAdminArticle(a, c)), meta: { nextCursor, limit } },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/articles/{id}',
      operationId: 'adminGetArticle',
      tags: ['Admin: articles'],
      summary: 'One article in any status',
      security,
      middleware: [readers] as const,
      request: { params: idParams() },
      responses: {
        200: {
          ...jsonContent(articleData(), 'The article'),
          headers: { ETag: { schema: { type: 'string' } } },
        },
        ...problemResponses(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const article = await findAdminArticle(primaryDb(c), id);
      if (!article) notFound(id);
      c.header('ETag', etagOf(article));
      return c.json({ data: presentAdminArticle(article, c) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/articles/{id}',
      operationId: 'adminPatchArticle',
      tags: ['Admin: articles'],
      summary: 'Change fields (JSON merge patch); needs If-Match',
      security,
      middleware: [writers] as const,
      request: {
        params: idParams(),
        headers: z.object({
          'if-match': z.string().optional().openapi({ description: "The article's ETag" }),
        }),
        body: mergePatchBody(articlePatchBody()),
      },
      responses: {
        200: {
          ...jsonContent(articleData(), 'The changed article'),
          headers: { ETag: { schema: { type: 'string' } } },
        },
        ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const db = primaryDb(c);
      const current = await findAdminArticle(db, id);
      if (!current) notFound(id);
      const expectedVersion = checkIfMatch(c, current, true);
      if (current.status === 'deleted') {
        throw new AppError('conflict', { detail: 'A deleted article cannot be edited' });
      }
      const changes = await guarded(() => toChanges(c, body));
      return answerWriteOf(c, id, () =>
        writeArticle(db, id, changes, {
          ...writeContext(c),
          expectedVersion,
          reason: 'save',
          action: 'article.update',
        }),
      );
    },
  );

  const transitionRoute = (transition: Exclude<Transition, 'delete'>, summary: string) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/articles/{id}/${transition}`,
        operationId: `admin${transition[0]!.toUpperCase()}${transition.slice(1)}Article`,
        tags: ['Admin: articles'],
        summary,
        security,
        middleware: [writers] as const,
        request: {
          params: idParams(),
          ...(transition === 'publish' ? { body: optionalJsonBody(publishBody()) } : {}),
        },
        responses: {
          200: {
            ...jsonContent(articleData(), 'The article in its new status'),
            headers: { ETag: { schema: { type: 'string' } } },
          },
          ...problemResponses(400, 401, 403, 404, 409, 412, 415, 422, 429),
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const db = primaryDb(c);
        const current = await findAdminArticle(db, id);
        if (!current) notFound(id);
        const expectedVersion = checkIfMatch(c, current, false);
        const body =
          transition === 'publish'
            ? ((c.req.valid as (t: 'json') => { publishedAt?: string })('json') ?? {})
            : {};
        return answerWriteOf(c, id, () =>
          transitionArticle(db, id, transition, {
            ...writeContext(c),
            expectedVersion,
            publishedAt: body.publishedAt ? new Date(body.publishedAt) : undefined,
            at: nowDate(),
          }),
        );
      },
    );
  transitionRoute('publish', 'Publish now, or schedule for a future publishedAt');
  transitionRoute('unpublish', 'Take back to draft');
  transitionRoute('archive', 'Withdraw (the public page answers 410)');

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/articles/{id}',
      operationId: 'adminDeleteArticle',
      tags: ['Admin: articles'],
      summary:
        'Delete (soft: the public page answers 410); ?purge=true (admin) removes it for good',
      security,
      middleware: [writers] as const,
      request: {
        params: idParams(),
        query: z.object({ purge: z.enum(['true', 'false']).optional() }).strict(),
      },
      responses: {
        200: jsonContent(articleData(), 'The article, now deleted'),
        204: { description: 'Purged' },
        ...problemResponses(400, 401, 403, 404, 409, 412, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { purge } = c.req.valid('query');
      const db = primaryDb(c);
      const current = await findAdminArticle(db, id);
      if (!current) notFound(id);
      const expectedVersion = checkIfMatch(c, current, false);
      if (purge === 'true') {
        if (c.var.principal!.role !== 'admin') {
          throw new AppError('forbidden', { detail: 'Purging needs the admin role' });
        }
        const previous = await purgeArticle(db, id, auditContext(c));
        if (!previous) notFound(id);
        await afterArticleWrite(effectContext(c), { type: 'article.purged', article: previous });
        return c.body(null, 204);
      }
      return answerWriteOf(
        c,
        id,
        () => transitionArticle(db, id, 'delete', { ...writeContext(c), expectedVersion }),
        'article.deleted',
      );
    },
  );
}
