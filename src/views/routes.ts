import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { presentSummary } from '../articles/present';
import { channelExists } from '../articles/queries';
import { articleSummarySchema } from '../articles/schemas';
import type { AppEnv } from '../env';
import { AppError } from '../lib/errors';
import { problemResponses } from '../lib/openapi';
import { createRouter, readDb, requestOrigin } from '../lib/router';
import { siteConfig, type SiteLang } from '../lib/site';
import { addDays, zonedDay } from '../lib/time';
import { countableArticles } from './article-cache';
import {
  CountingUnavailableError,
  readCounts,
  recordHit,
  type ArticleCounts,
  type RecordedHit,
} from './counter-client';
import { listPopularArticles, siteStats, type CountableArticle } from './queries';
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
import { isBot, visitorSignals } from './visitor';
import { nowDate } from '../lib/clock';

const noStore = { 'Cache-Control': 'no-store' };
const liveReadCache = { 'Cache-Control': 'public, max-age=5, stale-while-revalidate=30' };

async function publishedArticle(c: Context<AppEnv>, id: number, now: Date) {
  const article = (await countableArticles(readDb(c), [id], now)).get(id);
  if (!article) throw new AppError('not_found', { detail: `No published article ${id}` });
  return article;
}

type HitOutcome = RecordedHit & { rateLimited: boolean };

/** Filters a hit (bots, rate limit), then records it on the visitor's counter shard. */
async function hitArticle(
  c: Context<AppEnv>,
  article: CountableArticle,
  now: Date,
): Promise<HitOutcome> {
  const visitor = visitorSignals(c.req.raw.headers);
  let rejection: 'bot' | 'rate_limited' | undefined;
  if (isBot(visitor.userAgent, c.req.raw.cf as { botManagement?: object } | undefined)) {
    rejection = 'bot';
  } else {
    try {
      const { success } = await c.env.VIEW_RATE_LIMITER.limit({ key: visitor.key });
      if (!success) rejection = 'rate_limited';
    } catch (err) {
      // The limiter guards against inflation; if it is down, count rather than lose real views.
      c.get('logger').warn('rate limiter unavailable', { error: String(err) });
    }
  }
  const result = await recordHit(c.env, article, {
    ip: visitor.ip,
    userAgent: visitor.userAgent,
    bucket: visitor.bucket,
    rejection,
    now: now.getTime(),
  });
  return { ...result, rateLimited: rejection === 'rate_limited' };
}

function countingUnavailable(err: unknown): never {
  throw new AppError('counting_unavailable', {
    detail: 'The view counters cannot be reached; nothing was counted. Try again shortly.',
    headers: { 'Retry-After': '30' },
    cause: err,
  });
}

const badgeLabels: Record<SiteLang, string> = { 'zh-CN': '浏览次数', en: 'views' };

/** Rough text width so the badge fits its number without measuring fonts. */
function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u2e80-\uffff]/.test(ch) ? 12 : 7;
  return width;
}

function badgeSvg(label: string, count: number) {
  const value = count.toLocaleString('en-US');
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

export const viewsRoutes = createRouter()
  .endpoint(
    'post',
    '/articles/{id}/views',
    {
      request: () => ({ params: articleIdParams() }),
      describe: () => ({
        tags: ['Views'],
        summary: 'Count a view (beacon)',
        description:
          'Works with navigator.sendBeacon and fetch; the body is ignored. Repeat views by the same visitor within the dedupe window, bots and link previewers are answered but not counted.',
        responses: {
          200: {
            description: 'Live totals',
            content: { 'application/json': { schema: beaconResponse() } },
          },
          ...problemResponses(400, 404, 429, 503),
        },
      }),
    },
    async (c) => {
      const { id } = c.req.valid('param');
      const now = nowDate();
      const article = await publishedArticle(c, id, now);
      let outcome: HitOutcome;
      try {
        outcome = await hitArticle(c, article, now);
      } catch (err) {
        if (err instanceof CountingUnavailableError) countingUnavailable(err);
        throw err;
      }
      if (outcome.rateLimited) {
        throw new AppError('rate_limited', {
          detail: 'Too many views from this visitor; this one was not counted.',
          headers: { 'Retry-After': '60' },
        });
      }
      const body: z.infer<ReturnType<typeof beaconResponse>> = {
        views: outcome.views,
        visitors: outcome.visitors,
        counted: outcome.counted,
      };
      if (outcome.reason === 'duplicate' || outcome.reason === 'bot') body.reason = outcome.reason;
      return c.json(body, 200, noStore);
    },
  )
  .endpoint(
    'get',
    '/articles/{id}/views',
    {
      request: () => ({ params: articleIdParams() }),
      describe: () => ({
        tags: ['Views'],
        summary: 'Read live view counts without counting',
        responses: {
          200: {
            description: 'Totals',
            content: { 'application/json': { schema: liveCountsResponse() } },
          },
          ...problemResponses(400, 404),
        },
      }),
    },
    async (c) => {
      const { id } = c.req.valid('param');
      const article = await publishedArticle(c, id, nowDate());
      let counts: ArticleCounts;
      let live = true;
      try {
        counts = await readCounts(c.env, article);
      } catch (err) {
        if (!(err instanceof CountingUnavailableError)) throw err;
        counts = { views: article.viewCount, visitors: article.visitorCount };
        live = false;
      }
      return c.json({ ...counts, live }, 200, live ? liveReadCache : noStore);
    },
  )
  .endpoint(
    'get',
    '/articles/{id}/views.svg',
    {
      request: () => ({ params: articleIdParams() }),
      describe: () => ({
        tags: ['Views'],
        summary: 'Count a view and return a badge image',
        description:
          'For pages that can only embed an image. Sent with headers that make image proxies fetch it every time.',
        responses: {
          200: { description: 'SVG badge', content: { 'image/svg+xml': { schema: z.string() } } },
          ...problemResponses(400, 404),
        },
      }),
    },
    async (c) => {
      const { id } = c.req.valid('param');
      const now = nowDate();
      const article = await publishedArticle(c, id, now);
      let views = article.viewCount;
      try {
        views = (await hitArticle(c, article, now)).views;
      } catch (err) {
        // An image must still render; the last flushed count is the honest fallback.
        if (!(err instanceof CountingUnavailableError)) throw err;
      }
      const svg = badgeSvg(badgeLabels[siteConfig(c.env).lang], views);
      return c.body(String(await svg), 200, {
        'Content-Type': 'image/svg+xml; charset=utf-8',
        'Cache-Control': 'no-cache, no-store, must-revalidate, max-age=0',
        Pragma: 'no-cache',
        Expires: '0',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
    },
  )
  .endpoint(
    'get',
    '/views',
    {
      request: () => ({ query: viewIdsQuery() }),
      describe: () => ({
        tags: ['Views'],
        summary: 'Read live view counts of up to 100 articles',
        responses: {
          200: {
            description: 'Counts of the published articles among the ids (others are left out)',
            content: { 'application/json': { schema: batchCountsResponse() } },
          },
          ...problemResponses(400),
        },
      }),
    },
    async (c) => {
      const { ids } = c.req.valid('query');
      const found = await countableArticles(readDb(c), ids, nowDate());
      const articles = ids.map((id) => found.get(id)).filter((a) => a !== undefined);
      let live = true;
      let counts: ArticleCounts[];
      try {
        counts = await Promise.all(articles.map((a) => readCounts(c.env, a)));
      } catch (err) {
        if (!(err instanceof CountingUnavailableError)) throw err;
        counts = articles.map((a) => ({ views: a.viewCount, visitors: a.visitorCount }));
        live = false;
      }
      return c.json(
        { data: articles.map((a, i) => ({ id: a.id, ...counts[i]! })), meta: { live } },
        200,
        live ? liveReadCache : noStore,
      );
    },
  )
  .endpoint(
    'get',
    '/articles/popular',
    {
      request: () => ({ query: popularQuery() }),
      describe: () => ({
        tags: ['Views'],
        summary: '热点排行: most viewed articles over a window',
        responses: {
          200: {
            description: 'Articles by views in the window, most first',
            content: {
              'application/json': {
                schema: z
                  .object({
                    data: z.array(articleSummarySchema().extend({ windowViews: z.number().int() })),
                    meta: z.object({ window: z.string(), from: z.string() }),
                  })
                  .openapi('PopularArticles'),
              },
            },
          },
          ...problemResponses(400, 404),
        },
      }),
    },
    async (c) => {
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
          data: items.map((a) => ({
            ...presentSummary(a, site, origin),
            windowViews: a.windowViews,
          })),
          meta: { window: query.window, from: fromDay },
        },
        200,
      );
    },
  )
  .endpoint(
    'get',
    '/stats',
    {
      request: () => ({ query: statsQuery() }),
      describe: () => ({
        tags: ['Views'],
        summary: 'Site-wide and per-channel page views and visitors, from the daily rollups',
        responses: {
          200: {
            description: 'Totals over the window',
            content: { 'application/json': { schema: statsResponse() } },
          },
          ...problemResponses(400),
        },
      }),
    },
    async (c) => {
      const { window } = c.req.valid('query');
      const now = nowDate();
      const site = siteConfig(c.env);
      const toDay = zonedDay(now, site.timeZone);
      const fromDay = window === 'all' ? '0000-01-01' : windowStart(now, site.timeZone, window);
      const stats = await siteStats(readDb(c), { fromDay, toDay });
      return c.json({ data: { window, from: fromDay, to: toDay, ...stats } }, 200);
    },
  );
