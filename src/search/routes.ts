import { publishedWindow } from '../articles/routes';
import { nowDate } from '../lib/clock';
import { decodeCursor, encodeCursor, queryFingerprint } from '../lib/cursor';
import { AppError } from '../lib/errors';
import { createRoute } from '@hono/zod-openapi';
import { createApi, jsonContent, problemResponses, publicAccess } from '../lib/openapi';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig } from '../lib/site';
import { highlightTerms, presentHit } from './present';
import { searchArticles, totalCap } from './queries';
import { canonicalQuery } from './query';
import { searchQuery, searchResponse } from './schemas';

/**
 * GET /api/v1/search. Pages by offset, not keyset: relevance has no stable key to seek to,
 * and a search never pages past the counting cap, so the offset stays small.
 */
const searchArticlesRoute = createRoute({
  method: 'get',
  path: '/search',
  request: { query: searchQuery },
  tags: ['Search'],
  operationId: 'searchArticles',
  summary: 'Search published articles (站内搜索)',
  description:
    'Full-text search over titles, subtitles, summaries, bodies, sources and policy fields (索引号, 文号, 发布机构), ranked by bm25 with the title weighted highest. Words of any length work, Chinese ones of one or two characters included.',
  ...publicAccess,
  responses: {
    200: {
      ...jsonContent(searchResponse, 'A page of hits with highlighted snippets'),
      headers: {
        Link: {
          description: 'rel="next" link when more pages exist',
          schema: { type: 'string' },
        },
      },
    },
    ...problemResponses(400, 404),
  },
});

export const searchRoutes = createApi().openapi(searchArticlesRoute, async (c) => {
  const query = c.req.valid('query');
  const site = siteConfig(c.env);
  const { publishedFrom, publishedBefore } = publishedWindow(query, site.timeZone);
  const parsed = query.q.parsed;
  const fingerprint = queryFingerprint({
    q: canonicalQuery(parsed),
    channel: query.channel,
    from: publishedFrom?.getTime(),
    to: publishedBefore?.getTime(),
    type: query.type,
    sort: query.sort,
  });
  const [offset] = query.cursor
    ? (decodeCursor(query.cursor, fingerprint, ['number']) as [number])
    : [0];
  if (offset < 0 || offset >= totalCap) {
    throw AppError.invalidParameter('cursor', 'query', 'is malformed');
  }

  const page = await searchArticles(readDb(c), {
    query: parsed,
    now: nowDate(),
    channelSlug: query.channel,
    publishedFrom,
    publishedBefore,
    policyOnly: query.type === 'policy',
    sort: query.sort,
    offset,
    limit: query.limit,
  });
  if (!page.channelFound) {
    throw new AppError('not_found', { detail: `No channel '${query.channel}'` });
  }

  const next = offset + query.limit;
  const nextCursor = page.hasMore && next < totalCap ? encodeCursor([next], fingerprint) : null;
  if (nextCursor) {
    const nextUrl = new URL(c.req.url);
    nextUrl.searchParams.set('cursor', nextCursor);
    c.header('Link', `<${nextUrl.href}>; rel="next"`);
  }
  const terms = highlightTerms(parsed);
  const origin = requestOrigin(c);
  return c.json(
    {
      data: page.hits.map((hit) => presentHit(hit, terms, site, origin)),
      meta: {
        total: page.total,
        totalExact: page.totalExact,
        limit: query.limit,
        nextCursor,
      },
    },
    200,
  );
});
