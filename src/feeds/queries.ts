import { and, asc, desc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import {
  channelAndDescendants,
  isPublic,
  listingColumns,
  listingConditions,
  listingSummary,
  type RawListingRow,
} from '../articles/queries';
import type { FeedArticle } from '../articles/types';
import type { Database } from '../db/client';
import { compileOnce } from '../db/compiled';
import { articles, channelListings, channels } from '../db/schema';
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

type FeedValues = { now: number; channel?: string; limit: number };

/**
 * The feed's statements, each shape (site-wide or a channel's) built once per isolate with
 * placeholders: drizzle rebuilt all three on every request, and its builder (`is`,
 * buildQueryFromSourceParams, mapResultRow…) was about a fifth of the RSS route's samples in
 * a profile under load. With the unsorted tags of listColumns, RSS A/B in alternating rounds
 * (6 × 3 s, 2026-12-01): 4,866 → 3,957 µs CPU per request (a loaded machine), median
 * per-round ratio 0.796. Both lists walk (status, published_at, id).
 */
function feedStatements(channel: boolean) {
  const now = sql.placeholder('now');
  // The items and the window read channel_listings (the site-wide list, or the channel's),
  // kept at write time like the channel list's (src/articles/queries.ts buildListingList).
  const listed = () => listingConditions(now, channel ? sql.placeholder('channel') : undefined);
  // The oldest publish time still in the feed bounds the window whose changes matter: an
  // article withdrawn from inside it, or one published into it, moves this value forward.
  // From the listings' key alone (a covering scan): joining articles for the status check
  // of the items took this statement from 86 to 183 µs (sqlite3, the bench's data).
  const windowStart = sql`(select min(published_at) from (
    select ${channelListings.publishedAt} as published_at from ${channelListings}
    where ${and(...listed().slice(0, 2))}
    order by ${channelListings.publishedAt} desc, ${channelListings.articleId} desc
    limit ${sql.placeholder('limit')}
  ))`;
  // The inner table is aliased: the items' own `articles` row must not leak into it.
  // Withdrawn, deleted and unpublished articles leave the feed: that changes it too.
  const lastModified = sql<number | null>`(select max(max(m.updated_at, m.published_at))
    from ${articles} m
    where m.status in ('published', 'archived', 'deleted', 'draft')
      and m.published_at >= ${windowStart} and m.published_at <= ${now}
      ${channel ? sql`and ${channelAndDescendants(sql.placeholder('channel'), sql`m.channel_id`)}` : sql``})`;
  // One statement: the last change is an uncorrelated subquery, which SQLite runs once, as a
  // column of every item, instead of a statement of its own in the batch.
  const items = compileOnce<FeedValues>((db) =>
    db
      .select({
        ...listingColumns,
        body: articles.body,
        // Aliased: the statement runs without drizzle, whose rows are mapped by position.
        feedModified: lastModified.as('feed_modified'),
      })
      .from(channelListings)
      .innerJoin(articles, eq(articles.id, channelListings.articleId))
      .where(and(...listed()))
      .orderBy(desc(channelListings.publishedAt), desc(channelListings.articleId))
      .limit(sql.placeholder('limit') as unknown as number),
  );
  // The site-wide feed has no channel to look up: one statement fewer in its batch.
  const channelRow = channel
    ? compileOnce<FeedValues>((db) =>
        db
          .select({
            slug: channels.slug,
            name: channels.name,
            description: channels.description,
            updatedAt: channels.updatedAt,
          })
          .from(channels)
          .where(eq(channels.slug, sql.placeholder('channel')))
          .limit(1),
      )
    : null;
  return { items, channelRow };
}

const siteFeed = feedStatements(false);
const channelFeed = feedStatements(true);

type FeedRow = RawListingRow & { body: string; feed_modified: unknown };
type ChannelRow = { slug: string; name: string; description: string; updated_at: number };

/**
 * The newest public articles, site-wide or in a channel subtree, with full bodies, plus the
 * feed's last change, in one round trip.
 */
export async function loadFeed(
  db: Database,
  options: { now: Date; channelSlug?: string; limit: number },
): Promise<FeedContent | null> {
  const statements = options.channelSlug ? channelFeed : siteFeed;
  const values: FeedValues = {
    now: options.now.getTime(),
    limit: options.limit,
    ...(options.channelSlug ? { channel: options.channelSlug } : {}),
  };
  const [rows, channelRows] = statements.channelRow
    ? await db.$client.batch([statements.items(db, values), statements.channelRow(db, values)])
    : [await statements.items(db, values).all()];
  const found = (channelRows?.results[0] as ChannelRow | undefined) ?? null;
  if (options.channelSlug && !found) return null;
  const channel: FeedChannel | null = found && {
    slug: found.slug,
    name: found.name,
    description: found.description,
    updatedAt: new Date(found.updated_at),
  };

  const items = wellFormed(
    (rows?.results ?? []) as FeedRow[],
    (r): FeedArticle => ({ ...listingSummary(r), body: r.body }),
    'feed',
  );
  // Read from the raw rows: a malformed row that wellFormed skipped still carries it.
  const newestArticleChange = (rows?.results[0] as { feed_modified: unknown } | undefined)
    ?.feed_modified;
  const stamp = newestArticleChange == null ? Number.NaN : Number(newestArticleChange);
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
