import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { channelAndDescendants, isPublic, summaryColumns, toSummary } from '../articles/queries';
import type { FeedArticle } from '../articles/types';
import type { Database } from '../db/client';
import { articles, channels } from '../db/schema';
import { wellFormed } from '../lib/rows';

export type { FeedArticle };

export interface FeedChannel {
  slug: string;
  name: string;
  description: string;
  updatedAt: Date;
}

export interface FeedContent {
  /** The channel the feed is for; null for the site-wide feed. */
  channel: FeedChannel | null;
  items: FeedArticle[];
  /**
   * When the feed last changed: the newest edit, publication or withdrawal among articles
   * that are (or were) inside its window, or the channel's own edit. Null when it is empty.
   */
  lastModified: Date | null;
}

/**
 * The newest public articles, site-wide or in a channel subtree, with full bodies, plus the
 * feed's last change, in one round trip. Both lists walk (status, published_at, id).
 */
export async function loadFeed(
  db: Database,
  options: { now: Date; channelSlug?: string; limit: number },
): Promise<FeedContent | null> {
  const scope: SQL[] = options.channelSlug ? [channelAndDescendants(options.channelSlug)] : [];
  const itemsQuery = db
    .select({ ...summaryColumns, body: articles.body })
    .from(articles)
    .innerJoin(channels, eq(channels.id, articles.channelId))
    .where(and(isPublic(options.now), ...scope))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(options.limit);

  // The oldest publish time still in the feed bounds the window whose changes matter: an
  // article withdrawn from inside it, or one published into it, moves this value forward.
  const windowStart = sql`(select min(published_at) from (
    select ${articles.publishedAt} as published_at from ${articles}
    where ${and(isPublic(options.now), ...scope)}
    order by ${articles.publishedAt} desc, ${articles.id} desc
    limit ${options.limit}
  ))`;
  const lastModifiedQuery = db
    .select({
      value: sql<number | null>`max(max(${articles.updatedAt}, ${articles.publishedAt}))`,
    })
    .from(articles)
    .where(
      and(
        // Withdrawn, deleted and unpublished articles leave the feed: that changes it too.
        inArray(articles.status, ['published', 'archived', 'deleted', 'draft']),
        sql`${articles.publishedAt} >= ${windowStart}`,
        lte(articles.publishedAt, options.now),
        ...scope,
      ),
    );

  const channelQuery = db
    .select({
      slug: channels.slug,
      name: channels.name,
      description: channels.description,
      updatedAt: channels.updatedAt,
    })
    .from(channels)
    .where(eq(channels.slug, options.channelSlug ?? ''))
    .limit(1);

  const [rows, lastRows, channelRows] = await db.batch([
    itemsQuery,
    lastModifiedQuery,
    channelQuery,
  ]);
  const channel = channelRows[0] ?? null;
  if (options.channelSlug && !channel) return null;

  const items = wellFormed(rows, (r): FeedArticle => ({ ...toSummary(r), body: r.body }), 'feed');
  const newestArticleChange = lastRows[0]?.value ?? null;
  const stamp = newestArticleChange === null ? Number.NaN : Number(newestArticleChange);
  // A garbage updated_at wins SQLite's max() (text sorts after numbers): fall back to the rows shown.
  const shown = items.flatMap((a) => [a.updatedAt.getTime(), a.publishedAt.getTime()]);
  let lastModified = Number.isFinite(stamp)
    ? new Date(stamp)
    : shown.length
      ? new Date(Math.max(...shown))
      : null;
  if (channel && lastModified && channel.updatedAt > lastModified) lastModified = channel.updatedAt;
  return { channel, items, lastModified };
}

export interface SitemapPage {
  /** 1-based; page n holds article ids (n-1)*size+1 .. n*size. */
  page: number;
  count: number;
  lastModified: Date;
}

/**
 * How the public articles fall into fixed id ranges. Id ranges never shift as articles come
 * and go, so a crawler's copy of page n stays valid until something in that range changes.
 */
export async function listSitemapPages(
  db: Database,
  options: { now: Date; pageSize: number },
): Promise<SitemapPage[]> {
  // D1 binds numbers as REAL; the cast keeps this an integer division.
  const page = sql<number>`((${articles.id} - 1) / cast(${options.pageSize} as integer)) + 1`;
  const rows = await db
    .select({
      page: page.as('page'),
      count: sql<number>`count(*)`,
      lastModified: sql<number>`max(${articles.updatedAt})`,
    })
    .from(articles)
    .where(isPublic(options.now))
    .groupBy(sql`page`)
    .orderBy(sql`page`);
  return rows.map((r) => ({
    page: Number(r.page),
    count: Number(r.count),
    lastModified: new Date(Number(r.lastModified)),
  }));
}

export interface SitemapArticle {
  id: number;
  slug: string;
  updatedAt: Date;
}

/** Public articles of one id range (a primary-key range scan), or all when page is omitted. */
export async function listSitemapArticles(
  db: Database,
  options: { now: Date; page?: number; pageSize: number },
): Promise<SitemapArticle[]> {
  // With a page, the unary plus keeps the planner on the primary-key range rather than the
  // (status, published_at) index, which would read every public article and sort them.
  const conditions: SQL[] = options.page
    ? [
        gte(articles.id, (options.page - 1) * options.pageSize + 1),
        lte(articles.id, options.page * options.pageSize),
        sql`+${articles.status} = 'published'`,
        sql`+${articles.publishedAt} <= ${options.now.getTime()}`,
      ]
    : [isPublic(options.now)];
  return db
    .select({ id: articles.id, slug: articles.slug, updatedAt: articles.updatedAt })
    .from(articles)
    .where(and(...conditions))
    .orderBy(asc(articles.id))
    .limit(options.pageSize);
}

export interface SitemapChannel {
  slug: string;
  updatedAt: Date;
}

export async function listSitemapChannels(db: Database): Promise<SitemapChannel[]> {
  return db
    .select({ slug: channels.slug, updatedAt: channels.updatedAt })
    .from(channels)
    .orderBy(asc(channels.position), asc(channels.id));
}

export interface NewsArticle {
  id: number;
  slug: string;
  title: string;
  lang: string;
  publishedAt: Date;
}

/** Articles published since the given instant, newest first (Google News takes 1,000 at most). */
export async function listNewsArticles(
  db: Database,
  options: { now: Date; since: Date; limit: number },
): Promise<NewsArticle[]> {
  const rows = await db
    .select({
      id: articles.id,
      slug: articles.slug,
      title: articles.title,
      lang: articles.lang,
      publishedAt: articles.publishedAt,
    })
    .from(articles)
    .where(and(isPublic(options.now), gte(articles.publishedAt, options.since)))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(options.limit);
  return wellFormed(rows, (r) => ({ ...r, publishedAt: r.publishedAt ?? new Date(0) }), 'sitemap');
}
