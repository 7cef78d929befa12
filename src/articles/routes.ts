import { AppError } from '../lib/errors';
import { taggedJson } from '../lib/http';
import { decodeCursor, encodeCursor, queryFingerprint } from '../lib/cursor';
import { noQueryParams, type DateBound } from '../lib/params';
import { createRoute } from '@hono/zod-openapi';
import { createApi, problemResponses, publicAccess } from '../lib/openapi';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { startOfZonedDay, addDays } from '../lib/time';
import { presentArticle, presentSummary } from './present';
import { findArticle, listPublishedArticles } from './queries';
import {
  articleKeyParams,
  articleListResponse,
  articleResponse,
  defaultPageSize,
  listArticlesQuery,
} from './schemas';
import { nowDate } from '../lib/clock';
import { popularRoutes } from '../views/routes';

function lowerBound(bound: DateBound, timeZone: string): Date {
  return bound.kind === 'instant' ? bound.instant : startOfZonedDay(bound.date, timeZone)!;
}

/**
 * Upper bounds are inclusive for callers: a day covers all of it, an instant includes itself.
 * The last representable day (9999-12-31) has no next day to stop before, so it bounds nothing.
 */
function exclusiveUpperBound(bound: DateBound, timeZone: string): Date | undefined {
  if (bound.kind === 'instant') return new Date(bound.instant.getTime() + 1);
  return startOfZonedDay(addDays(bound.date, 1), timeZone) ?? undefined;
}

/** The `from`/`to` query parameters of a list or a search as instants; 400 when from is after to. */
export function publishedWindow(
  query: { from?: DateBound; to?: DateBound },
  timeZone: string,
): { publishedFrom?: Date; publishedBefore?: Date } {
  const publishedFrom = query.from && lowerBound(query.from, timeZone);
  const publishedBefore = query.to && exclusiveUpperBound(query.to, timeZone);
  if (publishedFrom && publishedBefore && publishedFrom >= publishedBefore) {
    throw AppError.invalidParameter('from', 'query', "must not be later than 'to'");
  }
  return { publishedFrom, publishedBefore };
}

const listArticles = createRoute({
  method: 'get',
  path: '/articles',
  operationId: 'listArticles',
  tags: ['Articles'],
  summary: 'List published articles, newest first',
  ...publicAccess,
  request: { query: listArticlesQuery },
  responses: {
    200: {
      description: 'A page of article summaries',
      content: { 'application/json': { schema: articleListResponse } },
      headers: {
        Link: { description: 'rel="next" link when more pages exist', schema: { type: 'string' } },
      },
    },
    ...problemResponses(400, 404),
  },
});

const getArticle = createRoute({
  method: 'get',
  path: '/articles/{idOrSlug}',
  operationId: 'getArticle',
  tags: ['Articles'],
  summary: 'One published article with breadcrumb, tags, attachments and neighbours',
  ...publicAccess,
  request: { params: articleKeyParams, query: noQueryParams },
  responses: {
    200: {
      description: 'The article',
      content: { 'application/json': { schema: articleResponse } },
    },
    ...problemResponses(400, 404),
  },
});

export const articlesRoutes = createApi()
  .openapi(listArticles, async (c) => {
    const query = c.req.valid('query');
    const site = siteConfig(c.env);
    const { publishedFrom, publishedBefore } = publishedWindow(query, site.timeZone);
    const fingerprint = queryFingerprint({
      channel: query.channel,
      tag: query.tag,
      ids: query.ids?.join(','),
      from: publishedFrom?.getTime(),
      to: publishedBefore?.getTime(),
      sort: query.sort,
    });
    const after = query.cursor
      ? (decodeCursor(query.cursor, fingerprint, [
          query.sort === 'popular' ? 'number' : 'instant',
          'number',
        ]) as [number, number])
      : undefined;

    const limit = query.limit ?? query.ids?.length ?? defaultPageSize;
    const page = await listPublishedArticles(readDb(c), {
      now: nowDate(),
      channelSlug: query.channel,
      tagSlug: query.tag,
      ids: query.ids,
      publishedFrom,
      publishedBefore,
      sort: query.sort,
      after,
      limit,
    });
    if (!page.channelFound) {
      throw new AppError('not_found', { detail: `No channel '${query.channel}'` });
    }

    const origin = requestOrigin(c);
    const nextCursor = page.next ? encodeCursor(page.next, fingerprint) : null;
    if (nextCursor) {
      const nextUrl = new URL(c.req.url);
      nextUrl.searchParams.set('cursor', nextCursor);
      c.header('Link', `<${nextUrl.href}>; rel="next"`);
    }
    return c.json(
      {
        data: page.items.map((a) => presentSummary(a, site, origin)),
        meta: { nextCursor, limit },
      },
      200,
    );
  })
  // Every other /articles/<name> before {idOrSlug}, which would match it too (Hono tries routes
  // in the order they are added).
  .route('/', popularRoutes)
  .openapi(getArticle, async (c) => {
    const { idOrSlug } = c.req.valid('param');
    const found = await findArticle(readDb(c), idOrSlug, nowDate());
    if (found.state !== 'published') {
      throw new AppError('not_found', { detail: 'No published article with that id or slug' });
    }
    const data = presentArticle(found.article, siteConfig(c.env), requestOrigin(c));
    return taggedJson(c, { data });
  });
