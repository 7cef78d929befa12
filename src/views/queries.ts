import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { channelAndDescendants, isPublic, summaryColumns, toSummary } from '../articles/queries';
import type { ArticleSummary } from '../articles/types';
import type { Database } from '../db/client';
import { articles, articleViewsDaily, channels, viewRejectionsDaily } from '../db/schema';
import { nowDate } from '../lib/clock';
import { layoutFor } from './layout';
import { wellFormed } from '../lib/rows';

export interface CountableArticle {
  id: number;
  viewBase: number;
  viewShards: number;
  /** The counters' own layout (src/views/layout.ts articleLayout combines the two). */
  viewLayout: number;
  /** Last flushed totals, the fallback when the counters cannot be reached. */
  viewCount: number;
  visitorCount: number;
}

/** Published, already public articles among the ids: the only ones whose views count. */
export function countableArticlesQuery(db: Database, ids: number[], now: Date) {
  return (
    db
      .select({
        id: articles.id,
        viewBase: articles.viewBase,
        viewShards: articles.viewShards,
        viewLayout: articles.viewLayout,
        viewCount: articles.viewCount,
        visitorCount: articles.visitorCount,
      })
      .from(articles)
      // Visibility hidden from the planner: the id list is what bounds this read.
      .where(and(inArray(articles.id, ids), isPublic(now, 'none')))
  );
}

export async function findCountableArticles(
  db: Database,
  ids: number[],
  now: Date,
): Promise<Map<number, CountableArticle>> {
  if (!ids.length) return new Map();
  const rows = await countableArticlesQuery(db, ids, now);
  return new Map(rows.map((r) => [r.id, r]));
}

export interface ShardFlush {
  articleId: number;
  shard: number;
  days: { day: string; views: number; visitors: number }[];
  rejections: { day: string; reason: string; count: number }[];
}

/**
 * Writes one shard's absolute totals and recomputes the article's totals from all shards,
 * in one batch (one transaction). Absolute values make a repeated flush a no-op. Answers the
 * rows D1 says it wrote, for the counter's cost books.
 */
export async function writeShardTotals(
  db: Database,
  flush: ShardFlush,
): Promise<{ rowsWritten: number }> {
  const statements: BatchItem<'sqlite'>[] = [];
  for (const d of flush.days) {
    statements.push(
      db
        .insert(articleViewsDaily)
        .values({ articleId: flush.articleId, shard: flush.shard, ...d })
        .onConflictDoUpdate({
          target: [articleViewsDaily.articleId, articleViewsDaily.day, articleViewsDaily.shard],
          set: { views: d.views, visitors: d.visitors },
        }),
    );
  }
  for (const r of flush.rejections) {
    statements.push(
      db
        .insert(viewRejectionsDaily)
        .values({ articleId: flush.articleId, shard: flush.shard, ...r })
        .onConflictDoUpdate({
          target: [
            viewRejectionsDaily.articleId,
            viewRejectionsDaily.day,
            viewRejectionsDaily.shard,
            viewRejectionsDaily.reason,
          ],
          set: { count: r.count },
        }),
    );
  }
  statements.push(
    db
      .update(articles)
      .set({
        viewCount: sql`${articles.viewBase} + coalesce((select sum(views) from article_views_daily where article_id = ${flush.articleId}), 0)`,
        visitorCount: sql`coalesce((select sum(visitors) from article_views_daily where article_id = ${flush.articleId}), 0)`,
      })
      .where(eq(articles.id, flush.articleId)),
  );
  const results = await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  let rowsWritten = 0;
  // Only write statements are batched here, so each result is D1's own; the books must never
  // turn a write that landed into a failed (and retried) flush, hence the defaults.
  for (const result of results as unknown as Partial<D1Result>[]) {
    rowsWritten += result.meta?.rows_written ?? 0;
  }
  return { rowsWritten };
}

/** Sets the count carried over from an older site (e.g. 712) and keeps view_count consistent. */
export function legacyViewsStatement(db: Database, articleId: number, views: number) {
  return db
    .update(articles)
    .set({
      viewBase: views,
      viewCount: sql`${views} + coalesce((select sum(views) from article_views_daily where article_id = ${articleId}), 0)`,
    })
    .where(eq(articles.id, articleId))
    .returning({ id: articles.id });
}

export async function setLegacyViews(
  db: Database,
  articleId: number,
  views: number,
): Promise<boolean> {
  const rows = await legacyViewsStatement(db, articleId, views);
  return rows.length === 1;
}

/**
 * The operator's floor for an article's shards (1..16). The layout follows at once, rounded up
 * to a power of two, and never shrinks: lowering the floor leaves the layout as it is, since
 * merging shards would move visitors (src/views/counter.ts).
 */
export async function setViewShards(
  db: Database,
  articleId: number,
  shards: number,
  now: Date = nowDate(),
): Promise<boolean> {
  const layout = layoutFor(shards);
  const rows = await db
    .update(articles)
    .set({
      viewShards: shards,
      viewLayout: sql`max(${articles.viewLayout}, ${layout})`,
      viewLayoutAt: sql`case when ${articles.viewLayout} < ${layout} then ${now.getTime()} else ${articles.viewLayoutAt} end`,
    })
    .where(eq(articles.id, articleId))
    .returning({ id: articles.id });
  return rows.length === 1;
}

/**
 * A hot counter's request to double the article's layout: raised, never lowered, stamped with
 * when. Answers the layout D1 holds afterwards (another shard may have raised it further), or
 * null for an article that is gone.
 */
export async function raiseViewLayout(
  db: Database,
  articleId: number,
  layout: number,
  now: number,
): Promise<number | null> {
  const [, rows] = await db.batch([
    db
      .update(articles)
      .set({ viewLayout: layout, viewLayoutAt: new Date(now) })
      .where(and(eq(articles.id, articleId), lt(articles.viewLayout, layout))),
    db.select({ layout: articles.viewLayout }).from(articles).where(eq(articles.id, articleId)),
  ]);
  return rows[0]?.layout ?? null;
}

export type PopularArticle = ArticleSummary & { windowViews: number };

export interface PopularOptions {
  now: Date;
  /** First day (YYYY-MM-DD, site time zone) inside the window. */
  fromDay: string;
  channelSlug?: string;
  limit: number;
}

export function popularArticlesQuery(db: Database, options: PopularOptions) {
  const windowTotals = db
    .select({
      articleId: articleViewsDaily.articleId,
      windowViews: sql<number>`sum(${articleViewsDaily.views})`.as('window_views'),
    })
    .from(articleViewsDaily)
    .where(gte(articleViewsDaily.day, options.fromDay))
    // Grouping by an expression keeps the planner on the day index instead of walking the
    // whole primary key in article order.
    .groupBy(sql`${articleViewsDaily.articleId} + 0`)
    .as('window_totals');
  // The window's few articles drive the join; visibility is checked per row, not walked.
  const conditions: SQL[] = [isPublic(options.now, 'none')];
  if (options.channelSlug) conditions.push(channelAndDescendants(options.channelSlug));
  return db
    .select({ ...summaryColumns, windowViews: windowTotals.windowViews })
    .from(windowTotals)
    .innerJoin(articles, eq(articles.id, windowTotals.articleId))
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(and(...conditions))
    .orderBy(desc(windowTotals.windowViews), desc(articles.id))
    .limit(options.limit);
}

/** 热点排行: the most viewed published articles over the window, from the daily rollups. */
export async function listPopularArticles(
  db: Database,
  options: PopularOptions,
): Promise<PopularArticle[]> {
  const rows = await popularArticlesQuery(db, options);
  return wellFormed(
    rows,
    (row) => ({ ...toSummary(row), windowViews: Number(row.windowViews) }),
    'popular',
  );
}

export interface SiteStats {
  views: number;
  visitors: number;
  channels: {
    slug: string;
    name: string;
    parentSlug: string | null;
    views: number;
    visitors: number;
  }[];
  rejections: Record<string, number>;
}

export function siteStatsStatements(db: Database, window: { fromDay: string; toDay: string }) {
  const inWindow = and(
    gte(articleViewsDaily.day, window.fromDay),
    lte(articleViewsDaily.day, window.toDay),
  );
  return [
    db
      .select({
        slug: channels.slug,
        name: channels.name,
        parentSlug: sql<
          string | null
        >`(select p.slug from channels p where p.id = ${channels.parentId})`.as('parent_slug'),
        views: sql<number>`sum(${articleViewsDaily.views})`.as('views'),
        visitors: sql<number>`sum(${articleViewsDaily.visitors})`.as('visitors'),
      })
      .from(articleViewsDaily)
      .innerJoin(articles, eq(articles.id, articleViewsDaily.articleId))
      .innerJoin(channels, eq(channels.id, articles.channelId))
      .where(inWindow)
      .groupBy(channels.id)
      .orderBy(desc(sql`views`)),
    db
      .select({
        reason: viewRejectionsDaily.reason,
        count: sql<number>`sum(${viewRejectionsDaily.count})`.as('count'),
      })
      .from(viewRejectionsDaily)
      .where(
        and(
          gte(viewRejectionsDaily.day, window.fromDay),
          lte(viewRejectionsDaily.day, window.toDay),
        ),
      )
      .groupBy(viewRejectionsDaily.reason),
  ] as const;
}

/** Site-wide and per-channel totals over a window of days, read from the rollups only. */
export async function siteStats(
  db: Database,
  window: { fromDay: string; toDay: string },
): Promise<SiteStats> {
  const [perChannel, rejections] = await db.batch(siteStatsStatements(db, window));
  const channelsOut = perChannel.map((c) => ({
    slug: c.slug,
    name: c.name,
    parentSlug: c.parentSlug,
    views: Number(c.views),
    visitors: Number(c.visitors),
  }));
  return {
    views: channelsOut.reduce((sum, c) => sum + c.views, 0),
    visitors: channelsOut.reduce((sum, c) => sum + c.visitors, 0),
    channels: channelsOut,
    rejections: Object.fromEntries(rejections.map((r) => [r.reason, Number(r.count)])),
  };
}
