import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { presentSummary } from '../articles/present';
import { channelExists } from '../articles/queries';
import { articleSummary } from '../articles/schemas';
import type { AppEnv } from '../env';
import { nowDate } from '../lib/clock';
import { AppError } from '../lib/errors';
import { createApi, jsonContent, problemResponses } from '../lib/openapi';
import { readDb, requestOrigin } from '../lib/request';
import { siteConfig, type SiteLang } from '../lib/site';
import { addDays, zonedDay } from '../lib/time';
import { countableArticles, lookupCountable } from './article-cache';
import type { WorkerRejection } from './counter';
import {
  readCounts,
  readCountsFromCounters,
  recordHit,
  tallyRejection,
  type ArticleCounts,
  type RecordedHit,
} from './counter-client';
import type { CountableArticle } from './queries';
import { listPopularArticles, siteStats } from './queries';
import {
  articleIdParams,
  batchCountsResponse,
  beaconResponse,
  liveCountsResponse,
  popularQuery,
  statsQuery,
  statsResponse,
  viewIdsQuery,
} from './schemas';
import { viewSettings } from './settings';
import { contradictsFetchMetadata, isBot, isForeignOrigin, visitorSignals } from './visitor';

const noStore = { 'Cache-Control': 'no-store' };
const liveReadCache = { 'Cache-Control': 'public, max-age=5, stale-while-revalidate=30' };

const views = createApi();

async function countableOr404(c: Context<AppEnv>, id: number, now: Date) {
  const lookup = await lookupCountable(() => readDb(c), id, now);
  if (lookup.ok && !lookup.article) {
    throw new AppError('not_found', { detail: `No published article ${id}` });
  }
  return lookup;
}

type Surface = 'beacon' | 'image';

/** What the worker can refuse alone, cheapest checks first; null lets the counter decide. */
async function screen(
  c: Context<AppEnv>,
  surface: Surface,
  visitor: ReturnType<typeof visitorSignals>,
): Promise<WorkerRejection | null> {
  const headers = c.req.raw.headers;
  if (isBot(visitor.userAgent, c.req.raw.cf as { botManagement?: object } | undefined)) {
    return 'bot';
  }
  if (contradictsFetchMetadata(headers, surface)) return 'suspicious';
  if (isForeignOrigin(headers, requestOrigin(c), viewSettings(c.env).countOrigins)) {
    return 'foreign_origin';
  }
  try {
    // Per visitor first, then per IP across User-Agents: rotating them buys nothing.
    const perVisitor = await c.env.VIEW_RATE_LIMITER.limit({ key: visitor.key });
    if (!perVisitor.success) return 'rate_limited';
    const perIp = await c.env.VIEW_IP_RATE_LIMITER?.limit({ key: visitor.ipKey });
    if (perIp && !perIp.success) return 'rate_limited';
  } catch (err) {
    // The limiter guards against inflation; if it is down, count rather than lose real views.
    c.get('logger').warn('rate limiter unavailable', { error: String(err) });
  }
  return null;
}

function refused(
  c: Context<AppEnv>,
  article: CountableArticle,
  reason: WorkerRejection,
  now: Date,
): RecordedHit {
  tallyRejection(c.env, (p) => c.executionCtx.waitUntil(p), c.get('logger'), {
    articleId: article.id,
    day: zonedDay(now, siteConfig(c.env).timeZone),
    reason,
    now: now.getTime(),
  });
  c.get('logger').info('view not counted', { articleId: article.id, reason });
  // No counter was asked: the last flushed totals answer.
  return { views: article.viewCount, visitors: article.visitorCount, counted: false, reason };
}

/** Screens a hit, then records it on the visitor's counter shard. */
async function hitArticle(
  c: Context<AppEnv>,
  article: CountableArticle,
  surface: Surface,
  now: Date,
): Promise<RecordedHit> {
  const visitor = visitorSignals(c.req.raw.headers);
  const rejection = await screen(c, surface, visitor);
  if (rejection) return refused(c, article, rejection, now);
  const result = await recordHit(c.env, article, {
    ip: visitor.ip,
    userAgent: visitor.userAgent,
    bucket: visitor.bucket,
    now: now.getTime(),
  });
  if (!result.counted) {
    c.get('logger').info('view not counted', { articleId: article.id, reason: result.reason });
  }
  return result;
}

const badgeLabels: Record<SiteLang, string> = { 'zh-CN': '浏览次数', en: 'views' };

/** Rough text width so the badge fits its number without measuring fonts. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\uffff]/.test(ch) ? 12 : 7;
  return width;
}

function badgeSvg(label: string, count: number | null) {
  const value = count === null ? '–' : count.toLocaleString('en-US');
  const left = textWidth(label) + 12;
  const right = textWidth(value) + 12;
  const width = left + right;
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    width="${width}"
    height="20"
    role="img"
    aria-label="${label}: ${value}"
  >
    <title>${label}: ${value}</title>
    <rect width="${left}" height="20" fill="#555" />
    <rect x="${left}" width="${right}" height="20" fill="#b31b1b" />
    <g
      fill="#fff"
      font-family="Verdana,'PingFang SC','Microsoft YaHei',sans-serif"
      font-size="11"
      text-anchor="middle"
    >
      <text x="${left / 2}" y="14">${label}</text>
      <text x="${left + right / 2}" y="14">${value}</text>
    </g>
  </svg>`;
}

function windowStart(now: Date, timeZone: string, window: '1d' | '7d' | '30d'): string {
  const days = Number.parseInt(window, 10);
  return addDays(zonedDay(now, timeZone), -(days - 1));
}

const beaconRoute = createRoute({
  method: 'post',
  path: '/articles/{id}/views',
  operationId: 'countArticleView',
  tags: ['Views'],
  summary: 'Count a view (beacon)',
  description:
    'Works with navigator.sendBeacon and fetch; the body is ignored. Repeat views by the same visitor within the dedupe window, bots, link previewers, requests whose Fetch Metadata contradict a beacon, other sites outside VIEW_COUNT_ORIGINS and visitors beyond the per-IP cap are answered but not counted, with the reason.',
  security: [],
  request: { params: articleIdParams },
  responses: {
    200: jsonContent(beaconResponse, 'Live totals'),
    ...problemResponses(400, 404, 429, 503),
  },
});

views.openapi(beaconRoute, async (c) => {
  const { id } = c.req.valid('param');
  const now = nowDate();
  const lookup = await countableOr404(c, id, now);
  if (!lookup.ok) {
    // Without D1 nobody can say whether the article is published; count nothing.
    throw new AppError('counting_unavailable', {
      detail:
        'Counting cannot check this article right now; nothing was counted. Try again shortly.',
      headers: { 'Retry-After': '30' },
      cause: lookup.error,
    });
  }
  const outcome = await hitArticle(c, lookup.article!, 'beacon', now);
  if (outcome.reason === 'rate_limited') {
    throw new AppError('rate_limited', {
      detail: 'Too many views from this visitor; this one was not counted.',
      headers: { 'Retry-After': '60' },
    });
  }
  const body: z.infer<typeof beaconResponse> = {
    views: outcome.views,
    visitors: outcome.visitors,
    counted: outcome.counted,
  };
  if (outcome.reason) body.reason = outcome.reason;
  return c.json(body, 200, noStore);
});

const liveCountsRoute = createRoute({
  method: 'get',
  path: '/articles/{id}/views',
  operationId: 'getArticleViews',
  tags: ['Views'],
  summary: 'Read live view counts without counting',
  security: [],
  request: { params: articleIdParams },
  responses: {
    200: jsonContent(liveCountsResponse, 'Totals'),
    ...problemResponses(400, 404, 503),
  },
});

views.openapi(liveCountsRoute, async (c) => {
  const { id } = c.req.valid('param');
  const lookup = await countableOr404(c, id, nowDate());
  // Without D1 the counters answer on their own (shard 0 knows the article's shards).
  const counts = lookup.ok
    ? await readCounts(c.env, lookup.article!)
    : await readCountsFromCounters(c.env, id);
  return c.json(counts, 200, counts.live && lookup.ok ? liveReadCache : noStore);
});

const badgeRoute = createRoute({
  method: 'get',
  path: '/articles/{id}/views.svg',
  operationId: 'countArticleViewBadge',
  tags: ['Views'],
  summary: 'Count a view and return a badge image',
  description:
    'For pages that can only embed an image. Counts only a GET whose Accept asks for an image (as an <img> does), never a HEAD. Sent with headers that make image proxies fetch it every time.',
  security: [],
  request: { params: articleIdParams },
  responses: {
    200: { description: 'SVG badge', content: { 'image/svg+xml': { schema: z.string() } } },
    ...problemResponses(400, 404),
  },
});

async function badgeCount(c: Context<AppEnv>, id: number, now: Date): Promise<number | null> {
  const lookup = await countableOr404(c, id, now);
  if (!lookup.ok) {
    // An image must still render: the counters answer without D1, or a dash does.
    return readCountsFromCounters(c.env, id).then(
      (counts) => counts.views,
      () => null,
    );
  }
  const article = lookup.article!;
  // A HEAD (link checkers, proxies probing) never counts and needs no counter.
  if (c.req.method === 'HEAD') return article.viewCount;
  if (!/\bimage\//i.test(c.req.header('Accept') ?? '')) {
    return refused(c, article, 'suspicious', now).views;
  }
  try {
    return (await hitArticle(c, article, 'image', now)).views;
  } catch {
    // An image must still render; the last flushed count is the honest fallback.
    return article.viewCount;
  }
}

views.openapi(badgeRoute, async (c) => {
  const { id } = c.req.valid('param');
  const count = await badgeCount(c, id, nowDate());
  const svg = badgeSvg(badgeLabels[siteConfig(c.env).lang], count);
  return c.body(String(await svg), 200, {
    'Content-Type': 'image/svg+xml; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0',
    Pragma: 'no-cache',
    Expires: '0',
    // Presentation attributes only (fill, font-*), which style-src does not govern: no 'unsafe-inline'.
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  });
});

const batchRoute = createRoute({
  method: 'get',
  path: '/views',
  operationId: 'listArticleViews',
  tags: ['Views'],
  summary: 'Read live view counts of up to 100 articles',
  security: [],
  request: { query: viewIdsQuery },
  responses: {
    200: jsonContent(
      batchCountsResponse,
      'Counts of the published articles among the ids (others are left out)',
    ),
    ...problemResponses(400),
  },
});

views.openapi(batchRoute, async (c) => {
  const { ids } = c.req.valid('query');
  let found: Map<number, CountableArticle>;
  try {
    found = await countableArticles(readDb(c), ids, nowDate());
  } catch {
    // D1 cannot say which ids are published: the counters answer for the articles they know.
    const settled = await Promise.allSettled(ids.map((id) => readCountsFromCounters(c.env, id)));
    const data = settled.flatMap((r, i) =>
      r.status === 'fulfilled'
        ? [{ id: ids[i]!, views: r.value.views, visitors: r.value.visitors }]
        : [],
    );
    return c.json({ data, meta: { live: true } }, 200, noStore);
  }
  const articles = ids.map((id) => found.get(id)).filter((a) => a !== undefined);
  const counts = await Promise.all(articles.map((a) => readCounts(c.env, a)));
  // One answer for the whole list: live only if every article's counters answered.
  const live = counts.every((n) => n.live);
  const rows: (ArticleCounts & { id: number })[] = articles.map((a, i) =>
    live
      ? { id: a.id, views: counts[i]!.views, visitors: counts[i]!.visitors }
      : { id: a.id, views: a.viewCount, visitors: a.visitorCount },
  );
  return c.json({ data: rows, meta: { live } }, 200, live ? liveReadCache : noStore);
});

const popularRoute = createRoute({
  method: 'get',
  path: '/articles/popular',
  operationId: 'listPopularArticles',
  tags: ['Views'],
  summary: '热点排行: most viewed articles over a window',
  security: [],
  request: { query: popularQuery },
  responses: {
    200: {
      description: 'Articles by views in the window, most first',
      content: {
        'application/json': {
          schema: z
            .object({
              data: z.array(articleSummary.extend({ windowViews: z.number().int() })),
              meta: z.object({ window: z.string(), from: z.string() }),
            })
            .openapi('PopularArticles'),
        },
      },
    },
    ...problemResponses(400, 404),
  },
});

/**
 * 热点排行 is not in viewsRoutes: its path is one of the articles', so the articles API mounts it
 * before /articles/{idOrSlug}, which would match `popular` too (src/articles/routes.ts), and no
 * mount order in src/app.ts can shadow it.
 */
export const popularRoutes = createApi().openapi(popularRoute, async (c) => {
  const query = c.req.valid('query');
  const now = nowDate();
  const site = siteConfig(c.env);
  const fromDay = windowStart(now, site.timeZone, query.window);
  const db = readDb(c);
  const items = await listPopularArticles(db, {
    now,
    fromDay,
    channelSlug: query.channel,
    limit: query.limit,
  });
  if (!items.length && query.channel && !(await channelExists(db, query.channel))) {
    throw new AppError('not_found', { detail: `No channel '${query.channel}'` });
  }
  const origin = requestOrigin(c);
  return c.json(
    {
      data: items.map((a) => ({ ...presentSummary(a, site, origin), windowViews: a.windowViews })),
      meta: { window: query.window, from: fromDay },
    },
    200,
  );
});

const statsRoute = createRoute({
  method: 'get',
  path: '/stats',
  operationId: 'getViewStats',
  tags: ['Views'],
  summary: 'Site-wide and per-channel page views and visitors, from the daily rollups',
  description:
    'rejections counts, by reason, the hits that were answered but not counted: duplicate, ip_cap, bot, suspicious, foreign_origin, rate_limited.',
  security: [],
  request: { query: statsQuery },
  responses: {
    200: jsonContent(statsResponse, 'Totals over the window'),
    ...problemResponses(400),
  },
});

views.openapi(statsRoute, async (c) => {
  const { window } = c.req.valid('query');
  const now = nowDate();
  const site = siteConfig(c.env);
  const toDay = zonedDay(now, site.timeZone);
  const fromDay = window === 'all' ? '0000-01-01' : windowStart(now, site.timeZone, window);
  const stats = await siteStats(readDb(c), { fromDay, toDay });
  return c.json({ data: { window, from: fromDay, to: toDay, ...stats } }, 200);
});

export const viewsRoutes = views;
